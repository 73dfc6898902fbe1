"""The loaded knowledge base: records by id, name look-ups and segment queries."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from myotome.kb import model as m
from myotome.kb.levels import level_hint
from myotome.kb.names import NameIndex, UnknownName

#: The record maps of a KnowledgeBase, one data file each, in the order the loader reads them.
RECORD_FILES = (
    "references",
    "segments",
    "nerves",
    "muscles",
    "groups",
    "levels",
    "regions",
    "movements",
    "reflexes",
    "conditions",
    "precautions",
)
# Look-up kinds, the record maps behind them, and how errors name them.
KINDS = ("muscle", "region", "movement", "reflex", "segment", "condition", "precaution", "nerve", "level")


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per loaded KB
class KnowledgeBase:
    """Every record of the knowledge base, checked; build it with ``load_kb()``.

    kb = load_kb()
    kb.find_muscle("calf")  # -> Group 'Triceps surae'
    """

    version: str
    references: Mapping[str, m.Reference]
    segments: Mapping[str, m.Segment]
    nerves: Mapping[str, m.Nerve]
    muscles: Mapping[str, m.Muscle]
    groups: Mapping[str, m.Group]
    regions: Mapping[str, m.Region]
    movements: Mapping[str, m.Movement]
    reflexes: Mapping[str, m.Reflex]
    conditions: Mapping[str, m.Condition]
    precautions: Mapping[str, m.Precaution]
    levels: Mapping[str, m.VertebralLevel]  # levels.yaml: vertebrae and interspaces, occiput-C1 to S1
    planning: m.Planning  # planning.yaml: the numbers myotome.plan sizes a session with
    red_flags: m.RedFlagTable  # red_flags.yaml: the rules myotome.redflags screens an assessment with
    shared_aliases: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    evidence: Mapping[str, Any] = field(default_factory=dict)  # evidence.yaml, read by myotome.localize
    _indexes: dict[str, NameIndex[Any]] = field(default_factory=dict, repr=False, compare=False)
    _by_segment: dict[str, dict[str, list[Any]]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in RECORD_FILES:
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        sources: dict[str, Iterable[Any]] = {
            "muscle": [*self.muscles.values(), *self.groups.values()],
            "region": self.regions.values(),
            "movement": self.movements.values(),
            "reflex": self.reflexes.values(),
            "segment": self.segments.values(),
            "condition": self.conditions.values(),
            "precaution": self.precautions.values(),
            "nerve": self.nerves.values(),
            "level": self.levels.values(),
        }
        for kind, records in sources.items():
            by_id = {r.id: r for r in records}
            entries = [(r.id, r.name, r.aliases, r) for r in by_id.values()]
            for alias, ids in self.shared_aliases.get(kind, {}).items():
                entries += [(i, by_id[i].name, (alias,), by_id[i]) for i in ids if i in by_id]
            self._indexes[kind] = NameIndex(kind, entries)
        self._index_segments()

    # -- pickling (the loader caches a checked KB between runs) ----------------

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for key, value in state.items():
            if isinstance(value, MappingProxyType):
                state[key] = dict(value)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, MappingProxyType(value) if key in RECORD_FILES else value)

    # -- names -------------------------------------------------------------

    def index(self, kind: str) -> NameIndex[Any]:
        return self._indexes[kind]

    def find_muscle(self, name: str) -> m.Muscle | m.Group:
        """The muscle or muscle group a clinician's name denotes (raises LookupFailed)."""
        return self._indexes["muscle"].lookup(name)  # type: ignore[no-any-return]

    def find_region(self, name: str) -> m.Region:
        return self._indexes["region"].lookup(name)  # type: ignore[no-any-return]

    def find_movement(self, name: str) -> m.Movement:
        return self._indexes["movement"].lookup(name)  # type: ignore[no-any-return]

    def find_reflex(self, name: str) -> m.Reflex:
        return self._indexes["reflex"].lookup(name)  # type: ignore[no-any-return]

    def find_segment(self, name: str) -> m.Segment:
        return self._indexes["segment"].lookup(name)  # type: ignore[no-any-return]

    def find_condition(self, name: str) -> m.Condition:
        return self._indexes["condition"].lookup(name)  # type: ignore[no-any-return]

    def find_precaution(self, name: str) -> m.Precaution:
        return self._indexes["precaution"].lookup(name)  # type: ignore[no-any-return]

    def find_nerve(self, name: str) -> m.Nerve:
        return self._indexes["nerve"].lookup(name)  # type: ignore[no-any-return]

    def find_level(self, name: str) -> m.VertebralLevel:
        """The vertebra or interspace a clinician wrote (``C7-T1``, ``C7/T1``, ``atlas``).

        kb.find_level("C7-T1").segments  # ('C8',)
        kb.find_level("C7-C8")           # UnknownName: there is no C8 vertebra ... write C7-T1
        """
        try:
            return self._indexes["level"].lookup(name)  # type: ignore[no-any-return]
        except UnknownName as exc:
            hint = level_hint(name)
            if hint is None:
                raise
            raise UnknownName(name, "level", f"unknown level '{name}': {hint}", exc.suggestions) from None

    def members(self, record: m.Muscle | m.Group) -> tuple[m.Muscle, ...]:
        """The muscles a muscle or group stands for."""
        if isinstance(record, m.Muscle):
            return (record,)
        return self._group_members[record.id]

    def needled_members(self, record: m.Muscle | m.Group) -> tuple[m.Muscle, ...]:
        """The muscles a plan may needle for a muscle or group: never-needled ones left out.

        kb.needled_members(kb.find_muscle("intercostals"))  # external and internal layers only
        """
        return tuple(mu for mu in self.members(record) if not mu.needling.never)

    def roots_of(self, record: m.Muscle | m.Group) -> m.Roots:
        """A muscle's roots, or a group's: main where any member has it as main, minor otherwise."""
        if isinstance(record, m.Muscle):
            return record.roots
        return self._group_roots[record.id]

    @functools.cached_property
    def _group_roots(self) -> dict[str, m.Roots]:
        order = {s: i for i, s in enumerate(self.segments)}
        out = {}
        for group in self.groups.values():
            members = self.members(group)
            main = {s for mu in members for s in mu.roots.main}
            minor = {s for mu in members for s in mu.roots.minor} - main
            out[group.id] = m.Roots(tuple(sorted(main, key=order.__getitem__)), tuple(sorted(minor, key=order.__getitem__)))
        return out

    @functools.cached_property
    def _group_members(self) -> dict[str, tuple[m.Muscle, ...]]:
        return {g.id: tuple(self.muscles[i] for i in g.members) for g in self.groups.values()}

    # -- vertebral levels --------------------------------------------------

    @functools.cached_property
    def vertebral_levels(self) -> tuple[m.VertebralLevel, ...]:
        """Every level, occiput-C1 first, down to S1."""
        return tuple(sorted(self.levels.values(), key=lambda level: level.order))

    def roots_at(self, level: str) -> tuple[m.LevelRoot, ...]:
        """The roots a level (id or clinician's name) implicates, with their weights, heaviest first.

        kb.roots_at("L4-L5")  # (LevelRoot('L4', 0.5, 'exiting'), LevelRoot('L5', 0.5, 'traversing'))
        """
        record = self.levels.get(level) or self.find_level(level)
        return tuple(sorted(record.roots, key=lambda r: -r.weight))

    def levels_for(self, segment: str) -> tuple[m.VertebralLevel, ...]:
        """The levels that implicate a root, craniocaudally: where to look and needle for it."""
        return self._levels_by_root.get(segment, ())

    @functools.cached_property
    def _levels_by_root(self) -> dict[str, tuple[m.VertebralLevel, ...]]:
        # Built once: the engine and the demo ask for a root's levels once per exam or more.
        by_root: dict[str, list[m.VertebralLevel]] = {}
        for level in self.vertebral_levels:
            for root in dict.fromkeys(level.segments):
                by_root.setdefault(root, []).append(level)
        return {root: tuple(levels) for root, levels in by_root.items()}

    # -- segments ----------------------------------------------------------

    @functools.cached_property
    def spinal_segments(self) -> tuple[str, ...]:
        """C1 to S5 in craniocaudal order."""
        return tuple(s.id for s in sorted((s for s in self.segments.values() if s.is_spinal), key=lambda s: s.order or 0))

    @functools.cached_property
    def _spinal_position(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.spinal_segments)}

    def neighbour(self, segment: str, offset: int) -> str | None:
        """The spinal segment ``offset`` levels below (positive) or above ``segment``."""
        position = self._spinal_position.get(segment)
        if position is None:
            return None
        order = self.spinal_segments
        return order[position + offset] if 0 <= position + offset < len(order) else None

    def segment_range(self, first: str, last: str) -> tuple[str, ...]:
        order = self.spinal_segments
        lo, hi = sorted((order.index(first), order.index(last)))
        return order[lo : hi + 1]

    def by_segment(self, segment: str) -> dict[str, list[Any]]:
        """What a segment supplies: muscles and movements/reflexes (with level), regions."""
        return self._by_segment.get(segment, {"muscles": [], "regions": [], "movements": [], "reflexes": []})

    def _index_segments(self) -> None:
        table: dict[str, dict[str, list[Any]]] = {s: {"muscles": [], "regions": [], "movements": [], "reflexes": []} for s in self.segments}
        for muscle in self.muscles.values():
            for seg in muscle.roots.all:
                table[seg]["muscles"].append((muscle, muscle.roots.level(seg)))
        for region in self.regions.values():
            for rank, seg in enumerate(region.dermatomes):
                table[seg]["regions"].append((region, "primary" if rank == 0 else "secondary"))
        for movement in self.movements.values():
            for seg in movement.roots.all:
                table[seg]["movements"].append((movement, movement.roots.level(seg)))
        for reflex in self.reflexes.values():
            for seg in reflex.roots.all:
                table[seg]["reflexes"].append((reflex, reflex.roots.level(seg)))
        for entry in table.values():
            for rows in entry.values():
                rows.sort(key=lambda row: row[1] != "main" and row[1] != "primary")
        self._by_segment.update(table)

    # -- counts ------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        spinal = sum(1 for s in self.segments.values() if s.is_spinal)
        return {
            "spinal segments": spinal,
            "cranial nerves": len(self.segments) - spinal,
            "nerves": len(self.nerves),
            "muscles": len(self.muscles),
            "muscle groups": len(self.groups),
            "regions": len(self.regions),
            "movements": len(self.movements),
            "reflexes": len(self.reflexes),
            "conditions": len(self.conditions),
            "precautions": len(self.precautions),
            "vertebral levels": len(self.levels),
            "red flag rules": len(self.red_flags.rules),
            "references": len(self.references),
            "names and aliases": sum(len(i) for i in self._indexes.values()),
        }
