"""Reading and checking planning.yaml: the numbers that size and shape an IMS session.

Every entry carries its value, a basis (``published`` or ``convention``), a reason and the
references behind it; problems are reported with the file, entry and field::

    planning = parse_planning(raw, known_references, problems)
    planning.base_insertions  # 16
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from myotome.kb import model as m

FILE = "planning.yaml"


def _whole(low: int, high: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        return None if ok else f"expected a whole number from {low} to {high}, got {value!r}"

    return check


def _share(value: Any) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 1
    return None if ok else f"expected a share above 0 and at most 1, got {value!r}"


def _lengths(value: Any) -> str | None:
    ok = (
        isinstance(value, list)
        and value
        and all(isinstance(v, int) and not isinstance(v, bool) and 5 <= v <= 150 for v in value)
        and value == sorted(set(value))
    )
    return None if ok else f"expected needle lengths in mm (5-150), shortest first without repeats, got {value!r}"


def _per(keys: tuple[str, ...], low: float, high: float, whole: bool) -> Callable[[Any], str | None]:
    kind = "whole number" if whole else "number"

    def check(value: Any) -> str | None:
        if not isinstance(value, dict) or set(value) != set(keys):
            return f"expected exactly the keys {', '.join(keys)}, got {value!r}"
        for key, v in value.items():
            if isinstance(v, bool) or not isinstance(v, int if whole else (int, float)) or not low <= v <= high:
                return f"{key}: expected a {kind} from {low:g} to {high:g}, got {v!r}"
        return None

    return check


def _factors(value: Any) -> str | None:
    if not isinstance(value, dict) or not value:
        return f"expected a mapping of patient attribute to {{factor, label}}, got {value!r}"
    for key, entry in value.items():
        if not isinstance(entry, dict) or set(entry) != {"factor", "label"}:
            return f"{key}: expected {{factor, label}}, got {entry!r}"
        factor, label = entry["factor"], entry["label"]
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 < factor <= 1:
            return f"{key}: factor must be above 0 and at most 1, got {factor!r}"
        if not isinstance(label, str) or not label.strip():
            return f"{key}: label must be non-empty text, got {label!r}"
    return None


# Entry name -> the check its value must pass. Every entry is required.
ENTRIES: dict[str, Callable[[Any], str | None]] = {
    "base_insertions": _whole(1, 60),
    "min_insertions": _whole(1, 20),
    "dose_factors": _factors,
    "involved_share": _share,
    "max_involved": _whole(1, 6),
    "default_share": _share,
    "needle_lengths_mm": _lengths,
    "depth_class_mm": _per(m.DEPTHS, 5, 150, whole=True),
    "build_factors": _per(m.BUILDS, 0.3, 2.0, whole=False),
    "lung_zone_max_mm": _per(m.BUILDS, 5, 50, whole=True),
}


def parse_planning(raw: Any, references: Collection[str], problems: list[str]) -> m.Planning | None:
    """The planning numbers in ``raw`` (planning.yaml read as YAML), or None after adding problems."""
    if not isinstance(raw, dict) or not isinstance(raw.get("meta"), dict) or raw["meta"].get("entity") != "planning":
        problems.append(f"{FILE}: expected a 'meta' block with entity: planning, then one entry per planning number")
        return None
    before = len(problems)
    for name in sorted(set(raw) - set(ENTRIES) - {"meta"}):
        problems.append(f"{FILE}: unknown entry '{name}'; the entries are {', '.join(ENTRIES)}")
    entries: dict[str, m.PlanningEntry] = {}
    for name, check in ENTRIES.items():
        entry = _entry(raw.get(name), name, check, references, problems)
        if entry is not None:
            entries[name] = entry
    if len(problems) > before:
        return None
    values = {name: raw[name]["value"] for name in ENTRIES}
    if values["min_insertions"] > values["base_insertions"]:
        problems.append(
            f"{FILE}: entry 'min_insertions' ({values['min_insertions']}) exceeds base_insertions ({values['base_insertions']})"
        )
        return None
    return m.Planning(
        base_insertions=values["base_insertions"],
        min_insertions=values["min_insertions"],
        dose_factors=tuple(m.DoseFactor(key, float(f["factor"]), f["label"].strip()) for key, f in values["dose_factors"].items()),
        involved_share=float(values["involved_share"]),
        max_involved=values["max_involved"],
        default_share=float(values["default_share"]),
        needle_lengths_mm=tuple(values["needle_lengths_mm"]),
        depth_class_mm=dict(values["depth_class_mm"]),
        build_factors={k: float(v) for k, v in values["build_factors"].items()},
        lung_zone_max_mm=dict(values["lung_zone_max_mm"]),
        entries=entries,
    )


def _entry(
    raw: Any, name: str, check: Callable[[Any], str | None], references: Collection[str], problems: list[str]
) -> m.PlanningEntry | None:
    where = f"{FILE}: entry '{name}'"
    if raw is None:
        problems.append(f"{where}: missing")
        return None
    if not isinstance(raw, dict) or set(raw) - {"value", "basis", "reason", "sources"} or "value" not in raw:
        problems.append(f"{where}: expected value, basis, reason and sources, got {raw!r}")
        return None
    ok = True
    wrong = check(raw["value"])
    if wrong:
        problems.append(f"{where}, field 'value': {wrong}")
        ok = False
    basis, reason, sources = raw.get("basis"), raw.get("reason"), raw.get("sources", [])
    if basis not in m.PLANNING_BASES:
        problems.append(f"{where}, field 'basis': got {basis!r}; expected one of {', '.join(m.PLANNING_BASES)}")
        ok = False
    if not isinstance(reason, str) or not reason.strip():
        problems.append(f"{where}, field 'reason': say where the number comes from (a convention needs its reasoning)")
        ok = False
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        problems.append(f"{where}, field 'sources': expected a list of reference ids, got {sources!r}")
        return None
    for source in sources:
        if source not in references:
            problems.append(f"{where}, field 'sources': unknown reference id '{source}'")
            ok = False
    if basis == "published" and not sources:
        problems.append(f"{where}, field 'sources': a published value must cite at least one reference")
        ok = False
    if not ok:
        return None
    return m.PlanningEntry(name=name, basis=str(basis), reason=" ".join(str(reason).split()), sources=tuple(sources))
