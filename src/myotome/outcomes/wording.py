"""Item wording: shipped only where it is the project's own; otherwise loaded from a clinic's licensed file.

    wording = load_wording(Path("/srv/clinic/licensed/quickdash.yaml"))
    can_show_to_patient(load_measures()["quickdash"], wording)  # True once the file checks out

The file format is described in docs/outcome-measures.md ("Loading item wording").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from myotome.outcomes.definitions import Measure, load_measures


class WordingError(ValueError):
    """A wording file that does not match its measure: the message names the file, part and item."""


@dataclass(frozen=True)
class Item:
    text: str
    options: tuple[str, ...]  # one label per allowed value, in the order measures.yaml lists them


@dataclass(frozen=True)
class Wording:
    measure_id: str
    licence: str  # who holds the licence, as the clinic wrote it
    instructions: str
    parts: Mapping[str, tuple[Item, ...]]


def can_show_to_patient(measure: Measure, wording: Wording | None) -> bool:
    """A measure may be put in front of a patient only with wording the project may show."""
    if measure.licence.ships_wording:
        return True
    return wording is not None and wording.measure_id == measure.id


def load_wording(path: Path) -> Wording:
    """Read and check a clinic's wording file (YAML or JSON) against the measure it names."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise WordingError(f"{path}: cannot read the wording file ({error})") from None
    if not isinstance(raw, dict):
        raise WordingError(f"{path}: expected a mapping with measure, licence and parts")
    measures = load_measures()
    measure_id = raw.get("measure")
    if not isinstance(measure_id, str) or measure_id not in measures:
        raise WordingError(f"{path}: measure {measure_id!r} is not one of {', '.join(measures)}")
    licence = raw.get("licence")
    if not isinstance(licence, str) or not licence.strip():
        raise WordingError(f"{path}: 'licence' must say whose licence allows this wording")
    measure = measures[measure_id]
    parts_raw = raw.get("parts")
    if not isinstance(parts_raw, dict):
        raise WordingError(f"{path}: 'parts' must map each part ({', '.join(p.id for p in measure.parts)}) to its items")
    parts = {part.id: _items(path, measure, part.id, parts_raw.get(part.id)) for part in measure.parts if part.items}
    return Wording(measure.id, licence.strip(), str(raw.get("instructions") or ""), parts)


def _items(path: Path, measure: Measure, part_id: str, raw: Any) -> tuple[Item, ...]:
    part = measure.part(part_id)
    if not isinstance(raw, list) or len(raw) != part.items:
        got = len(raw) if isinstance(raw, list) else "none"
        raise WordingError(f"{path}: part {part_id!r} needs {part.items} items, found {got}")
    items = []
    for n, item in enumerate(raw, start=1):
        text = item.get("text") if isinstance(item, dict) else None
        options = item.get("options") if isinstance(item, dict) else None
        allowed = part.allowed(n - 1)
        if not isinstance(text, str) or not text.strip():
            raise WordingError(f"{path}: part {part_id!r} item {n} has no 'text'")
        if not isinstance(options, list) or len(options) != len(allowed) or not all(isinstance(o, str) for o in options):
            shown = ", ".join(str(a) for a in allowed)
            raise WordingError(f"{path}: part {part_id!r} item {n} needs {len(allowed)} option labels, one for each value {shown}")
        items.append(Item(text.strip(), tuple(options)))
    return tuple(items)
