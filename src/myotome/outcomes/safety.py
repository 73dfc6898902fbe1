"""Published adverse-event rates of dry needling (``data/adverse_rates.yaml``), to set beside a clinic's own.

studies = published_rates()
studies[0].citation, studies[0].mild  # ('Brady S et al. J Man Manip Ther 2014;22(3):134-140', 19.18)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).parent / "data" / "adverse_rates.yaml"
RATES = ("mild", "significant", "serious", "significant_or_serious")


@dataclass(frozen=True)
class PublishedRate:
    """One study's adverse events per 100 treatments, by grade (None: the study gives no figure)."""

    id: str
    citation: str
    population: str
    treatments: int
    grading: str
    mild: float | None
    significant: float | None
    serious: float | None
    significant_or_serious: float | None
    note: str


@functools.cache
def published_rates() -> tuple[PublishedRate, ...]:
    """The studies, in file order; a malformed record is named with the field that is wrong."""
    raw = yaml.load(DATA_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return tuple(_study(n, record) for n, record in enumerate(raw["studies"], start=1))


def _study(n: int, record: dict[str, Any]) -> PublishedRate:
    fields = PublishedRate.__dataclass_fields__
    absent = [name for name in fields if name not in record]
    if absent:
        raise ValueError(f"{DATA_FILE.name}: study {n} ({record.get('id', '?')}) has no field {', '.join(absent)}")
    for rate in RATES:
        value = record[rate]
        if value is not None and (not isinstance(value, int | float) or not 0 <= value <= 100):
            raise ValueError(f"{DATA_FILE.name}: study {record['id']}.{rate} is {value!r}; expected a rate per 100 from 0 to 100, or null")
    return PublishedRate(**{name: record[name] for name in fields})
