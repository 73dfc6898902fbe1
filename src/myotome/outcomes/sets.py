"""The measures an episode collects by default, from its condition and regions (data/measure_sets.yaml).

default_measure_set("tennis_elbow", ["lateral_elbow"])  # ('prtee', 'nprs', 'psfs')
default_measure_set("", ["low_back"])[0]                 # 'odi', the primary measure
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from myotome.outcomes.definitions import load_measures

DATA_FILE = Path(__file__).parent / "data" / "measure_sets.yaml"


@dataclass(frozen=True)
class SetRules:
    everyone: tuple[str, ...]
    conditions: dict[str, tuple[str, ...]]
    regions: dict[str, tuple[str, ...]]  # region id -> measures


@functools.cache
def set_rules() -> SetRules:
    raw = yaml.load(DATA_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    regions = {rid: tuple(group["measures"]) for group in raw["regions"] for rid in group["ids"]}
    rules = SetRules(tuple(raw["everyone"]), {c: tuple(m) for c, m in raw["conditions"].items()}, regions)
    known = load_measures()
    named = {*rules.everyone, *(m for ms in rules.conditions.values() for m in ms), *(m for ms in rules.regions.values() for m in ms)}
    unknown = sorted(named - set(known))
    if unknown:
        raise ValueError(f"{DATA_FILE.name}: unknown measure ids {unknown}; known: {', '.join(known)}")
    return rules


def default_measure_set(condition: str, regions: Sequence[str]) -> tuple[str, ...]:
    """The default set, primary measure first; NPRS and PSFS always included, no measure twice."""
    rules = set_rules()
    own = rules.conditions.get(condition)
    if own is None:
        own = next((rules.regions[r] for r in regions if r in rules.regions), ())
    return tuple(dict.fromkeys([*own, *rules.everyone]))
