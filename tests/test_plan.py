"""Planning rules of the IMS method, as tables a physiotherapist can review."""

from __future__ import annotations

from typing import Any

import pytest

from myotome.exam import parse_assessment
from myotome.kb import KnowledgeBase
from myotome.localize import rank
from myotome.plan import BASE_INSERTIONS, MIN_INSERTIONS, Plan, build, needle_length


def plan_for(
    kb: KnowledgeBase,
    *findings: dict[str, Any],
    patient: dict[str, Any] | None = None,
    fmt: str | None = None,
    document: dict[str, Any] | None = None,
    **complaint: Any,
) -> Plan:
    doc: dict[str, Any] = {
        "patient": patient or {},
        "complaint": {"regions": ["lateral elbow"], "side": "right", **complaint},
        "findings": list(findings),
        **(document or {}),
    }
    if fmt:
        doc["format"] = fmt
    assessment = parse_assessment(doc)
    return build(assessment, rank(assessment, kb), kb)


def plan11(kb: KnowledgeBase, *findings: dict[str, Any], **kwargs: Any) -> Plan:
    """A plan for a format 1.1 document: paraspinal levels are vertebral levels."""
    return plan_for(kb, *findings, fmt="1.1", **kwargs)


def F(kind: str, side: str = "right", **fields: Any) -> dict[str, Any]:
    return {"type": kind, "side": side, **fields}


C6_SIGNS = (
    F("reflex", reflex="brachioradialis", grade="reduced"),
    F("sensory", region="thumb", change="reduced"),
    F("paraspinal", level="C6"),
)
# Lateral elbow pain from C6: bands from shoulder to forearm, written in no particular order.
LATERAL_ELBOW_BANDS = (
    F("tender_band", muscle="supinator", severity=3),
    F("tender_band", muscle="ECRL", severity=3),
    F("tender_band", muscle="biceps"),
    F("tender_band", muscle="infraspinatus"),
    F("tender_band", muscle="brachioradialis"),
)


def names(plan: Plan) -> list[str]:
    return [s.muscle.id for s in plan.steps]


def test_paraspinal_muscles_at_the_involved_level_come_first(kb: KnowledgeBase) -> None:
    plan = plan_for(kb, *LATERAL_ELBOW_BANDS, *C6_SIGNS)
    first = plan.steps[0]
    assert (first.region, first.segment, first.side, first.muscle.id) == ("paraspinal", "C6", "right", "multifidus_cervical")
    regions = [s.region for s in plan.steps]
    assert regions == sorted(regions, key=lambda r: r != "paraspinal"), "no paraspinal step after a peripheral one"


def test_lateral_elbow_pain_is_needled_neck_shoulder_arm_then_forearm(kb: KnowledgeBase) -> None:
    plan = plan_for(kb, *LATERAL_ELBOW_BANDS, *C6_SIGNS)
    peripheral = [s.muscle for s in plan.steps if s.region != "paraspinal"]
    assert [m.rank_order for m in peripheral] == sorted(m.rank_order for m in peripheral)
    order = names(plan)
    assert order.index("infraspinatus") < order.index("biceps_brachii") < order.index("supinator")
    assert {"supinator", "extensor_carpi_radialis_longus", "brachioradialis"} <= set(order)


def test_a_band_outside_the_involved_segments_is_still_planned_and_says_so(kb: KnowledgeBase) -> None:
    # issue 8, section 4: nothing the clinician found disappears; it is needled, labelled, and drops first
    plan = plan_for(kb, *C6_SIGNS, F("tender_band", muscle="abductor digiti minimi hand"))  # C8-T1
    [step] = [s for s in plan.steps if s.muscle.id == "abductor_digiti_minimi_hand"]
    assert "not an involved segment on this side (C6)" in step.reason
    assert not any(d.muscle.id == "abductor_digiti_minimi_hand" for d in plan.dropped)


def test_the_conditions_usual_muscles_are_suggested_where_the_exam_is_silent(kb: KnowledgeBase) -> None:
    plan = plan_for(kb, *C6_SIGNS, condition="tennis elbow")
    usual = [s for s in plan.steps if "usually treated" in s.reason]
    assert usual and all(s.suggestion and s.reason.startswith("suggestion:") and "not examined" in s.reason for s in usual)
    assert "infraspinatus" in names(plan)  # the first of the condition's usual muscles after the paraspinals


def test_bilateral_segments_are_needled_on_both_sides(kb: KnowledgeBase) -> None:
    plan = plan_for(
        kb,
        F("paraspinal", "bilateral", level="L4"),
        F("reflex", "bilateral", reflex="knee jerk", grade="reduced"),
        regions=["low back"],
        side="midline",
    )
    paraspinal = [(s.segment, s.side) for s in plan.steps if s.region == "paraspinal"]
    assert ("L4", "left") in paraspinal and ("L4", "right") in paraspinal


DOSE = [
    # (patient, expected maximum insertions) -- base 16
    ({}, BASE_INSERTIONS),
    ({"temperament": "calm", "build": "average"}, 16),
    ({"temperament": "anxious"}, 12),  # x0.75
    ({"temperament": "type_a"}, 12),
    ({"needle_fear": True}, 8),  # x0.5
    ({"build": "muscular"}, 13),  # x0.8 -> 12.8
    ({"first_session": True}, 11),  # x0.7 -> 11.2
    ({"temperament": "anxious", "build": "muscular", "first_session": True}, 7),  # 16 x .75 x .8 x .7 = 6.7
    ({"temperament": "anxious", "needle_fear": True, "build": "muscular", "first_session": True}, MIN_INSERTIONS),  # never below the floor
]


@pytest.mark.parametrize(("patient", "expected"), DOSE)
def test_the_dose_adapts_to_the_patient(kb: KnowledgeBase, patient: dict[str, Any], expected: int) -> None:
    assert plan_for(kb, *C6_SIGNS, patient=patient).max_insertions == expected


def test_over_the_dose_the_lowest_priority_distal_points_drop_first(kb: KnowledgeBase) -> None:
    patient = {"temperament": "anxious", "needle_fear": True, "build": "muscular", "first_session": True}
    plan = plan_for(kb, *LATERAL_ELBOW_BANDS, *C6_SIGNS, patient=patient, condition="tennis elbow")
    assert len(plan.steps) == plan.max_insertions == MIN_INSERTIONS
    assert plan.steps[0].region == "paraspinal"  # the neck is kept
    # the condition's suggestions go first (their share of a 4-insertion session is 1), then the distal bands
    assert plan.dropped and all(d.code in ("dose", "suggestion_share") for d in plan.dropped)
    assert all("over the session's maximum" in d.reason for d in plan.dropped if d.banded)
    kept_ranks = [s.muscle.rank_order for s in plan.steps]
    assert max(kept_ranks) <= min(d.muscle.rank_order for d in plan.dropped if d.banded)


# Issue 8, section 5: the needle follows the muscle's depth (KB needle_depth, the middle of its range
# in an average build) scaled by build (planning.yaml: slender x0.8, muscular x1.25), the shortest
# stocked needle that reaches it; over the lung the build's cap (15/25/30 mm) holds unless a bone stops
# the needle.
NEEDLES = [
    # (muscle id, build, mm)
    ("abductor_pollicis_brevis", "average", 15),  # 5-15 mm
    ("biceps_brachii", "average", 15),
    ("piriformis", "average", 75),  # 50-80 mm: 65
    ("piriformis", "muscular", 75),  # the longest stocked
    ("piriformis", "slender", 60),  # 52
    ("rhomboid_major", "slender", 15),  # 10-20 mm onto rib: 12, under the 15 mm cap
    ("rhomboid_major", "average", 15),  # 15: the muscle's depth, not the 25 mm cap
    ("multifidus_thoracic", "average", 40),  # onto the lamina, 30-45 mm: no lung cap
    ("multifidus_thoracic", "slender", 30),  # 30
    ("quadratus_lumborum", "average", 75),  # >= 50 mm at L3-L4, onto the transverse process
    ("iliocostalis_cervicis", "average", 25),  # 30-50 mm onto rib: capped over the lung
    ("iliocostalis_cervicis", "muscular", 30),
    ("serratus_anterior", "muscular", 30),  # 28 -> 30, the muscular cap
    ("infraspinatus", "muscular", 30),  # onto the scapula: 28 -> 30, not capped
]


@pytest.mark.parametrize(("muscle", "build", "mm"), NEEDLES)
def test_needle_length_follows_depth_and_build(kb: KnowledgeBase, muscle: str, build: str, mm: int) -> None:
    assert needle_length(kb.muscles[muscle], build) == mm


def test_thoracic_steps_carry_lung_cautions_and_a_pneumothorax_warning(kb: KnowledgeBase) -> None:
    plan = plan_for(
        kb,
        F("tender_band", muscle="rhomboid major", severity=3),
        F("paraspinal", level="C5"),
        F("reflex", reflex="biceps", grade="reduced"),
        regions=["shoulder blade"],
    )
    step = next(s for s in plan.steps if s.muscle.id == "rhomboid_major")
    assert any(c.kind == "lung" for c in step.cautions)
    assert any("pneumothorax" in w for w in plan.warnings)


PRECAUTIONS = [
    # (precaution, a warning must contain, a muscle that must not be planned or None)
    ("anticoagulants", "Anticoagulant", None),
    ("pregnancy", "Pregnancy", None),
    ("lymphoedema", "limb at risk", None),
    ("pacemaker", "Pacemaker", None),
]


@pytest.mark.parametrize(("precaution", "warning", "absent"), PRECAUTIONS)
def test_precautions_warn_on_the_plan(kb: KnowledgeBase, precaution: str, warning: str, absent: str | None) -> None:
    plan = plan_for(kb, *C6_SIGNS, patient={"precautions": [precaution]})
    assert any(warning.lower() in w.lower() for w in plan.warnings), plan.warnings


def test_anticoagulants_add_pressure_to_every_step(kb: KnowledgeBase) -> None:
    plan = plan_for(kb, *C6_SIGNS, patient={"precautions": ["blood thinners"]})
    assert plan.steps and all(any(c.structure == "bleeding risk" for c in s.cautions) for s in plan.steps)


def test_a_precaution_removes_the_muscles_it_forbids(kb: KnowledgeBase) -> None:
    findings = (
        F("tender_band", muscle="psoas major", severity=3),
        F("reflex", reflex="knee jerk", grade="reduced"),
        F("paraspinal", level="L2-L3"),
    )
    assert "psoas_major" in names(plan_for(kb, *findings, regions=["groin"]))
    plan = plan_for(kb, *findings, regions=["groin"], patient={"precautions": ["anticoagulants"]})
    assert "psoas_major" not in names(plan)
    assert any(d.muscle.id == "psoas_major" and "anticoagulant" in d.reason for d in plan.dropped)


def test_a_systemic_contraindication_plans_no_needling(kb: KnowledgeBase) -> None:
    plan = plan_for(kb, *C6_SIGNS, patient={"precautions": ["systemic infection"]})
    assert plan.steps == ()
    assert plan.dropped and all("contraindication" in d.reason for d in plan.dropped)
    assert any(w.startswith("CONTRAINDICATION") for w in plan.warnings)


def test_an_unknown_precaution_is_flagged_for_a_manual_check(kb: KnowledgeBase) -> None:
    plan = plan_for(kb, *C6_SIGNS, patient={"precautions": ["haemophilia typo xyz"]})
    assert any("not recognised" in w for w in plan.warnings)


def test_without_findings_that_localise_there_is_no_plan_but_a_clear_message(kb: KnowledgeBase) -> None:
    # the complaint region alone is a weak prior, not a reason to needle
    plan = plan_for(kb, F("reflex", reflex="biceps", grade="normal"))
    assert plan.steps == () and plan.involved == ()
    assert any("do not point to a spinal segment" in w for w in plan.warnings)


def test_a_brisk_reflex_is_a_plan_warning(kb: KnowledgeBase) -> None:
    plan = plan_for(kb, F("reflex", reflex="biceps", grade="brisk"), *C6_SIGNS)
    assert any("upper motor neurone" in w for w in plan.warnings)


def test_a_jaw_problem_with_upper_cervical_signs_is_needled_at_the_neck_first(kb: KnowledgeBase) -> None:
    # Gunn: TMJ is CN V3 plus C1-C3; the neck comes first, then the jaw
    plan = plan_for(
        kb,
        F("tender_band", "left", muscle="masseter", severity=3),
        F("tender_band", "left", muscle="temporalis"),
        F("paraspinal", "left", level="C2-C3"),
        regions=["jaw"],
        side="left",
    )
    assert {r.segment for r in plan.involved} >= {"CN V3", "C2"}
    regions = [s.region for s in plan.steps]
    assert regions[0] == "paraspinal"
    order = names(plan)
    assert order.index("multifidus_cervical") < order.index("masseter")
