"""Planning rules of the IMS method, as tables a physiotherapist can review."""

from __future__ import annotations

from typing import Any

import pytest

from myotome.exam import parse_assessment
from myotome.kb import KnowledgeBase
from myotome.localize import rank
from myotome.plan import BASE_INSERTIONS, MIN_INSERTIONS, Plan, build, needle_length


def plan_for(kb: KnowledgeBase, *findings: dict[str, Any], patient: dict[str, Any] | None = None, **complaint: Any) -> Plan:
    document = {
        "patient": patient or {},
        "complaint": {"regions": ["lateral elbow"], "side": "right", **complaint},
        "findings": list(findings),
    }
    assessment = parse_assessment(document)
    return build(assessment, rank(assessment, kb), kb)


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


def test_within_a_tier_the_more_tender_band_comes_first(kb: KnowledgeBase) -> None:
    order = names(plan_for(kb, *LATERAL_ELBOW_BANDS, *C6_SIGNS))
    assert order.index("supinator") < order.index("brachioradialis")  # severity 3 before 2


def test_a_band_outside_the_involved_segments_is_not_planned(kb: KnowledgeBase) -> None:
    plan = plan_for(kb, *C6_SIGNS, F("tender_band", muscle="abductor digiti minimi hand"))  # C8-T1
    assert "abductor_digiti_minimi_hand" not in names(plan)
    [left_out] = [d for d in plan.dropped if d.muscle.id == "abductor_digiti_minimi_hand"]
    assert left_out.reason.startswith("not supplied by the involved segments")


def test_the_conditions_usual_muscles_fill_in_where_the_exam_is_silent(kb: KnowledgeBase) -> None:
    plan = plan_for(kb, *C6_SIGNS, condition="tennis elbow")
    usual = [s for s in plan.steps if "usually treated" in s.reason]
    assert usual and all("not examined" in s.reason for s in usual)
    assert "extensor_carpi_radialis_longus" in names(plan)


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
    assert plan.dropped and all("over the session's maximum" in d.reason for d in plan.dropped)
    kept_ranks = [s.muscle.rank_order for s in plan.steps]
    assert max(kept_ranks) <= min(d.muscle.rank_order for d in plan.dropped if "usual" not in d.reason)


NEEDLES = [
    # (muscle id, build, mm)
    ("abductor_pollicis_brevis", "average", 15),
    ("biceps_brachii", "average", 15),
    ("piriformis", "average", 60),
    ("piriformis", "muscular", 75),
    ("piriformis", "slender", 50),
    ("rhomboid_major", "slender", 15),  # over the lung: short, whatever the depth class
    ("rhomboid_major", "average", 25),
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
