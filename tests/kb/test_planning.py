"""planning.yaml: the planner's numbers as cited data, checked by the loader and read by the planner.

The golden table below is the packaged data a physiotherapist reviews; the error table
breaks one entry at a time in a copy of the tiny KB (tests/kb/tiny) and checks that the
message names the file, the entry and the field.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from myotome.exam import parse_assessment
from myotome.kb import DATA_DIR, KBError, KnowledgeBase, load_kb
from myotome.localize import rank
from myotome.plan import build, needle_length

TINY = Path(__file__).parent / "tiny"

PACKAGED = [
    # (entry, value): myotome kb planning --json, or src/myotome/kb/data/planning.yaml
    ("base_insertions", 16),
    ("min_insertions", 4),
    ("involved_share", 0.5),
    ("max_involved", 3),
    ("default_share", 0.25),  # unexamined condition defaults: a quarter of the session (issue 8)
    ("needle_lengths_mm", (15, 25, 30, 40, 50, 60, 75)),
    ("depth_class_mm", {"superficial": 15, "medium": 30, "deep": 40, "very_deep": 60}),
    ("build_factors", {"slender": 0.8, "average": 1.0, "muscular": 1.25}),
    ("lung_zone_max_mm", {"slender": 15, "average": 25, "muscular": 30}),
]


@pytest.mark.parametrize(("name", "value"), PACKAGED)
def test_the_packaged_planning_numbers(kb: KnowledgeBase, name: str, value: Any) -> None:
    assert getattr(kb.planning, name) == value


DOSE_FACTORS = [
    # (patient attribute, factor)
    ("anxious", 0.75),
    ("type_a", 0.75),
    ("needle_fear", 0.5),
    ("muscular", 0.8),
    ("first_session", 0.7),
]


@pytest.mark.parametrize(("key", "factor"), DOSE_FACTORS)
def test_the_packaged_dose_factors(kb: KnowledgeBase, key: str, factor: float) -> None:
    dose = kb.planning.dose_factor(key)
    assert dose is not None and dose.factor == factor and dose.label


def test_every_planning_number_is_cited_or_says_it_is_a_convention(kb: KnowledgeBase) -> None:
    entries = kb.planning.entries.values()
    assert {e.name for e in entries} == {name for name, _ in PACKAGED} | {"dose_factors"}
    assert [e.name for e in entries if e.basis == "published" and not e.sources] == []
    # Where no source gives the number the data says so, in those words.
    assert [e.name for e in entries if e.basis == "convention" and "convention" not in e.reason.lower()] == []
    assert all(s in kb.references for e in entries for s in e.sources)


# ---------------------------------------------------------------------------
# The loader's checks


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(TINY, target)
    return target


def edit_planning(directory: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = directory / "planning.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _set(entry: str, field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data[entry][field] = value

    return change


def _drop(entry: str, field: str | None = None) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        if field is None:
            del data[entry]
        else:
            del data[entry][field]

    return change


def _add_entry(data: dict[str, Any]) -> None:
    data["maximum_fun"] = {"value": 1, "basis": "convention", "reason": "none"}


ERRORS = [
    # (change to planning.yaml, message expected)
    (_drop("base_insertions"), r"planning.yaml: entry 'base_insertions': missing"),
    (_add_entry, r"planning.yaml: unknown entry 'maximum_fun'"),
    (_set("base_insertions", "value", 0), r"entry 'base_insertions', field 'value': expected a whole number from 1 to 60, got 0"),
    (_set("involved_share", "value", 1.5), r"entry 'involved_share', field 'value': expected a share above 0 and at most 1"),
    (_set("needle_lengths_mm", "value", [30, 15]), r"entry 'needle_lengths_mm', field 'value': .*shortest first"),
    (_set("build_factors", "value", {"slender": 0.8, "average": 1.0}), r"entry 'build_factors', field 'value': expected exactly the keys"),
    (_set("depth_class_mm", "value", {"superficial": 15, "medium": 30, "deep": 40, "very_deep": "long"}), r"very_deep: expected a whole"),
    (
        _set("dose_factors", "value", {"anxious": {"factor": 2, "label": "x"}}),
        r"entry 'dose_factors', field 'value': anxious: factor must be above 0 and at most 1",
    ),
    (
        _set("base_insertions", "basis", "guess"),
        r"entry 'base_insertions', field 'basis': got 'guess'; expected one of published, convention",
    ),
    (_drop("base_insertions", "reason"), r"entry 'base_insertions', field 'reason': say where the number comes from"),
    (
        _drop("lung_zone_max_mm", "sources"),
        r"entry 'lung_zone_max_mm', field 'sources': a published value must cite at least one reference",
    ),
    (_set("lung_zone_max_mm", "sources", ["nowhere"]), r"entry 'lung_zone_max_mm', field 'sources': unknown reference id 'nowhere'"),
    (_set("min_insertions", "value", 12), r"entry 'min_insertions' \(12\) exceeds base_insertions \(10\)"),
]


@pytest.mark.parametrize(("change", "message"), ERRORS)
def test_the_loader_names_the_planning_entry_and_field(tiny: Path, change: Callable[[dict[str, Any]], None], message: str) -> None:
    edit_planning(tiny, change)
    with pytest.raises(KBError, match=message):
        load_kb(tiny)


def test_a_missing_planning_file_is_reported(tiny: Path) -> None:
    (tiny / "planning.yaml").unlink()
    with pytest.raises(KBError, match=r"planning.yaml: cannot read"):
        load_kb(tiny)


# ---------------------------------------------------------------------------
# The planner reads them from the knowledge base it is given


@pytest.fixture
def edited_kb(tmp_path: Path) -> Callable[[Callable[[dict[str, Any]], None]], KnowledgeBase]:
    def make(change: Callable[[dict[str, Any]], None]) -> KnowledgeBase:
        target = tmp_path / "data"
        shutil.copytree(DATA_DIR, target)
        edit_planning(target, change)
        return load_kb(target)

    return make


C6_DOCUMENT = {
    "patient": {"temperament": "anxious"},
    "complaint": {"regions": ["lateral elbow"], "side": "right"},
    "findings": [
        {"type": "reflex", "side": "right", "reflex": "brachioradialis", "grade": "reduced"},
        {"type": "sensory", "side": "right", "region": "thumb", "change": "reduced"},
        {"type": "paraspinal", "side": "right", "level": "C6"},
    ],
}


def test_the_plan_dose_comes_from_the_planning_data(edited_kb: Callable[..., KnowledgeBase]) -> None:
    def change(data: dict[str, Any]) -> None:
        data["base_insertions"]["value"] = 20
        data["dose_factors"]["value"]["anxious"]["factor"] = 0.5

    kb = edited_kb(change)
    assessment = parse_assessment(C6_DOCUMENT)
    plan = build(assessment, rank(assessment, kb), kb)
    assert plan.max_insertions == 10  # 20 x 0.5, not the packaged 16 x 0.75
    assert "anxious temperament ×0.5" in plan.dose_reasons


def test_needle_lengths_come_from_the_planning_data(edited_kb: Callable[..., KnowledgeBase]) -> None:
    kb = edited_kb(_set("lung_zone_max_mm", "value", {"slender": 10, "average": 20, "muscular": 30}))
    # iliocostalis cervicis lies 30-50 mm deep, reached onto a rib over the lung: the cap decides
    assert needle_length(kb.muscles["iliocostalis_cervicis"], "average", kb) == 20
    assert needle_length(load_kb().muscles["iliocostalis_cervicis"], "average") == 25  # the packaged data
