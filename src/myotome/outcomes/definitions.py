"""The outcome measures as data: ``data/measures.yaml`` read into frozen records.

measure = load_measures()["quickdash"]
measure.better, measure.mcid.value  # ('lower', 14.0)
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

DATA_FILE = Path(__file__).parent / "data" / "measures.yaml"

# A response value: an option's points, or "NA" (not applicable) where the instrument allows it.
Value = int | str
WordingStatus = Literal["project", "licensed", "unconfirmed"]
NOT_APPLICABLE = "NA"


@dataclass(frozen=True)
class Part:
    """A block of items scored together: a subscale, an optional module, or the whole form."""

    id: str
    items: int  # 0 for PSFS: the patient names 3-5 activities
    values: tuple[tuple[Value, ...], ...]  # allowed values per item (one shared tuple when items == 0)
    optional: bool
    max_missing: int | None  # this part's own limit, if the rule has one

    def allowed(self, index: int) -> tuple[Value, ...]:
        return self.values[index if len(self.values) > 1 else 0]


@dataclass(frozen=True)
class Mcid:
    value: float | None  # None: not established
    basis: str
    source: str | None
    subscales: Mapping[str, float]


@dataclass(frozen=True)
class MissingRule:
    by: Literal["published", "project"]
    rule: str
    max_missing: int  # across the required parts


@dataclass(frozen=True)
class Licence:
    wording: WordingStatus
    note: str

    @property
    def ships_wording(self) -> bool:
        return self.wording == "project"


@dataclass(frozen=True)
class Measure:
    id: str
    name: str
    instrument_version: str
    scoring_rule_version: str
    scoring: str
    range: tuple[float, float]
    better: Literal["higher", "lower"]
    parts: tuple[Part, ...]
    missing: MissingRule
    mcid: Mcid
    licence: Licence
    sources: tuple[str, ...]
    activities: tuple[int, int] | None  # PSFS: how many activities a form holds
    prompt: str | None  # the project's own wording, only where licence.wording is "project"

    def part(self, part_id: str) -> Part:
        return next(p for p in self.parts if p.id == part_id)


class MeasureDataError(ValueError):
    """measures.yaml is malformed; the message names the measure and field."""


def load_measures(path: Path | None = None) -> Mapping[str, Measure]:
    """Every measure, by id, in file order (default: the packaged data, read once).

    measures = load_measures()
    list(measures)[:3]  # ['nprs', 'psfs', 'psfs2']
    """
    return _load_packaged() if path is None else _load(path)


@functools.cache
def _load_packaged() -> Mapping[str, Measure]:
    return _load(DATA_FILE)


def _load(path: Path) -> Mapping[str, Measure]:
    # libyaml's loader when PyYAML was built with it: a tenth of the pure-Python one's time at start-up.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # a safe loader either way
    if not isinstance(raw, dict):
        raise MeasureDataError(f"{path.name}: expected a mapping of measure ids")
    return {mid: _measure(mid, rec, path.name) for mid, rec in raw.items()}


REQUIRED = (
    "name",
    "instrument_version",
    "scoring_rule_version",
    "scoring",
    "range",
    "better",
    "parts",
    "missing",
    "mcid",
    "licence",
    "sources",
)


def _measure(mid: str, rec: dict[str, Any], where: str) -> Measure:
    absent = [key for key in REQUIRED if key not in rec]
    if absent:
        raise MeasureDataError(f"{where}: measure {mid!r} has no field {', '.join(absent)}")
    try:
        lo, hi = rec["range"]
        if rec["better"] not in ("higher", "lower"):
            raise MeasureDataError(f"{where}: {mid}.better is {rec['better']!r}; expected 'higher' or 'lower'")
        mcid = rec["mcid"]
        missing = rec["missing"]
        if missing["by"] not in ("published", "project"):
            raise MeasureDataError(f"{where}: {mid}.missing.by is {missing['by']!r}; expected 'published' or 'project'")
        if rec["licence"]["wording"] not in ("project", "licensed", "unconfirmed"):
            raise MeasureDataError(f"{where}: {mid}.licence.wording is {rec['licence']['wording']!r}")
        activities = rec.get("activities")
        if rec.get("prompt") and rec["licence"]["wording"] != "project":
            raise MeasureDataError(
                f"{where}: {mid}.prompt is wording the project may not ship (licence.wording is {rec['licence']['wording']!r})"
            )
        return Measure(
            id=mid,
            name=rec["name"],
            instrument_version=rec["instrument_version"],
            scoring_rule_version=rec["scoring_rule_version"],
            scoring=rec["scoring"],
            range=(float(lo), float(hi)),
            better=rec["better"],
            parts=tuple(_part(mid, p, where) for p in rec["parts"]),
            missing=MissingRule(by=missing["by"], rule=missing["rule"], max_missing=int(missing["max_missing"])),
            mcid=Mcid(
                value=None if mcid["value"] is None else float(mcid["value"]),
                basis=mcid["basis"],
                source=mcid["source"],
                subscales={k: float(v) for k, v in (mcid.get("subscales") or {}).items()},
            ),
            licence=Licence(wording=rec["licence"]["wording"], note=rec["licence"]["note"]),
            sources=tuple(rec["sources"]),
            activities=None if activities is None else (int(activities[0]), int(activities[1])),
            prompt=rec.get("prompt"),
        )
    except KeyError as missing_key:
        raise MeasureDataError(f"{where}: measure {mid!r} has no field {missing_key}") from None


def _part(mid: str, rec: dict[str, Any], where: str) -> Part:
    if "values_by_item" in rec:
        values = tuple(tuple(v) for v in rec["values_by_item"])
        if len(values) != rec["items"]:
            raise MeasureDataError(f"{where}: {mid}.{rec['id']} lists values for {len(values)} items, not {rec['items']}")
    else:
        values = (tuple(rec["values"]),)
    return Part(
        id=rec["id"],
        items=int(rec["items"]),
        values=values,
        optional=bool(rec.get("optional", False)),
        max_missing=rec.get("max_missing"),
    )
