"""The clinical vignette data (bench/vignettes.json) is well formed.

These tests check the benchmark's data only: every document validates, names are
unique, expected levels are real segments and every name a document uses resolves in
the knowledge base (except in the vignettes marked ``"unresolved": true``, which must
then really contain an unresolvable name). They never assert on the engine's accuracy:
``python bench/vignettes.py`` prints those numbers.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from myotome.exam import parse_assessment
from myotome.kb import KnowledgeBase, LookupFailed

DATA = Path(__file__).resolve().parent.parent / "bench" / "vignettes.json"
SIDES = {"left", "right", "bilateral"}
PLAN_CHECKS = {"muscles", "absent", "warnings"}
EXPECT_KEYS = {"level", "acceptable", "side", "plan", "unresolved"}


def _load() -> list[dict[str, Any]]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("vignettes"), list), "bench/vignettes.json needs a 'vignettes' list"
    vignettes: list[dict[str, Any]] = data["vignettes"]
    return vignettes


VIGNETTES = _load()


def _names(document: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(where, kind, name) for every knowledge-base name in a document."""
    for i, name in enumerate(document.get("patient", {}).get("precautions", [])):
        yield f"patient.precautions[{i}]", "precaution", name
    complaint = document["complaint"]
    for i, name in enumerate(complaint["regions"]):
        yield f"complaint.regions[{i}]", "region", name
    if complaint.get("condition"):
        yield "complaint.condition", "condition", complaint["condition"]
    for i, finding in enumerate(document.get("findings", [])):
        for field, kind in (("muscle", "muscle"), ("region", "region"), ("movement", "movement"), ("reflex", "reflex")):
            if finding.get(field):
                yield f"findings[{i}].{field}", kind, finding[field]


def _unresolvable(document: dict[str, Any], kb: KnowledgeBase) -> list[str]:
    """Every name in the document the KB cannot resolve (or cannot score), as 'where: message'."""
    finders: dict[str, Callable[[str], Any]] = {
        "precaution": kb.find_precaution,
        "region": kb.find_region,
        "condition": kb.find_condition,
        "muscle": kb.find_muscle,
        "movement": kb.find_movement,
        "reflex": kb.find_reflex,
    }
    problems = []
    for where, kind, name in _names(document):
        try:
            record = finders[kind](name)
        except LookupFailed as exc:
            problems.append(f"{where}: {exc.message}")
            continue
        index = int(where.split("[")[1].split("]")[0]) if where.startswith("findings") else -1
        finding = document["findings"][index] if index >= 0 else {}
        if finding.get("type") == "rom":
            unit = finding.get("unit", "deg")
            if record.normal is None:
                problems.append(f"{where}: {record.name} has no normal range, so a range finding on it is not scored")
            elif record.normal.unit != unit:
                problems.append(f"{where}: {record.name} is measured in {record.normal.unit}, not {unit}")
    return problems


def test_at_least_48_vignettes() -> None:
    assert len(VIGNETTES) >= 48


def test_names_are_unique() -> None:
    counts = Counter(v.get("name") for v in VIGNETTES)
    assert not [name for name, n in counts.items() if n > 1], "duplicate vignette names"


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[str(v.get("name")) for v in VIGNETTES])
def test_vignette_is_well_formed(vignette: dict[str, Any], kb: KnowledgeBase) -> None:
    assert set(vignette) == {"name", "document", "expect", "note"}, "a vignette has exactly name, document, expect and note"
    assert isinstance(vignette["name"], str) and vignette["name"]
    assert isinstance(vignette["note"], str) and vignette["note"].strip()
    document = vignette["document"]
    assert document.get("id"), "every document carries an id"
    parse_assessment(document)  # raises InvalidAssessment with every problem listed

    expect = vignette["expect"]
    assert set(expect) <= EXPECT_KEYS, f"unknown expect keys: {set(expect) - EXPECT_KEYS}"
    assert expect["level"] in kb.segments, f"{expect['level']} is not a segment"
    for level in expect.get("acceptable", []):
        assert level in kb.segments and level != expect["level"], f"acceptable level {level}"
    assert expect["side"] in SIDES
    plan = expect.get("plan", {})
    assert set(plan) <= PLAN_CHECKS, f"unknown plan checks: {set(plan) - PLAN_CHECKS}"
    for key in ("muscles", "absent"):
        for muscle_id in plan.get(key, []):
            assert muscle_id in kb.muscles, f"plan.{key}: '{muscle_id}' is not a muscle id"
    assert all(isinstance(w, str) and w for w in plan.get("warnings", []))


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[str(v.get("name")) for v in VIGNETTES])
def test_every_name_resolves(vignette: dict[str, Any], kb: KnowledgeBase) -> None:
    problems = _unresolvable(vignette["document"], kb)
    if vignette["expect"].get("unresolved"):
        assert problems, "marked 'unresolved' but every name resolves"
    else:
        assert not problems, "\n".join(problems)
