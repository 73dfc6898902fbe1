"""Marks: checking the dictionary the web page sends, and building it from an exam and a plan."""

from __future__ import annotations

from typing import Any

import pytest

from myotome.bodychart import build_marks, marks_from_assessment, normalize
from myotome.exam import parse_assessment
from myotome.kb import KnowledgeBase
from myotome.localize import rank
from myotome.plan import build


def test_marks_are_indexed_by_id_and_side() -> None:
    m = normalize(
        {
            "muscles": [
                {"muscle_id": "infraspinatus", "side": "bilateral", "severity": 1},
                {"muscle_id": "infraspinatus", "side": "left", "severity": 3},
            ],
            "regions": [{"region_id": "thumb", "side": "right", "skin": ["trophedema"], "sensory": "reduced"}],
            "levels": [{"level": "C6", "side": "right"}],
            "plan": [
                {"order": 2, "muscle_id": "supinator", "side": "right"},
                {"order": 1, "muscle_id": "multifidus_cervical", "side": "right", "level": "C6"},
            ],
        }
    )
    assert m.severity == {("infraspinatus", "left"): 3, ("infraspinatus", "right"): 1}  # the worst grade wins
    assert m.skin == {("thumb", "right"): ("trophedema",)}
    assert m.sensory == {("thumb", "right"): "reduced"}
    assert m.levels == {("C6", "right"): "tender"}
    assert [(p.order, p.muscle_id, p.level) for p in m.plan] == [(1, "multifidus_cervical", "C6"), (2, "supinator", None)]


def test_no_marks_is_empty() -> None:
    assert normalize(None).severity == {} and normalize({}).plan == ()


@pytest.mark.parametrize(
    ("marks", "message"),
    [
        ({"tender": []}, r"unknown key\(s\) tender; use muscles, regions, levels, plan"),
        (
            {"muscles": [{"muscle_id": "biceps_brachii", "side": "up"}]},
            r"marks.muscles\[0\]: side must be 'left', 'right' or 'bilateral', got 'up'",
        ),
        ({"muscles": [{"muscle_id": "biceps_brachii", "side": "left", "severity": 4}]}, r"severity must be 1, 2 or 3, got 4"),
        ({"muscles": [{"side": "left"}]}, r"marks.muscles\[0\]: 'muscle_id' is required"),
        ({"regions": [{"region_id": "thumb", "side": "left"}]}, r"give 'skin' signs, a 'sensory' change or both"),
        ({"regions": [{"region_id": "thumb", "side": "left", "skin": "trophedema"}]}, r"skin must be a list of sign names"),
        ({"regions": [{"region_id": "thumb", "side": "left", "sensory": "numb"}]}, r"sensory must be one of reduced, increased, altered"),
        ({"levels": [{"level": "C6", "side": "left", "sign": "sore"}]}, r"sign must be 'tender' or 'thickened'"),
        ({"plan": [{"order": 0, "muscle_id": "soleus", "side": "left"}]}, r"marks.plan\[0\]: order must be a whole number from 1"),
    ],
)
def test_bad_marks_are_refused_with_the_place_and_the_fix(marks: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalize(marks)


def test_marks_from_an_assessment_and_its_plan(kb: KnowledgeBase) -> None:
    assessment = parse_assessment(
        {
            "complaint": {"regions": ["lateral elbow"], "side": "right", "condition": "tennis elbow"},
            "findings": [
                {"type": "tender_band", "muscle": "ECRB", "side": "right", "severity": 3},
                {"type": "tender_band", "muscle": "calf", "side": "left", "severity": 1},  # a group: every member
                {"type": "skin", "sign": "trophedema", "side": "right", "region": "lateral forearm"},
                {"type": "skin", "sign": "pilomotor", "side": "right", "segment": "C6"},  # every zone whose primary dermatome is C6
                {"type": "sensory", "region": "thumb", "side": "right", "change": "reduced"},
                {"type": "sensory", "region": "little finger", "side": "right", "change": "normal"},  # normal: nothing to show
                {"type": "paraspinal", "level": "C5-C6", "side": "right"},
            ],
        }
    )
    plan = build(assessment, rank(assessment, kb), kb)
    marks = marks_from_assessment(assessment, kb, plan)
    assert {"muscle_id": "extensor_carpi_radialis_brevis", "side": "right", "severity": 3} in marks["muscles"]
    assert {m["muscle_id"] for m in marks["muscles"] if m["side"] == "left"} == {
        "gastrocnemius_medial_head",
        "gastrocnemius_lateral_head",
        "soleus",
    }
    regions = {(r["region_id"], tuple(r.get("skin", ())), r.get("sensory")) for r in marks["regions"]}
    # One entry per zone and side, its signs gathered (build_marks, the builder the clinic uses too).
    assert ("lateral_forearm", ("trophedema", "pilomotor"), None) in regions
    assert ("thumb", ("pilomotor",), "reduced") in regions
    assert all(r[0] != "little_finger" for r in regions)
    assert marks["levels"] == [{"level": "C5", "side": "right", "sign": "tender"}, {"level": "C6", "side": "right", "sign": "tender"}]
    assert [p["order"] for p in marks["plan"]] == list(range(1, len(plan.steps) + 1))
    paraspinal = [p for p in marks["plan"] if p["level"]]
    assert paraspinal and all(p["muscle_id"].startswith("multifidus") for p in paraspinal)
    normalize(marks)  # what it builds is valid input


def test_one_builder_gathers_a_zones_signs_and_leaves_out_what_is_empty() -> None:
    marks = build_marks(
        bands=[("supinator", "right", 2)],
        zones=[("thumb", "right", "skin", "trophedema"), ("thumb", "right", "sensory", "reduced"), ("thumb", "left", "skin", "pilomotor")],
    )
    assert marks == {
        "muscles": [{"muscle_id": "supinator", "side": "right", "severity": 2}],
        "regions": [
            {"region_id": "thumb", "side": "right", "skin": ["trophedema"], "sensory": "reduced"},
            {"region_id": "thumb", "side": "left", "skin": ["pilomotor"]},
        ],
    }
    assert build_marks() == {}
    normalize(marks)


def test_marks_from_a_format_1_1_assessment_name_the_interspace_itself(kb: KnowledgeBase) -> None:
    assessment = parse_assessment(
        {
            "format": "1.1",
            "complaint": {"regions": ["neck"], "side": "right"},
            "findings": [
                {"type": "paraspinal", "level": "C7-T1", "side": "right", "sign": "thickened"},
                {"type": "paraspinal", "level": "L5", "side": "bilateral"},
            ],
        }
    )
    marks = marks_from_assessment(assessment, kb, build(assessment, rank(assessment, kb), kb))
    assert marks["levels"] == [
        {"level": "C7-T1", "side": "right", "sign": "thickened"},
        {"level": "L5", "side": "bilateral", "sign": "tender"},
    ]
    assert all(p["level"] for p in marks["plan"] if p["muscle_id"].startswith("multifidus"))
