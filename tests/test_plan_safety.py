"""Issue 8, section 5: safety rules are enforced, not only written. Clinical cases a physiotherapist
can review: never-needled muscles, one side of the chest, precaution exclusions by trimester, a
clinic's ban on thoracic needling, and a pneumothorax warning only where a step is over the thorax."""

from __future__ import annotations

from typing import Any

import pytest

from myotome.kb import KnowledgeBase
from tests.plans import F, ids, plan11, step

C5_SIGNS = (F("reflex", "bilateral", reflex="biceps", grade="reduced"), F("sensory", "bilateral", region="lateral arm", change="reduced"))
T4_SIGNS = (F("paraspinal", "bilateral", level="T4-T5"), F("skin", "bilateral", sign="trophedema", segment="T4"))
L1_SIGNS = (F("paraspinal", level="L1", sign="thickened"), F("sensory", region="groin", change="reduced"))

# (band, the signs that involve its segment, muscles planned, muscles never planned)
NEVER = [
    # a group stands only for the layers that may be needled
    ("intercostals", T4_SIGNS, {"external_intercostals", "internal_intercostals"}, {"innermost_intercostals"}),
    ("innermost intercostals", T4_SIGNS, set(), {"innermost_intercostals"}),
    ("transversus thoracis", T4_SIGNS, set(), {"transversus_thoracis"}),
    ("psoas minor", L1_SIGNS, set(), {"psoas_minor"}),
]


@pytest.mark.parametrize(("band", "signs", "planned", "never"), NEVER, ids=[n[0] for n in NEVER])
def test_muscles_that_must_not_be_needled_are_never_planned(
    kb: KnowledgeBase, band: str, signs: tuple[dict[str, Any], ...], planned: set[str], never: set[str]
) -> None:
    plan = plan11(kb, F("tender_band", muscle=band, severity=3), *signs, regions=("chest",))
    assert planned <= set(ids(plan))
    assert not never & set(ids(plan))
    record = kb.find_muscle(band)
    for muscle in never if record.id in never else ():  # named on its own: listed with the KB's reason
        [left_out] = [d for d in plan.dropped if d.muscle.id == muscle]
        assert left_out.code == "never_needled" and left_out.reason.startswith("never needled: ")
        assert kb.muscles[muscle].needling.reason in left_out.reason


# (findings, the side kept): with lung-zone steps on both sides, the worse side is needled
CHEST = [
    (
        [F("tender_band", "left", muscle="rhomboid major", severity=3), F("tender_band", "right", muscle="rhomboid major", severity=2)],
        "left",
    ),
    (
        [F("tender_band", "left", muscle="rhomboid major", severity=1), F("tender_band", "right", muscle="rhomboid major", severity=3)],
        "right",
    ),
    # equal on both sides: the left, so that the plan is reproducible
    ([F("tender_band", "bilateral", muscle="intercostals", severity=2), *T4_SIGNS], "left"),
    # bilateral thoracic paraspinal tenderness alone: the thoracic multifidus is over the lung too
    ([F("paraspinal", "bilateral", level="T6-T7", sign="thickened"), F("skin", "bilateral", sign="trophedema", segment="T6")], "left"),
]


@pytest.mark.parametrize(("findings", "kept"), CHEST)
def test_both_sides_of_the_chest_are_never_needled_in_one_session(kb: KnowledgeBase, findings: list[dict[str, Any]], kept: str) -> None:
    plan = plan11(kb, *findings, *C5_SIGNS, regions=("interscapular",), side="bilateral")
    thorax = [s for s in plan.steps if s.over_thorax]
    assert thorax and {s.side for s in thorax} == {kept}
    other = "right" if kept == "left" else "left"
    waiting = [d for d in plan.dropped if d.code == "chest_side"]
    assert waiting and all(d.side == other for d in waiting)
    assert all(f"the {kept} side is needled this session" in d.reason for d in waiting)
    # what is not over the thorax stays on both sides (the neck's multifidus for C5)
    assert {s.side for s in plan.steps if s.muscle.id == "multifidus_cervical"} == {"left", "right"}


def test_both_sides_of_the_low_back_are_not_the_chest(kb: KnowledgeBase) -> None:
    # quadratus lumborum is reached onto a transverse process at L3-L4 and iliocostalis at L4-L5 lies
    # over no rib: both sides are needled, and no pneumothorax warning is raised
    plan = plan11(
        kb,
        F("paraspinal", "bilateral", level="L4-L5", sign="thickened"),
        F("tender_band", "bilateral", muscle="quadratus lumborum", severity=3),
        F("tender_band", "bilateral", muscle="iliocostalis lumborum", severity=2),
        F("skin", "bilateral", sign="trophedema", segment="L5"),
        regions=("low back",),
        side="midline",
    )
    assert {(s.muscle.id, s.side) for s in plan.steps} >= {
        ("quadratus_lumborum", "left"),
        ("quadratus_lumborum", "right"),
        ("iliocostalis_lumborum", "left"),
        ("iliocostalis_lumborum", "right"),
    }
    assert not any(d.code == "chest_side" for d in plan.dropped)
    assert not any("pneumothorax" in w for w in plan.warnings)


S1_CASE = (
    F("paraspinal", level="L5-S1", sign="thickened"),
    F("reflex", reflex="ankle jerk", grade="reduced"),
    F("sensory", region="lateral foot", change="reduced"),
    F("tender_band", muscle="piriformis", severity=3),
    F("tender_band", muscle="fibularis longus", severity=2),
)
# Pregnancy (precautions.yaml, with its sources): every step in the first trimester; throughout, the
# abdominal wall, psoas and pelvic floor, the lumbar spine and sacrum (L1 to S1) and the fibulars;
# piriformis is not excluded. An unknown trimester applies the strictest entries.
PREGNANCY = [
    # (patient, planned, dropped: muscle -> the exclusion named)
    ({}, {"multifidus_lumbar", "piriformis", "fibularis_longus"}, {}),
    (
        {"precautions": ["pregnancy"], "pregnancy_trimester": 2},
        {"piriformis"},
        {"multifidus_lumbar": "the lumbar spine and sacrum (L1 to S1)", "fibularis_longus": "the fibulars"},
    ),
    (
        {"precautions": ["pregnant"], "pregnancy_trimester": 3},
        {"piriformis"},
        {"multifidus_lumbar": "the lumbar spine and sacrum (L1 to S1)", "fibularis_longus": "the fibulars"},
    ),
    (
        {"precautions": ["pregnancy"], "pregnancy_trimester": 1},
        set(),
        {"piriformis": "every step in the first trimester (trimester 1)", "fibularis_longus": "every step in the first trimester"},
    ),
    (
        {"precautions": ["pregnancy"]},  # trimester not given
        set(),
        {"piriformis": "every step in the first trimester (trimester not given: the strictest entries apply)"},
    ),
]


@pytest.mark.parametrize(("patient", "planned", "dropped"), PREGNANCY, ids=["not pregnant", "T2", "T3", "T1", "trimester unknown"])
def test_pregnancy_excludes_what_its_sources_name_by_trimester(
    kb: KnowledgeBase, patient: dict[str, Any], planned: set[str], dropped: dict[str, str]
) -> None:
    plan = plan11(kb, *S1_CASE, regions=("buttock",), patient=patient)
    assert set(ids(plan)) == planned
    for muscle, exclusion in dropped.items():
        reasons = [d.reason for d in plan.dropped if d.muscle.id == muscle]
        assert reasons and all(r.startswith("avoided because of pregnancy: ") and exclusion in r for r in reasons), reasons
    if "pregnancy_trimester" not in patient and patient:
        assert any("trimester is not given" in w for w in plan.warnings)


SHOULDER_BLADE = (
    F("paraspinal", level="C4-C5"),
    F("reflex", reflex="biceps", grade="reduced"),
    F("tender_band", muscle="rhomboid major", severity=3),
    F("tender_band", muscle="infraspinatus", severity=2),
    F("tender_band", muscle="biceps", severity=2),
    F("tender_band", muscle="upper trapezius", severity=2),
)


@pytest.mark.parametrize(
    ("thoracic", "planned", "left_out"),
    [
        ("allowed", {"multifidus_cervical", "rhomboid_major", "infraspinatus", "biceps_brachii", "upper_trapezius"}, set()),
        # every muscle with the pleura within reach goes, whatever the approach
        ("forbidden", {"multifidus_cervical", "biceps_brachii"}, {"rhomboid_major", "infraspinatus", "upper_trapezius"}),
    ],
)
def test_a_clinic_that_forbids_thoracic_needling_gets_no_lung_zone_step(
    kb: KnowledgeBase, thoracic: str, planned: set[str], left_out: set[str]
) -> None:
    plan = plan11(kb, *SHOULDER_BLADE, regions=("shoulder blade",), thoracic_needling=thoracic)
    assert set(ids(plan)) == planned
    dropped = {d.muscle.id: d for d in plan.dropped}
    assert set(dropped) == left_out
    assert all(d.code == "thoracic_forbidden" and "thoracic needling is forbidden" in d.reason for d in dropped.values())
    assert any("pneumothorax" in w for w in plan.warnings) == (thoracic == "allowed")  # the rhomboid, onto a rib


# (case, findings, complaint, expected: a plan-level pneumothorax warning)
WARNING = [
    (
        "TMJ",
        [
            F("tender_band", "left", muscle="masseter", severity=3),
            F("tender_band", "left", muscle="temporalis"),
            F("tender_band", "left", muscle="SCM"),
            F("paraspinal", "left", level="C2-C3"),
        ],
        {"regions": ("jaw",), "side": "left", "condition": "TMJ"},
        False,  # SCM is lifted in a pincer grip: its step keeps its lung caution, the plan no alarm
    ),
    (
        "occipital headache",
        [F("tender_band", muscle="suboccipitals", severity=3), F("tender_band", muscle="upper trapezius", severity=2)],
        {"regions": ("occiput",), "condition": "headache"},
        False,
    ),
    (
        "tennis elbow",
        [
            F("tender_band", muscle="infraspinatus"),
            F("tender_band", muscle="supraspinatus"),
            F("tender_band", muscle="ECRB", severity=3),
            F("paraspinal", level="C5-C6"),
        ],
        {"condition": "tennis elbow"},
        False,  # the cuff is needled onto the scapula
    ),
    ("rhomboid", [F("tender_band", muscle="rhomboid major", severity=3), F("paraspinal", level="C4-C5")], {}, True),
    ("thoracic paraspinal", [F("paraspinal", level="T5-T6", sign="thickened"), F("skin", sign="trophedema", segment="T5")], {}, True),
    ("intercostals", [F("tender_band", muscle="intercostals", severity=3), *T4_SIGNS[1:], F("paraspinal", level="T4-T5")], {}, True),
    ("stiff neck, levator scapulae", [F("tender_band", muscle="levator scapulae", severity=3), F("paraspinal", level="C3-C4")], {}, True),
]


@pytest.mark.parametrize(("case", "findings", "complaint", "warned"), WARNING, ids=[w[0] for w in WARNING])
def test_the_pneumothorax_warning_appears_only_with_a_step_over_the_thorax(
    kb: KnowledgeBase, case: str, findings: list[dict[str, Any]], complaint: dict[str, Any], warned: bool
) -> None:
    plan = plan11(kb, *findings, **{"regions": ("neck",), **complaint})
    assert any("pneumothorax" in w for w in plan.warnings) == warned
    assert any(s.over_thorax for s in plan.steps) == warned
    lung = [s for s in plan.steps if any(c.kind == "lung" for c in s.cautions)]
    assert lung  # every case has a lung-zone muscle: per-step cautions stay on their steps


def test_the_needle_over_the_lung_keeps_the_builds_cap_unless_a_bone_stops_it(kb: KnowledgeBase) -> None:
    plan = plan11(
        kb,
        F("paraspinal", level="T5-T6", sign="thickened"),
        F("skin", sign="trophedema", segment="T5"),
        F("tender_band", muscle="iliocostalis thoracis", severity=2),
        regions=("interscapular",),
        patient={"build": "slender"},
    )
    assert step(plan, "multifidus_thoracic").needle_mm == 30  # onto the lamina: 30-45 mm x0.8
    assert step(plan, "iliocostalis_thoracis").needle_mm == 15  # onto a rib: the slender cap
