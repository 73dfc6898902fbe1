"""Issue 8, section 1 (planning side): paraspinal steps name the vertebral level to needle and the
root it serves. Clinical cases a physiotherapist can review, from textbook root patterns."""

from __future__ import annotations

from typing import Any

import pytest

from myotome.engine import assess
from myotome.kb import KnowledgeBase
from myotome.plan import default_level
from tests.plans import F, paraspinal, plan11

SIGNS: dict[str, list[dict[str, Any]]] = {
    "C5": [
        F("reflex", reflex="biceps", grade="reduced"),
        F("sensory", region="lateral arm", change="reduced"),
        F("weakness", movement="shoulder abduction", grade=4),
    ],
    "C6": [
        F("reflex", reflex="brachioradialis", grade="reduced"),
        F("sensory", region="thumb", change="reduced"),
        F("weakness", movement="wrist extension", grade=4),
    ],
    "C8": [F("sensory", region="little finger", change="reduced"), F("weakness", movement="finger flexion", grade=4)],
    "T4": [F("skin", sign="trophedema", segment="T4"), F("sensory", region="nipple line", change="reduced")],
    "L4": [
        F("reflex", reflex="knee jerk", grade="reduced"),
        F("sensory", region="medial leg", change="reduced"),
        F("weakness", movement="ankle dorsiflexion", grade=4),
    ],
    "L5": [F("sensory", region="dorsum of foot", change="reduced"), F("weakness", movement="great toe extension", grade=4)],
    "S1": [
        F("reflex", reflex="ankle jerk", grade="absent"),
        F("sensory", region="lateral foot", change="reduced"),
        F("weakness", movement="calf raise", grade=4),
    ],
}
REGIONS = {"C": ("lateral elbow",), "T": ("chest",), "L": ("low back",), "S": ("low back",)}


def P(level: str, sign: str = "thickened") -> dict[str, Any]:
    return F("paraspinal", level=level, sign=sign)


MULTIFIDUS = {"C": "multifidus_cervical", "T": "multifidus_thoracic", "L": "multifidus_lumbar", "S": "multifidus_lumbar"}

# (root signs, paraspinal findings, expected paraspinal steps as (level, root served), right side)
LEVELS = [
    # a single finding at one interspace plans that level, for the root it implicates
    ("C8", [P("C7-T1")], [("C7-T1", "C8")]),  # C8 leaves between C7 and T1
    ("C5", [P("C4-C5")], [("C4-C5", "C5")]),  # a cervical root leaves above its vertebra
    ("C6", [P("C5-C6")], [("C5-C6", "C6")]),
    ("T4", [P("T4-T5")], [("T4-T5", "T4")]),  # a thoracic root leaves below its vertebra
    ("L5", [P("L4-L5")], [("L4-L5", "L5")]),  # L5 traverses L4-L5 (the usual posterolateral disc)
    ("L4", [P("L4-L5")], [("L4-L5", "L4")]),  # L4 exits at L4-L5
    ("S1", [P("L5-S1")], [("L5-S1", "S1")]),
    # several findings plan each involved level
    ("L5", [P("L4-L5"), P("L5-S1")], [("L4-L5", "L5"), ("L5-S1", "L5")]),
    ("C6", [P("C5-C6"), P("C6", sign="tender")], [("C5-C6", "C6"), ("C6", "C6")]),
    # no paraspinal finding: the level levels.yaml gives the root (the interspace it leaves through,
    # or for a lumbar root the vertebra where it weighs most)
    ("C6", [], [("C5-C6", "C6")]),
    ("C8", [], [("C7-T1", "C8")]),
    ("T4", [], [("T4-T5", "T4")]),
    ("L5", [], [("L5", "L5")]),
    ("S1", [], [("S1", "S1")]),
]


@pytest.mark.parametrize(("root", "findings", "expected"), LEVELS, ids=[f"{r} {[f['level'] for f in p]}" for r, p, _ in LEVELS])
def test_paraspinal_steps_name_the_level_to_needle_and_the_root_it_serves(
    kb: KnowledgeBase, root: str, findings: list[dict[str, Any]], expected: list[tuple[str, str]]
) -> None:
    plan = plan11(kb, *findings, *SIGNS[root], regions=REGIONS[root[0]])
    muscle = MULTIFIDUS[root[0]]
    assert paraspinal(plan) == [(level, served, muscle, "right") for level, served in expected]
    first = plan.steps[0]
    assert first.reason.startswith(f"{kb.muscles[muscle].name.lower()} at {expected[0][0]}, for {expected[0][1]}")
    if findings:
        assert f"paraspinal finding 1 at {expected[0][0]}" in first.reason  # the finding is cited
    else:
        assert f"no paraspinal finding for {root}" in first.reason
        assert f"needled at {expected[0][0]}" in first.reason  # ...and which of the root's levels was chosen


def test_the_step_label_and_json_give_the_level_and_the_root(kb: KnowledgeBase) -> None:
    document = {
        "format": "1.1",
        "complaint": {"regions": ["little finger"], "side": "right"},
        "findings": [P("C7-T1"), *SIGNS["C8"]],
    }
    result = assess(document, kb)
    first = result.plan.steps[0]
    assert (first.label, first.reason.split(":")[0]) == ("C7-T1 for C8", "cervical multifidus at C7-T1, for C8")
    step = result.to_json()["plan"]["steps"][0]
    assert (step["level"], step["segment"], step["basis"], step["findings"]) == ("C7-T1", "C8", "paraspinal_finding", [1])


def test_the_muscle_comes_from_the_levels_paraspinal_list(kb: KnowledgeBase) -> None:
    # at C1-C2 the usual paraspinal target is the suboccipital group, not multifidus
    plan = plan11(kb, P("C1-C2"), F("tender_band", muscle="semispinalis capitis", severity=3), regions=("occiput",))
    assert paraspinal(plan)[0][:3] == ("C1-C2", "C2", "rectus_capitis_posterior_major")


def test_format_1_0_keeps_its_root_levels_and_names_the_vertebral_level(kb: KnowledgeBase) -> None:
    # "C6" in a 1.0 document is the C6 root; the step says where its needle goes
    plan = plan11(kb, F("paraspinal", level="C6"), *SIGNS["C6"], fmt=None)
    assert paraspinal(plan) == [("C5-C6", "C6", "multifidus_cervical", "right")]
    assert "paraspinal finding 1 at C6 (format 1.0: a root)" in plan.steps[0].reason


DEFAULTS = [
    ("C1", "C0-C1"),
    ("C2", "C1-C2"),
    ("C6", "C5-C6"),
    ("C8", "C7-T1"),
    ("T1", "T1-T2"),
    ("T12", "T12-L1"),
    ("L1", "L1"),
    ("L4", "L4"),
    ("L5", "L5"),
    ("S1", "S1"),
    ("S2", "S1"),  # below S1 the sacrum is fused
    ("CN V3", None),  # a cranial nerve has no paraspinal level
]


@pytest.mark.parametrize(("root", "level"), DEFAULTS)
def test_a_root_without_a_finding_is_needled_at_its_default_level(kb: KnowledgeBase, root: str, level: str | None) -> None:
    found = default_level(root, kb)
    assert (found.id if found else None) == level


def test_a_root_next_to_a_findings_level_is_needled_there_not_at_a_level_of_its_own(kb: KnowledgeBase) -> None:
    # one tender interspace (T4-T5) and skin signs at T3 and T4: paraspinal signs localise to about one
    # level, so the clinician's one level serves both roots
    plan = plan11(
        kb,
        P("T4-T5"),
        F("skin", sign="trophedema", segment="T4"),
        F("skin", sign="trophedema", segment="T3"),
        regions=("interscapular",),
    )
    assert [(level, muscle) for level, _, muscle, _ in paraspinal(plan)] == [("T4-T5", "multifidus_thoracic")]
    assert "for T4 (and T3, next to it)" in plan.steps[0].reason
