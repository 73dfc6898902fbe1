"""Issue 8, section 4: nothing the clinician found disappears. Clinical cases a physiotherapist can
review: every banded or weak muscle is a step unless the dose or a named safety rule takes it out
(and then `dropped` says so); the condition's usual muscles are only suggestions, in the room left."""

from __future__ import annotations

import math
from typing import Any

import pytest

from myotome.kb import KnowledgeBase
from myotome.localize import body_sides
from myotome.plan import Plan
from tests.plans import F, ids, paraspinal, plan11, step

SUBOCCIPITALS = (
    "rectus_capitis_posterior_major",
    "rectus_capitis_posterior_minor",
    "obliquus_capitis_superior",
    "obliquus_capitis_inferior",
)


def occipital_headache(kb: KnowledgeBase, *extra: dict[str, Any]) -> Plan:
    # The case: severity-3 suboccipital and semispinalis bands once gave one multifidus step
    # and an unexamined SCM.
    return plan11(
        kb,
        F("tender_band", muscle="suboccipitals", severity=3),
        F("tender_band", muscle="semispinalis capitis", severity=3),
        *extra,
        regions=("occiput",),
        condition="headache",
    )


@pytest.mark.parametrize("paraspinal_finding", [[], [F("paraspinal", level="C1-C2")]], ids=["no paraspinal finding", "C1-C2 tender"])
def test_an_occipital_headache_plans_its_suboccipital_and_semispinalis_bands_at_c1_c2(
    kb: KnowledgeBase, paraspinal_finding: list[dict[str, Any]]
) -> None:
    plan = occipital_headache(kb, *paraspinal_finding)
    steps = paraspinal(plan)
    for muscle in SUBOCCIPITALS:  # supplied by C1 (the suboccipital nerve), needled below the occiput
        assert ("C1-C2", "C1", muscle, "right") in steps, steps
    assert ("C1-C2", "C2", "semispinalis_capitis", "right") in steps
    assert len(steps) == 5  # no second step for a root a banded muscle already serves
    assert all(s.region == "paraspinal" for s in plan.steps[:5])
    assert [s.muscle.id for s in plan.steps if s.suggestion] == [s.muscle.id for s in plan.steps if not s.findings]


def low_back_with_quadratus_lumborum(kb: KnowledgeBase, patient: dict[str, Any] | None = None) -> Plan:
    # Central low back pain at L4-L5 with quadratus lumborum banded on both sides: once dropped as "not
    # supplied by the involved segments" while the condition's usual muscles filled the plan.
    return plan11(
        kb,
        F("paraspinal", "bilateral", level="L4-L5", sign="thickened"),
        F("skin", "bilateral", sign="trophedema", segment="L5"),
        F("tender_band", "bilateral", muscle="quadratus lumborum", severity=3),
        F("tender_band", "bilateral", muscle="gluteus medius", severity=2),
        regions=("low back",),
        side="midline",
        condition="low back pain",
        patient=patient,
    )


def test_quadratus_lumborum_banded_on_both_sides_is_kept_and_says_which_segment(kb: KnowledgeBase) -> None:
    plan = low_back_with_quadratus_lumborum(kb)
    for side in ("left", "right"):
        ql = step(plan, "quadratus_lumborum", side)
        assert ql.basis == "banded" and ql.segment in ("L3", "L4")
        assert f"supplied by {ql.segment}" in ql.reason  # involved, or next to an involved segment, named
    assert not [d for d in plan.dropped if d.banded]


@pytest.mark.parametrize(
    ("patient", "limit"),
    [({}, 16), ({"temperament": "anxious"}, 12), ({"needle_fear": True}, 8), ({"needle_fear": True, "temperament": "anxious"}, 6)],
)
def test_suggestions_take_at_most_their_share_and_never_a_findings_place(kb: KnowledgeBase, patient: dict[str, Any], limit: int) -> None:
    plan = low_back_with_quadratus_lumborum(kb, patient)
    assert plan.max_insertions == limit
    cap = math.floor(kb.planning.default_share * limit)  # planning.yaml: 0.25
    assert plan.suggestions <= cap
    found = [s for s in plan.steps if s.basis in ("banded", "weak")]
    if any(d.banded for d in plan.dropped):  # a finding left out for the dose: no suggestion took its place
        assert plan.suggestions == 0
    assert all(s.reason.startswith("suggestion:") for s in plan.steps if s.suggestion)
    assert len(found) + sum(1 for d in plan.dropped if d.banded) == plan.banded_found == 4


def test_suggestions_fill_their_share_when_the_exam_is_silent(kb: KnowledgeBase) -> None:
    # S1 root signs and plantar fasciitis, no band recorded: the condition's usual muscles are suggested,
    # a quarter of the session at most, in the condition's usual order
    plan = plan11(
        kb,
        F("reflex", reflex="ankle jerk", grade="reduced"),
        F("sensory", region="lateral foot", change="reduced"),
        regions=("heel",),
        condition="plantar fasciitis",
    )
    assert plan.suggestions == math.floor(kb.planning.default_share * plan.max_insertions) == 4
    assert [d.code for d in plan.dropped] == ["suggestion_share"] * len(plan.dropped) and plan.dropped


SIX_BANDS = ("infraspinatus", "biceps", "brachioradialis", "ECRL", "ECRB", "supinator")


@pytest.mark.parametrize(
    "patient",
    [{}, {"temperament": "anxious", "first_session": True}],
    ids=["full dose", "anxious first session (8)"],
)
def test_six_banded_muscles_in_the_involved_region_are_six_steps(kb: KnowledgeBase, patient: dict[str, Any]) -> None:
    plan = plan11(
        kb,
        *(F("tender_band", muscle=m, severity=2) for m in SIX_BANDS),
        F("reflex", reflex="brachioradialis", grade="reduced"),
        F("paraspinal", level="C5-C6"),
        condition="tennis elbow",
        patient=patient,
    )
    assert sum(1 for s in plan.steps if s.basis == "banded") == 6
    assert len(plan.steps) >= 7


def test_a_muscle_examined_and_found_normal_is_not_suggested(kb: KnowledgeBase) -> None:
    plan = plan11(
        kb,
        F("reflex", reflex="brachioradialis", grade="reduced"),
        F("weakness", muscle="infraspinatus", grade=5),
        condition="tennis elbow",
    )
    assert "infraspinatus" not in ids(plan)


def test_erector_spinae_bands_are_planned_in_the_paraspinal_tier_at_a_lumbar_level(kb: KnowledgeBase) -> None:
    plan = plan11(
        kb,
        F("paraspinal", level="L4-L5", sign="thickened"),
        F("tender_band", muscle="iliocostalis lumborum", severity=3),
        F("tender_band", muscle="longissimus thoracis", severity=2),
        *[F("sensory", region="dorsum of foot", change="reduced"), F("weakness", movement="great toe extension", grade=4)],
        regions=("low back",),
    )
    levels = {m: lv for lv, _, m, _ in paraspinal(plan)}
    assert levels["iliocostalis_lumborum"] == levels["longissimus_thoracis"] == "L4-L5"
    assert not step(plan, "iliocostalis_lumborum").over_thorax  # over no rib at L4-L5


# Every banded or weak muscle is a step, or dropped for the dose or a named safety reason.
KEPT_REASONS = {"dose", "never_needled", "precaution", "contraindication", "thoracic_forbidden", "chest_side"}
CASES: list[tuple[str, dict[str, Any]]] = [
    ("occipital headache", {}),
    ("low back, quadratus lumborum both sides", {}),
    ("low back, needle fear", {"patient": {"needle_fear": True, "temperament": "anxious"}}),
    ("bilateral interscapular, thoracic ban", {"thoracic_needling": "forbidden"}),
    ("bilateral interscapular", {}),
    ("pregnant, second trimester", {"patient": {"precautions": ["pregnancy"], "pregnancy_trimester": 2}}),
]


def _case(kb: KnowledgeBase, name: str, extra: dict[str, Any]) -> tuple[Plan, list[dict[str, Any]]]:
    if name == "occipital headache":
        findings = [F("tender_band", muscle="suboccipitals", severity=3), F("tender_band", muscle="semispinalis capitis", severity=3)]
        return plan11(kb, *findings, regions=("occiput",), condition="headache", **extra), findings
    if name.startswith("low back") or name.startswith("pregnant"):
        findings = [
            F("paraspinal", level="L5-S1", sign="thickened"),
            F("reflex", reflex="ankle jerk", grade="reduced"),
            F("tender_band", "bilateral", muscle="quadratus lumborum", severity=3),
            F("tender_band", muscle="piriformis", severity=3),
            F("tender_band", muscle="fibularis longus", severity=2),
            F("tender_band", muscle="gastrocnemius", severity=2),
            F("tender_band", muscle="hamstrings", severity=1),
        ]
        return plan11(kb, *findings, regions=("low back", "buttock"), condition="low back pain", **extra), findings
    findings = [
        F("paraspinal", "bilateral", level="T4-T5"),
        F("tender_band", "left", muscle="rhomboid major", severity=3),
        F("tender_band", "right", muscle="rhomboid major", severity=2),
        F("tender_band", "bilateral", muscle="intercostals", severity=2),
        F("tender_band", "bilateral", muscle="middle trapezius", severity=2),
    ]
    return plan11(kb, *findings, regions=("interscapular",), side="bilateral", **extra), findings


@pytest.mark.parametrize(("name", "extra"), CASES, ids=[c[0] for c in CASES])
def test_every_banded_muscle_is_a_step_or_dropped_for_a_named_reason(kb: KnowledgeBase, name: str, extra: dict[str, Any]) -> None:
    plan, findings = _case(kb, name, extra)
    found = set()
    for f in findings:
        if f["type"] == "tender_band":
            record = kb.find_muscle(f["muscle"])
            found |= {(mu.id, side) for mu in kb.needled_members(record) for side in body_sides(f["side"])}
    planned = {(s.muscle.id, s.side) for s in plan.steps}
    dropped = {(d.muscle.id, d.side): d for d in plan.dropped if d.banded}
    for pair in found:
        assert pair in planned or (pair in dropped and dropped[pair].code in KEPT_REASONS), pair
    assert plan.banded_found == len(found)
    assert plan.banded_planned == len(found & planned)
