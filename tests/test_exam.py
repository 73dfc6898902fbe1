"""The assessment document: what validates, and how each problem is named by its JSON path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from myotome.exam import InvalidAssessment, json_schema, parse_assessment
from tests.paths import EXAMPLES


def doc(*findings: dict[str, Any], **complaint: Any) -> dict[str, Any]:
    return {"complaint": {"regions": ["lateral elbow"], "side": "right", **complaint}, "findings": list(findings)}


def problems(document: Any) -> list[str]:
    with pytest.raises(InvalidAssessment) as caught:
        parse_assessment(document)
    return caught.value.problems


def test_the_minimal_document_is_valid() -> None:
    assessment = parse_assessment(doc())
    assert assessment.patient.precautions == []
    assert assessment.findings == []


@pytest.mark.parametrize("name", ["exam.json", "c5-c6-shoulder.json", "lumbar-l4.json"])
def test_the_examples_are_valid(name: str) -> None:
    assessment = parse_assessment((EXAMPLES / name).read_text())
    assert assessment.id and assessment.findings


def test_the_bad_example_lists_every_problem_by_path() -> None:
    found = problems((EXAMPLES / "bad-input.json").read_text())
    assert found == [
        "complaint.side: Input should be 'left', 'right', 'bilateral' or 'midline' (got 'up')",
        "finding 2 (paraspinal), level: 'C9' is not a spinal level; write one such as C6 or two adjacent ones such as C5-C6 (C1-C8, T1-T12, L1-L5, S1-S5)",
        "finding 3 (rom), value: Input should be greater than or equal to 0 (got -20)",
    ]


def test_an_unknown_muscle_name_is_not_a_validation_error() -> None:
    # Names are resolved by the engine, which reports them as unresolved with suggestions.
    assert parse_assessment(doc({"type": "tender_band", "muscle": "extensor carpi radialis brevs", "side": "right"}))


INVALID = [
    # (document change, problem expected)
    (doc({"type": "paraspinal", "level": "C9", "side": "left"}), "finding 1 (paraspinal), level: 'C9' is not a spinal level"),
    (
        doc({"type": "paraspinal", "level": "L5-S2", "side": "left"}),
        "finding 1 (paraspinal), level: 'L5-S2' must name one level or two adjacent levels",
    ),
    (
        doc({"type": "paraspinal", "level": "C6-C5", "side": "left"}),
        "finding 1 (paraspinal), level: 'C6-C5' must name one level or two adjacent levels",
    ),
    (
        doc({"type": "rom", "movement": "elbow flexion", "value": -20, "side": "right"}),
        "finding 1 (rom), value: Input should be greater than or equal to 0 (got -20)",
    ),
    (
        doc({"type": "rom", "movement": "elbow flexion", "value": "lots", "side": "right"}),
        "finding 1 (rom), value: Input should be a valid number",
    ),
    (
        doc({"type": "rom", "movement": "tmj opening", "value": 30, "unit": "cm", "side": "left"}),
        "finding 1 (rom), unit: Input should be 'deg' or 'mm'",
    ),
    (
        doc({"type": "reflex", "reflex": "biceps", "grade": "weak", "side": "left"}),
        "finding 1 (reflex), grade: Input should be 'absent', 'reduced', 'normal' or 'brisk'",
    ),
    (
        doc({"type": "tender_band", "muscle": "ECRB", "side": "up"}),
        "finding 1 (tender_band), side: Input should be 'left', 'right' or 'bilateral' (got 'up')",
    ),
    (
        doc({"type": "tender_band", "muscle": "ECRB", "side": "right", "severity": 4}),
        "finding 1 (tender_band), severity: Input should be less than or equal to 3",
    ),
    (doc({"type": "tender_band", "muscle": "ECRB", "side": "right", "colour": "red"}), "finding 1 (tender_band), colour: unknown field"),
    (doc({"type": "tender_band", "side": "right"}), "finding 1 (tender_band), muscle: required"),
    (doc({"type": "skin", "sign": "trophedema", "side": "left"}), "finding 1 (skin): give either 'region' (a body area) or 'segment'"),
    (doc({"type": "skin", "sign": "sunburn", "region": "thumb", "side": "left"}), "finding 1 (skin), sign: Input should be 'trophedema'"),
    (doc({"type": "skin", "sign": "pilomotor", "segment": "C9", "side": "left"}), "finding 1 (skin), segment: String should match pattern"),
    (doc({"type": "weakness", "side": "left"}), "finding 1 (weakness): give either 'movement' or 'muscle'"),
    (
        doc({"type": "sensory", "region": "thumb", "change": "tingly", "side": "left"}),
        "finding 1 (sensory), change: Input should be 'reduced', 'increased', 'altered' or 'normal'",
    ),
    (doc({"type": "massage", "side": "left"}), "finding 1, type: 'massage' is not a finding type"),
    (doc({"side": "left"}), "finding 1, type: required"),
    (doc(pain=11), "complaint.pain: Input should be less than or equal to 10 (got 11)"),
    (doc(regions=[]), "complaint.regions: List should have at least 1 item"),
    ({**doc(), "patient": {"age": -1}}, "patient.age: Input should be greater than or equal to 0 (got -1)"),
    ({**doc(), "patient": {"temperament": "grumpy"}}, "patient.temperament: Input should be 'calm', 'anxious' or 'type_a'"),
    ({**doc(), "doctor": "x"}, "doctor: unknown field"),
    ({"findings": []}, "complaint: required"),
]


@pytest.mark.parametrize(("document", "expected"), INVALID, ids=[i[1][:50] for i in INVALID])
def test_it_rejects_bad_documents_naming_the_path(document: dict[str, Any], expected: str) -> None:
    found = problems(document)
    assert any(p.startswith(expected) for p in found), found


def test_it_rejects_text_that_is_not_json() -> None:
    assert problems("{not json")[0].startswith("not valid JSON: ")


def test_it_rejects_a_json_array() -> None:
    assert problems("[]") == ["(document): expected a JSON object, got list"]


def test_the_schema_describes_every_finding_type() -> None:
    schema = json_schema()
    text = json.dumps(schema)
    for finding in ("tender_band", "skin", "paraspinal", "rom", "weakness", "reflex", "sensory"):
        assert f'"{finding}"' in text
    assert schema["properties"]["complaint"]["$ref"].endswith("Complaint")
    assert schema["additionalProperties"] is False
