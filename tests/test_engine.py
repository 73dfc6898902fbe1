"""The engine's one entry point: the same answer for a document and its parsed form, typed and as JSON."""

from __future__ import annotations

import json

import pytest

from myotome import engine, exam
from myotome.kb import KnowledgeBase
from tests.paths import EXAMPLES


@pytest.mark.parametrize("name", ["exam.json", "c5-c6-shoulder.json", "lumbar-l4.json"])
def test_a_document_and_its_parsed_assessment_give_the_same_result(kb: KnowledgeBase, name: str) -> None:
    text = (EXAMPLES / name).read_text()
    from_text = engine.assess(text, kb)
    from_model = engine.assess(exam.parse_assessment(text), kb)
    assert from_text.to_json() == from_model.to_json()
    assert json.loads(json.dumps(from_text.to_json())) == from_text.to_json()  # JSON-ready


def test_the_typed_result_and_its_json_agree(kb: KnowledgeBase) -> None:
    result = engine.assess((EXAMPLES / "exam.json").read_text(), kb)
    out = result.to_json()
    assert out["kb_version"] == result.kb_version == kb.version
    assert [s["muscle"]["id"] for s in out["plan"]["steps"]] == [s.muscle.id for s in result.plan.steps]
    assert [(r["segment"], r["side"]) for r in out["segments"]] == [(r.segment, r.side) for r in result.localization.segments]


def test_an_invalid_document_raises_with_every_problem(kb: KnowledgeBase) -> None:
    with pytest.raises(exam.InvalidAssessment, match=r"complaint\.side"):
        engine.assess((EXAMPLES / "bad-input.json").read_text(), kb)


def test_the_red_flag_example_gives_an_urgent_referral_and_no_plan(kb: KnowledgeBase) -> None:
    out = engine.assess((EXAMPLES / "red-flag-cauda-equina.json").read_text(), kb).to_json()
    assert [(f["code"], f["action"]) for f in out["red_flags"]] == [("cauda_equina", "refer_urgently"), ("marked_motor_deficit", "refer")]
    assert out["plan"]["steps"] == [] and out["plan"]["blocked"]
