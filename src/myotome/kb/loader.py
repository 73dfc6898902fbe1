"""Reading and checking the knowledge-base YAML files.

Every problem found is reported with its file, record and field, all at once::

    kb = load_kb()                  # the packaged data, cached
    kb = load_kb("path/to/data")    # another data directory, e.g. a test fixture
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from myotome.kb import integrity, levels
from myotome.kb import model as m
from myotome.kb.exclusions import parse_exclusions
from myotome.kb.knowledge import RECORD_FILES, KnowledgeBase
from myotome.kb.names import LookupFailed, NameIndex
from myotome.kb.planning import parse_planning
from myotome.kb.red_flags import parse_red_flags

DATA_DIR = Path(__file__).parent / "data"

# Files in the order they are read: each may refer only to those before it (one per record map).
FILES = RECORD_FILES

R = TypeVar("R")


class KBError(ValueError):
    """The knowledge base has problems; ``problems`` lists each one."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"knowledge base has {len(problems)} problem(s):\n{shown}{more}")


def load_kb(path: str | Path | None = None) -> KnowledgeBase:
    """Load, check and return the knowledge base in ``path`` (default: the packaged data).

    kb = load_kb()
    kb.find_muscle("ECRB").roots.main  # ('C6', 'C7')
    """
    if path is None:
        return _load_packaged()
    return _load(Path(path))


@functools.cache
def _load_packaged() -> KnowledgeBase:
    """The packaged KB, from a pickle cache when the data and the loader are unchanged.

    Checking the data takes ~0.2 s; the cache makes `myotome assess FILE` start fast.
    The cache lives in the user's cache directory (MYOTOME_CACHE_DIR to move it,
    MYOTOME_KB_CACHE=0 to turn it off) and is keyed by a digest of every data file
    and every loader module, so an edit to either is never served stale.
    """
    if os.environ.get("MYOTOME_KB_CACHE", "1") == "0":
        return _load(DATA_DIR)
    digest = hashlib.sha256()
    for path in sorted([*DATA_DIR.glob("*.yaml"), *Path(__file__).parent.glob("*.py")]):
        digest.update(path.name.encode() + path.read_bytes())
    cache = _cache_dir() / f"kb-{digest.hexdigest()[:20]}-py{sys.version_info[0]}{sys.version_info[1]}.pickle"
    try:
        with cache.open("rb") as handle:
            kb = pickle.load(handle)
        if isinstance(kb, KnowledgeBase):
            return kb
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        pass  # no cache yet, or one from another version: load and write it anew
    kb = _load(DATA_DIR)
    _write_cache(cache, kb)
    return kb


def _cache_dir() -> Path:
    if os.environ.get("MYOTOME_CACHE_DIR"):
        return Path(os.environ["MYOTOME_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "myotome"


def _write_cache(cache: Path, kb: KnowledgeBase) -> None:
    """Write atomically; a read-only or full disk only costs speed."""
    import tempfile  # only when the cache is (re)written

    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob("kb-*.pickle"):
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(kb, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError:
        pass


def _load(directory: Path) -> KnowledgeBase:
    problems: list[str] = []
    raw, digest = _read_files(directory, problems)
    if problems:
        raise KBError(problems)
    ctx = _Context(problems)
    records = {name: _parse_file(ctx, name, raw[name]) for name in FILES}
    shared = _shared_aliases(ctx, raw)
    planning = parse_planning(raw.get("planning"), ctx.ids["references"], problems)
    from myotome.exam import HISTORY_CODES  # the document's vocabulary; exam imports the KB, so only here

    red_flags = parse_red_flags(raw.get("red_flags"), ctx.ids, HISTORY_CODES, problems)
    integrity.check_evidence(ctx, raw.get("evidence"))
    by_kind = {
        "muscle": [*records["muscles"][1], *records["groups"][1]],
        "region": records["regions"][1],
        "movement": records["movements"][1],
        "reflex": records["reflexes"][1],
        "segment": records["segments"][1],
        "condition": records["conditions"][1],
        "precaution": records["precautions"][1],
        "nerve": records["nerves"][1],
        "level": records["levels"][1],
    }
    for kind, recs in by_kind.items():
        integrity.check_aliases(ctx, kind, recs, shared.get(kind, {}))
    if problems or planning is None or red_flags is None:
        raise KBError(problems)
    versions = sorted(
        {meta.version for meta, _ in records.values()} | {str(raw[name]["meta"].get("version", "0")) for name in ("planning", "red_flags")}
    )
    muscles = _with_derived_fields(records["muscles"][1], records["movements"][1], records["groups"][1])
    return KnowledgeBase(
        version=f"{versions[-1]}+{digest[:8]}",
        references={r.id: r for r in records["references"][1]},
        segments={r.id: r for r in records["segments"][1]},
        nerves={r.id: r for r in records["nerves"][1]},
        muscles={r.id: r for r in muscles},
        groups={r.id: r for r in records["groups"][1]},
        regions={r.id: r for r in records["regions"][1]},
        movements={r.id: r for r in records["movements"][1]},
        reflexes={r.id: r for r in records["reflexes"][1]},
        conditions={r.id: r for r in records["conditions"][1]},
        precautions={r.id: r for r in records["precautions"][1]},
        levels={r.id: r for r in records["levels"][1]},
        shared_aliases=shared,
        evidence=raw.get("evidence") or {},
        planning=planning,
        red_flags=red_flags,
    )


_KIND_OF_FILE = {
    "muscles": "muscle",
    "groups": "muscle",
    "regions": "region",
    "movements": "movement",
    "reflexes": "reflex",
    "segments": "segment",
    "conditions": "condition",
    "precautions": "precaution",
    "nerves": "nerve",
    "levels": "level",
}


def _shared_aliases(ctx: _Context, raw: dict[str, Any]) -> dict[str, dict[str, tuple[str, ...]]]:
    """Names clinicians use for several records of one kind (``TA``): the resolver asks which."""
    shared: dict[str, dict[str, tuple[str, ...]]] = {}
    for name, data in raw.items():
        declared = data.get("shared_aliases") or {}
        kind = _KIND_OF_FILE.get(name)
        if not isinstance(declared, dict) or (declared and kind is None):
            ctx.problems.append(f"{name}.yaml: 'shared_aliases' must map a name to a list of ids")
            continue
        for alias, ids in declared.items():
            files = ("muscles", "groups") if kind == "muscle" else (name,)
            known = isinstance(ids, list) and len(ids) >= 2 and all(any(i in ctx.ids[f] for f in files) for i in ids)
            if not known:
                ctx.problems.append(f"{name}.yaml: shared alias '{alias}' must list two or more known ids, got {ids!r}")
                continue
            shared.setdefault(kind or name, {})[str(alias)] = tuple(ids)
    return shared


def _with_derived_fields(muscles: list[m.Muscle], movements: list[m.Movement], groups: list[m.Group]) -> list[m.Muscle]:
    """Fill each muscle's movements and groups from the files that state them."""
    moves: dict[str, list[str]] = {}
    for movement in movements:
        for muscle_id in movement.muscles:
            moves.setdefault(muscle_id, []).append(movement.id)
    member_of: dict[str, list[str]] = {}
    for group in groups:
        for muscle_id in group.members:
            member_of.setdefault(muscle_id, []).append(group.id)
    return [replace(mu, movements=tuple(moves.get(mu.id, ())), groups=tuple(member_of.get(mu.id, ()))) for mu in muscles]


def _read_files(directory: Path, problems: list[str]) -> tuple[dict[str, Any], str]:
    import yaml  # only when the data are read, not when the cached KB is used

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw: dict[str, Any] = {}
    digest = hashlib.sha256()
    for name in FILES:
        path = directory / f"{name}.yaml"
        try:
            text = path.read_bytes()
        except OSError as exc:
            problems.append(f"{path.name}: cannot read ({exc.strerror})")
            continue
        digest.update(text)
        try:
            data = yaml.load(text, Loader=loader)
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: not valid YAML: {exc}")
            continue
        if not isinstance(data, dict) or not isinstance(data.get(name), list) or set(data) - {"meta", name, "shared_aliases"}:
            problems.append(f"{path.name}: expected 'meta', a list '{name}' and optionally 'shared_aliases'")
            continue
        raw[name] = data
    # The planner's numbers and the red-flag rules: required, each checked by its own parser.
    for name in ("planning", "red_flags"):
        path = directory / f"{name}.yaml"
        try:
            text = path.read_bytes()
            digest.update(text)
            raw[name] = yaml.load(text, Loader=loader)
        except OSError as exc:
            problems.append(f"{path.name}: cannot read ({exc.strerror})")
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: not valid YAML: {exc}")
    evidence = directory / "evidence.yaml"  # the engine's weights: kept with the data, checked by the engine
    if evidence.exists():
        text = evidence.read_bytes()
        digest.update(text)
        try:
            raw["evidence"] = yaml.load(text, Loader=loader)
        except yaml.YAMLError as exc:
            problems.append(f"evidence.yaml: not valid YAML: {exc}")
    return raw, digest.hexdigest()


# ---------------------------------------------------------------------------
# Field readers


class _Context:
    """What has been read so far, for checking references, and the problem list."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        self.ids: dict[str, dict[str, Any]] = {name: {} for name in FILES}
        self.segment_order: list[str] = []  # spinal segments, craniocaudal

    def expand_segments(self, items: Any, where: str) -> tuple[str, ...]:
        """Segment ids from a list that may hold ranges such as ``C5-C7``."""
        if not isinstance(items, list):
            self.problems.append(f"{where}: expected a list of segments, got {items!r}")
            return ()
        out: list[str] = []
        for item in items:
            item = str(item)
            if item in self.ids["segments"]:
                out.append(item)
                continue
            first, sep, last = item.partition("-")
            if sep and first in self.segment_order and last in self.segment_order:
                lo, hi = self.segment_order.index(first), self.segment_order.index(last)
                if lo <= hi:
                    out.extend(self.segment_order[lo : hi + 1])
                    continue
            self.problems.append(
                f"{where}: unknown segment or range '{item}'; write a segment such as C6 or CN XI, or a range such as C5-C7"
            )
        return tuple(out)

    def expand_muscles(self, ids: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The muscle ids behind muscle and group ids (in order, without repeats), and the ids that are neither."""
        out: dict[str, None] = {}
        unknown: list[str] = []
        for ref in ids:
            if ref in self.ids["muscles"]:
                out[ref] = None
            elif ref in self.ids["groups"]:
                out.update(dict.fromkeys(self.ids["groups"][ref].members))
            else:
                unknown.append(str(ref))
        return tuple(out), tuple(unknown)

    def sort_segments(self, segments: tuple[str, ...]) -> tuple[str, ...]:
        order = {s: i for i, s in enumerate(self.ids["segments"])}
        return tuple(sorted(dict.fromkeys(segments), key=lambda s: order.get(s, 0)))


class _Record:
    """One raw record, read field by field; every problem names file, record and field."""

    def __init__(self, ctx: _Context, file: str, index: int, raw: Any, allowed: set[str]):
        self.ctx = ctx
        self.file = file
        self.raw: dict[str, Any] = raw if isinstance(raw, dict) else {}
        self.id = str(self.raw.get("id", f"#{index + 1}"))
        self.label = f"{file}.yaml: record '{self.id}'"
        if not isinstance(raw, dict):
            self.problem(None, f"expected a mapping, got {raw!r}")
        for key in sorted(set(self.raw) - allowed - {"id"}):
            self.problem(key, f"unknown field; allowed fields are {', '.join(sorted(allowed))}")

    def problem(self, field: str | None, text: str) -> None:
        where = self.label if field is None else f"{self.label}, field '{field}'"
        self.ctx.problems.append(f"{where}: {text}")

    def where(self, field: str) -> str:
        return f"{self.label}, field '{field}'"

    def text(self, field: str, required: bool = True) -> str | None:
        value = self.raw.get(field)
        if value is None:
            if required:
                self.problem(field, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(field, f"expected non-empty text, got {value!r}")
            return None
        return value.strip()

    def required_text(self, field: str) -> str:
        return self.text(field) or ""

    def texts(self, field: str, required: bool = False) -> tuple[str, ...]:
        value = self.raw.get(field)
        if value is None:
            if required:
                self.problem(field, "missing")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            self.problem(field, f"expected a list of text, got {value!r}")
            return ()
        return tuple(str(v).strip() for v in value)

    def choice(self, field: str, choices: Iterator[str] | tuple[str, ...] | Mapping[str, Any]) -> str:
        allowed = tuple(choices)
        value = self.raw.get(field)
        if value not in allowed:
            self.problem(field, f"got {value!r}; expected one of {', '.join(allowed)}")
            return allowed[0]
        return str(value)

    def flag(self, field: str) -> bool:
        value = self.raw.get(field, False)
        if not isinstance(value, bool):
            self.problem(field, f"expected true or false, got {value!r}")
            return False
        return value

    def number(self, field: str, low: float, high: float, default: float) -> float:
        value = self.raw.get(field, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            self.problem(field, f"expected a number from {low} to {high}, got {value!r}")
            return default
        return float(value)

    def refs(self, field: str, kinds: tuple[str, ...], required: bool = False) -> tuple[str, ...]:
        """Ids that must exist among the records of ``kinds`` already read."""
        ids = self.texts(field, required)
        for ref in ids:
            if not any(ref in self.ctx.ids[kind] for kind in kinds):
                self.problem(field, f"unknown {' or '.join(k.rstrip('s') for k in kinds)} id '{ref}'{_did_you_mean(ref, self.ctx, kinds)}")
        return ids

    def ref(self, field: str, kind: str, required: bool = True) -> str | None:
        value = self.text(field, required)
        if value is not None and value not in self.ctx.ids[kind]:
            self.problem(field, f"unknown {kind.rstrip('s')} id '{value}'{_did_you_mean(value, self.ctx, (kind,))}")
        return value

    def sources(self) -> tuple[str, ...]:
        return self.refs("sources", ("references",), required=True) or self._no_sources()

    def _no_sources(self) -> tuple[str, ...]:
        if "sources" in self.raw:
            self.problem("sources", "must name at least one reference")
        return ()

    def segments(self, field: str, required: bool = True) -> tuple[str, ...]:
        value = self.raw.get(field)
        if value is None:
            if required:
                self.problem(field, "missing")
            return ()
        return self.ctx.sort_segments(self.ctx.expand_segments(value, self.where(field)))

    def ordered_segments(self, field: str) -> tuple[str, ...]:
        """Segments in the order written (primary first), ranges expanded."""
        segs = self.ctx.expand_segments(self.raw.get(field), self.where(field))
        if not segs:
            self.problem(field, "must name at least one segment")
        return tuple(dict.fromkeys(segs))

    def roots(self, field: str) -> m.Roots:
        value = self.raw.get(field)
        if not isinstance(value, dict) or set(value) - {"main", "minor"}:
            self.problem(field, f"expected a mapping with 'main' and optional 'minor' lists, got {value!r}")
            return m.Roots(())
        where = self.where(field)
        main = self.ctx.sort_segments(self.ctx.expand_segments(value.get("main"), f"{where}.main"))
        minor = self.ctx.sort_segments(self.ctx.expand_segments(value.get("minor", []), f"{where}.minor"))
        if not main:
            self.problem(field, "'main' must name at least one segment")
        both = set(main) & set(minor)
        if both:
            self.problem(field, f"{', '.join(sorted(both))} listed as both main and minor")
        return m.Roots(main, tuple(s for s in minor if s not in both))

    def mapping_list(self, field: str) -> list[dict[str, Any]]:
        value = self.raw.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(field, f"expected a list of mappings, got {value!r}")
            return []
        return value


def _did_you_mean(value: str, ctx: _Context, kinds: tuple[str, ...]) -> str:
    index: NameIndex[str] = NameIndex("id", ((i, i, (), i) for k in kinds for i in ctx.ids[k]))
    suggestions = index.suggest(value, limit=3)
    return f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""


# ---------------------------------------------------------------------------
# One parser per file


def _parse_file(ctx: _Context, name: str, data: dict[str, Any]) -> tuple[m.Meta, list[Any]]:
    meta_raw = data.get("meta")
    meta = m.Meta(entity=name, version="0")
    if not isinstance(meta_raw, dict) or meta_raw.get("entity") != name or not meta_raw.get("version"):
        ctx.problems.append(f"{name}.yaml: 'meta' must give entity: {name} and a version")
    else:
        meta = m.Meta(entity=name, version=str(meta_raw["version"]), references=tuple(meta_raw.get("references", ())))
    parse = _PARSERS[name]
    records = []
    for index, raw in enumerate(data[name]):
        record = parse(ctx, index, raw)
        if record.id in ctx.ids[name] or (name in ("muscles", "groups") and record.id in ctx.ids["muscles"]):
            ctx.problems.append(f"{name}.yaml: duplicate id '{record.id}'")
        ctx.ids[name][record.id] = record
        records.append(record)
    if name == "segments":
        ctx.segment_order = sorted((s.id for s in records if s.order is not None), key=lambda i: ctx.ids["segments"][i].order)
    check = _CHECKS.get(name)
    if check is not None:
        check(ctx, records)
    return meta, records


_COMMON = {"name", "aliases", "sources", "note"}


def _reference(ctx: _Context, i: int, raw: Any) -> m.Reference:
    r = _Record(ctx, "references", i, raw, {"name", "url", "confidence"})
    return m.Reference(
        id=r.id,
        name=r.required_text("name"),
        confidence=r.choice("confidence", ("checked", "textbook", "secondary")),
        url=r.text("url", required=False),
    )


def _segment(ctx: _Context, i: int, raw: Any) -> m.Segment:
    r = _Record(ctx, "segments", i, raw, _COMMON | {"kind", "order", "full_name"})
    kind = r.choice("kind", m.SEGMENT_KINDS)
    order = r.raw.get("order")
    if (kind == "cranial") != (order is None) or (order is not None and not isinstance(order, int)):
        r.problem("order", "spinal segments need a whole-number order; cranial nerves have none")
    return m.Segment(
        id=r.id,
        name=r.required_text("name"),
        kind=kind,
        aliases=r.texts("aliases"),
        sources=r.sources(),
        order=order if isinstance(order, int) else None,
        full_name=r.text("full_name", required=False),
    )


def _nerve(ctx: _Context, i: int, raw: Any) -> m.Nerve:
    r = _Record(ctx, "nerves", i, raw, _COMMON | {"roots", "branch_of"})
    return m.Nerve(
        id=r.id,
        name=r.required_text("name"),
        aliases=r.texts("aliases"),
        roots=r.segments("roots"),
        sources=r.sources(),
        branch_of=r.text("branch_of", required=False),
        note=r.text("note", required=False),
    )


def _muscle(ctx: _Context, i: int, raw: Any) -> m.Muscle:
    r = _Record(
        ctx,
        "muscles",
        i,
        raw,
        _COMMON
        | {
            "nerve",
            "roots",
            "variants",
            "body_part",
            "limb",
            "rank",
            "depth",
            "needle_depth",
            "position",
            "segmental",
            "cautions",
            "needling",
        },
    )
    cautions = []
    for n, c in enumerate(r.mapping_list("cautions")):
        if set(c) - {"kind", "structure", "text"} or c.get("kind") not in m.CAUTION_KINDS or not c.get("text"):
            r.problem("cautions", f"caution {n + 1} needs kind ({', '.join(m.CAUTION_KINDS)}), text and optional structure; got {c!r}")
            continue
        cautions.append(m.Caution(kind=c["kind"], text=str(c["text"]).strip(), structure=c.get("structure")))
    variants = []
    for n, v in enumerate(r.mapping_list("variants")):
        where = f"{r.where('variants')}[{n + 1}]"
        sources = tuple(str(s) for s in v.get("sources", ()))
        for s in sources:
            if s not in ctx.ids["references"]:
                ctx.problems.append(f"{where}: unknown reference id '{s}'")
        if not sources or set(v) - {"roots", "sources"}:
            ctx.problems.append(f"{where}: a variant needs 'roots' and 'sources' only")
        variants.append(m.Variant(roots=ctx.sort_segments(ctx.expand_segments(v.get("roots"), where)), sources=sources))
    return m.Muscle(
        id=r.id,
        name=r.required_text("name"),
        aliases=r.texts("aliases"),
        nerve=r.ref("nerve", "nerves") or "",
        roots=r.roots("roots"),
        body_part=r.choice("body_part", m.BODY_PARTS),
        limb=r.choice("limb", m.LIMBS),
        rank=r.choice("rank", m.RANKS),
        depth=r.choice("depth", m.DEPTHS),
        segmental=r.flag("segmental"),
        cautions=tuple(cautions),
        variants=tuple(variants),
        sources=r.sources(),
        note=r.text("note", required=False),
        needling=_needling(r),
        needle_depth=_needle_depth(r),
        position=_position(r),
    )


def _position(r: _Record) -> int | None:
    """Where the muscle lies from the spine along the body, 0-100; required but for paraspinal muscles."""
    value = r.raw.get("position")
    if value is None:
        if r.raw.get("rank") != "paraspinal":
            r.problem("position", "missing; every muscle but the paraspinal ones needs its place from the spine along the limb (0-100)")
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        r.problem("position", f"expected a whole number from 0 (the spine) to 100 (fingertips, toes), got {value!r}")
        return None
    return value


def _needle_depth(r: _Record) -> m.NeedleDepth | None:
    raw = r.raw.get("needle_depth")
    if raw is None:
        r.problem("needle_depth", "missing; give mm: [from, to] in an average build, approach, basis and sources")
        return None
    if not isinstance(raw, dict) or set(raw) - {"mm", "approach", "basis", "sources", "note"}:
        r.problem("needle_depth", f"expected mm, approach, basis, sources and an optional note, got {raw!r}")
        return None
    mm, approach, basis, sources = raw.get("mm"), raw.get("approach"), raw.get("basis"), raw.get("sources") or []
    if not (
        isinstance(mm, list)
        and len(mm) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 150 for v in mm)
        and mm[0] <= mm[1]
    ):
        r.problem("needle_depth", f"mm must be [from, to] in whole millimetres (1-150), from not above to; got {mm!r}")
        return None
    if approach not in m.APPROACHES:
        r.problem("needle_depth", f"approach {approach!r}; expected one of {', '.join(m.APPROACHES)}")
    if basis not in m.DEPTH_BASES:
        r.problem("needle_depth", f"basis {basis!r}; expected one of {', '.join(m.DEPTH_BASES)}")
    if not isinstance(sources, list) or not sources:
        r.problem("needle_depth", "cite the references behind the depth in 'sources'")
        sources = []
    for source in sources:
        if source not in r.ctx.ids["references"]:
            r.problem("needle_depth", f"unknown reference id '{source}'")
    depth = m.NeedleDepth(
        (mm[0], mm[1]), str(approach), str(basis), tuple(sources), " ".join(str(raw["note"]).split()) if raw.get("note") else None
    )
    band = m.DEPTH_BANDS_MM.get(str(r.raw.get("depth")))
    if band is not None and not band[0] <= depth.typical_mm <= band[1]:
        r.problem(
            "needle_depth",
            f"a typical depth of {depth.typical_mm:g} mm does not fit depth class '{r.raw.get('depth')}' "
            f"({band[0]:g}-{band[1]:g} mm); correct the class or the depth",
        )
    return depth


def _needling(r: _Record) -> m.Needling:
    """The muscle's ``needling`` field; without one it may be needled (m.NEEDLING_DEFAULT)."""
    raw = r.raw.get("needling")
    if raw is None:
        return m.NEEDLING_DEFAULT
    if not isinstance(raw, dict) or set(raw) - {"allowed", "reason", "sources"} or raw.get("allowed") not in m.NEEDLING:
        r.problem("needling", f"expected {{allowed: {' | '.join(m.NEEDLING)}, reason, sources}}, got {raw!r}")
        return m.NEEDLING_DEFAULT
    allowed, reason, sources = raw["allowed"], raw.get("reason"), raw.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        r.problem("needling", f"sources must be a list of reference ids, got {sources!r}")
        sources = []
    for source in sources:
        if source not in r.ctx.ids["references"]:
            r.problem("needling", f"unknown reference id '{source}'{_did_you_mean(source, r.ctx, ('references',))}")
    if allowed != "yes" and not (isinstance(reason, str) and reason.strip()):
        r.problem("needling", f"'{allowed}' needs a reason the clinician can read")
    if allowed != "yes" and not sources:
        r.problem("needling", f"'{allowed}' needs the references that say so in 'sources'")
    return m.Needling(allowed=allowed, reason=" ".join(reason.split()) if isinstance(reason, str) else None, sources=tuple(sources))


def _group(ctx: _Context, i: int, raw: Any) -> m.Group:
    r = _Record(ctx, "groups", i, raw, _COMMON | {"members", "not_needled"})
    members = r.texts("members", required=True)
    if not members:
        r.problem("members", "a group needs at least one member")
    return m.Group(
        id=r.id,
        name=r.required_text("name"),
        aliases=r.texts("aliases"),
        members=members,
        sources=r.sources(),
        note=r.text("note", required=False),
        not_needled=r.refs("not_needled", ("muscles",)),
    )


def _region(ctx: _Context, i: int, raw: Any) -> m.Region:
    r = _Record(ctx, "regions", i, raw, _COMMON | {"dermatomes", "limb", "view", "muscles"})
    view = r.raw.get("view")
    if view not in (None, "front", "back", "both"):
        r.problem("view", f"got {view!r}; expected front, back or both")
    return m.Region(
        id=r.id,
        name=r.required_text("name"),
        aliases=r.texts("aliases"),
        dermatomes=r.ordered_segments("dermatomes"),
        limb=r.choice("limb", m.LIMBS),
        view=view,
        muscles=r.refs("muscles", ("muscles",)),
        sources=r.sources(),
        note=r.text("note", required=False),
    )


def _normal(r: _Record, field: str, value: Any) -> m.Normal | None:
    if not isinstance(value, dict) or set(value) - {"value", "unit", "source", "note"}:
        r.problem(field, f"expected {{value, unit, source, note}}, got {value!r}")
        return None
    number, unit, source = value.get("value"), value.get("unit"), value.get("source")
    if isinstance(number, bool) or not isinstance(number, (int, float)) or number < 0 or unit not in ("deg", "mm"):
        r.problem(field, f"needs a value of 0 or more and unit deg or mm, got {value!r}")
        return None
    if source not in r.ctx.ids["references"]:
        r.problem(field, f"unknown reference id '{source}'")
    return m.Normal(value=float(number), unit=unit, source=str(source), note=value.get("note"))


def _movement(ctx: _Context, i: int, raw: Any) -> m.Movement:
    r = _Record(
        ctx, "movements", i, raw, _COMMON | {"joint", "kind", "normal", "other_normals", "opposite", "roots", "prime_movers", "assistants"}
    )
    kind = r.choice("kind", ("joint", "functional"))
    normal = _normal(r, "normal", r.raw["normal"]) if r.raw.get("normal") is not None else None
    if kind == "joint" and normal is None and "normal" in r.raw:
        pass  # already reported
    others = tuple(n for n in (_normal(r, "other_normals", v) for v in r.raw.get("other_normals", []) or []) if n)
    movers = r.refs("prime_movers", ("muscles",), required=True)
    if not movers:
        r.problem("prime_movers", "a movement needs at least one prime mover")
    return m.Movement(
        id=r.id,
        name=r.required_text("name"),
        aliases=r.texts("aliases"),
        joint=r.required_text("joint"),
        kind=kind,
        roots=r.roots("roots"),
        prime_movers=movers,
        assistants=r.refs("assistants", ("muscles",)),
        normal=normal,
        other_normals=others,
        opposite=r.text("opposite", required=False),
        sources=r.sources(),
        note=r.text("note", required=False),
    )


def _reflex(ctx: _Context, i: int, raw: Any) -> m.Reflex:
    r = _Record(ctx, "reflexes", i, raw, _COMMON | {"kind", "roots", "nerve", "muscles"})
    return m.Reflex(
        id=r.id,
        name=r.required_text("name"),
        aliases=r.texts("aliases"),
        kind=r.choice("kind", ("deep_tendon", "superficial", "pathological")),
        roots=r.roots("roots"),
        nerve=r.ref("nerve", "nerves", required=False),
        muscles=r.refs("muscles", ("muscles",)),
        sources=r.sources(),
        note=r.text("note", required=False),
    )


def _condition(ctx: _Context, i: int, raw: Any) -> m.Condition:
    r = _Record(ctx, "conditions", i, raw, _COMMON | {"segments", "muscles", "regions", "confidence"})
    return m.Condition(
        id=r.id,
        name=r.required_text("name"),
        aliases=r.texts("aliases"),
        segments=r.roots("segments"),
        muscles=_usual_muscles(ctx, r),
        regions=r.refs("regions", ("regions",)),
        confidence=r.choice("confidence", ("gunn", "published", "inferred")),
        sources=r.sources(),
        note=r.text("note", required=False),
    )


def _precaution(ctx: _Context, i: int, raw: Any) -> m.Precaution:
    r = _Record(
        ctx,
        "precautions",
        i,
        raw,
        _COMMON | {"severity", "warning", "excludes", "avoid_regions", "avoid_zones", "avoid_local", "dose_factor"},
    )
    zones = r.texts("avoid_zones")
    for zone in zones:
        if zone not in m.CAUTION_KINDS:
            r.problem("avoid_zones", f"unknown caution kind '{zone}'; expected one of {', '.join(m.CAUTION_KINDS)}")
    factor = r.number("dose_factor", 0.05, 1.0, 1.0)
    return m.Precaution(
        id=r.id,
        name=r.required_text("name"),
        aliases=r.texts("aliases"),
        severity=r.choice("severity", ("precaution", "contraindication")),
        warning=r.required_text("warning"),
        excludes=parse_exclusions(ctx, r),
        avoid_regions=r.refs("avoid_regions", ("regions",)),
        avoid_zones=zones,
        avoid_local=r.text("avoid_local", required=False),
        dose_factor=factor,
        sources=r.sources(),
        note=r.text("note", required=False),
    )


def _usual_muscles(ctx: _Context, r: _Record) -> tuple[str, ...]:
    """A condition's usual muscles: the needled members of its groups; a never-needled muscle is an error."""
    ids = r.refs("muscles", ("muscles", "groups"), required=True)
    for ref in ids:
        if ref in ctx.ids["muscles"] and ctx.ids["muscles"][ref].needling.never:
            r.problem("muscles", f"'{ref}' is never needled (muscles.yaml, field 'needling'); a condition lists muscles to treat")
    skipped = {mid for ref in ids if ref in ctx.ids["groups"] for mid in ctx.ids["groups"][ref].not_needled}
    return tuple(mid for mid in ctx.expand_muscles(ids)[0] if mid not in skipped)  # unknown ids: reported by refs()


_PARSERS: dict[str, Callable[[_Context, int, Any], Any]] = {
    "references": _reference,
    "segments": _segment,
    "nerves": _nerve,
    "muscles": _muscle,
    "groups": _group,
    "levels": levels.parse_level,
    "regions": _region,
    "movements": _movement,
    "reflexes": _reflex,
    "conditions": _condition,
    "precautions": _precaution,
}

_CHECKS: dict[str, Callable[[_Context, list[Any]], None]] = {
    "nerves": integrity.check_nerves,
    "muscles": integrity.check_muscles,
    "groups": integrity.check_groups,
    "levels": levels.check_levels,
    "movements": integrity.check_movements,
    "reflexes": integrity.check_reflexes,
}

__all__ = ["DATA_DIR", "FILES", "KBError", "LookupFailed", "load_kb"]
