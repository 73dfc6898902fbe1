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
        "finding 1 (tender_band), severity: Input should be less than or equal to 3 (got 4)",
        "finding 2 (paraspinal), level: 'C7-C8' is not a vertebral level: there is no C8 vertebra: the C8 root leaves between C7 and T1, "
        "so write C7-T1 (or C7 or T1 for a vertebra)",
        "finding 3 (reflex), grade: Input should be 'absent', 'reduced', 'normal', 'brisk', 'positive' or 'negative' (got 'weak')",
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
        "finding 1 (reflex), grade: Input should be 'absent', 'reduced', 'normal', 'brisk', 'positive' or 'negative'",
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


# -- format 1.1 ------------------------------------------------------------------------------


def doc_1_1(*findings: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"format": "1.1", **doc(*findings), **top}


def paraspinal(level: str) -> dict[str, Any]:
    return {"type": "paraspinal", "level": level, "side": "right"}


@pytest.mark.parametrize("level", ["C0-C1", "C1", "C4-C5", "C7", "C7-T1", "T4-T5", "T12-L1", "L4-L5", "L5-S1", "S1"])
def test_format_1_1_takes_every_vertebra_and_interspace(level: str) -> None:
    assert parse_assessment(doc_1_1(paraspinal(level))).findings[0].level == level  # type: ignore[union-attr]


LEVELS_THAT_NAME_NO_VERTEBRA = [
    # (level, what the message must say)
    ("C8", "there is no C8 vertebra: the C8 root leaves between C7 and T1, so write C7-T1"),
    ("C7-C8", "write C7-T1"),
    ("S2", "the sacrum below S1 is fused: write S1 or L5-S1"),
    ("C5-C7", "an interspace names two adjacent vertebrae"),
    ("T13", "that vertebra does not exist"),
    ("neck", "write a vertebra such as C6 or an interspace such as C5-C6, C7-T1"),
]


@pytest.mark.parametrize(("level", "says"), LEVELS_THAT_NAME_NO_VERTEBRA)
def test_format_1_1_refuses_a_level_that_names_no_vertebra_and_says_what_to_write(level: str, says: str) -> None:
    [problem] = problems(doc_1_1(paraspinal(level)))
    assert problem.startswith(f"finding 1 (paraspinal), level: '{level}' is not a vertebral level: ")
    assert says in problem


def test_format_1_0_keeps_reading_levels_as_root_segments() -> None:
    assessment = parse_assessment(doc(paraspinal("C7-C8")))
    assert assessment.format_version == "1.0"
    assert assessment.findings[0].levels == ("C7", "C8")  # type: ignore[union-attr]
    assert problems(doc(paraspinal("C7-T1"))) == [
        "finding 1 (paraspinal), level: 'C7-T1' must name one level or two adjacent levels, upper first (e.g. C5-C6)"
    ]


ONLY_IN_1_1 = [
    ({"history": ["night_pain"]}, 'history need "format": "1.1"'),
    ({"sphincter": "yes"}, 'sphincter need "format": "1.1"'),
    ({"cardiac_screen": "done"}, 'cardiac_screen need "format": "1.1"'),
    ({"acknowledged_red_flags": ["marked_motor_deficit"]}, 'acknowledged_red_flags need "format": "1.1"'),
    ({"thoracic_needling": "forbidden"}, 'thoracic_needling need "format": "1.1"'),
    ({"patient": {"precautions": ["pregnancy"], "pregnancy_trimester": 2}}, 'pregnancy_trimester needs "format": "1.1"'),
    (
        {"findings": [{"type": "reflex", "reflex": "Hoffmann", "grade": "positive", "side": "left"}]},
        'grade \'positive\' needs "format": "1.1"',
    ),
    ({"findings": [{"type": "rom", "movement": "knee extension", "value": -15, "side": "left"}]}, "greater than or equal to 0 (got -15)"),
]


@pytest.mark.parametrize(("change", "says"), ONLY_IN_1_1)
def test_format_1_1_inputs_are_refused_in_a_1_0_document_and_taken_in_1_1(change: dict[str, Any], says: str) -> None:
    [problem] = problems({**doc(), **change})
    assert says in problem
    assert parse_assessment({**doc(), **change, "format": "1.1"})


def test_the_red_flag_screen_defaults_to_not_asked() -> None:
    assessment = parse_assessment(doc_1_1())
    assert (assessment.history, assessment.sphincter, assessment.cardiac_screen, assessment.acknowledged_red_flags) == (
        [],
        "not_asked",
        None,
        [],
    )
    assert assessment.thoracic_needling == "allowed"


@pytest.mark.parametrize("value", ["2.0", "1", 1.1])
def test_an_unknown_format_is_refused(value: Any) -> None:
    [problem] = problems({**doc(), "format": value})
    assert problem.startswith("format: Input should be '1.0' or '1.1'")


def test_an_unknown_history_code_names_the_allowed_ones() -> None:
    [problem] = problems(doc_1_1(history=["back pain"]))
    assert problem.startswith("history[0]: Input should be 'unexplained_weight_loss', 'night_pain'")
