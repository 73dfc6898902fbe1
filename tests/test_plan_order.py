"""Issue 8, section 6: proximal to distal means anatomical position, and a step's segment label names
the involved segment that justifies the muscle, saying when it is only a minor root. Clinical cases
a physiotherapist can review."""

from __future__ import annotations

from typing import Any

import pytest

from myotome.engine import assess
from myotome.kb import KnowledgeBase
from tests.plans import F, ids, plan11, step

C5 = (F("reflex", reflex="biceps", grade="reduced"), F("sensory", region="lateral arm", change="reduced"), F("paraspinal", level="C4-C5"))
C6 = (
    F("reflex", reflex="brachioradialis", grade="reduced"),
    F("sensory", region="thumb", change="reduced"),
    F("paraspinal", level="C5-C6"),
)
C7 = (
    F("reflex", reflex="triceps", grade="reduced"),
    F("sensory", region="middle finger", change="reduced"),
    F("paraspinal", level="C6-C7"),
)
S1 = (
    F("reflex", reflex="ankle jerk", grade="reduced"),
    F("sensory", region="lateral foot", change="reduced"),
    F("paraspinal", level="L5-S1"),
)

# (signs, bands as (muscle, severity), the order the plan must keep) -- the more tender band is
# written first and given severity 3 so that ordering by tenderness would put it first
ORDER = [
    (C6, [("ECRB", 3), ("ECRL", 1)], ["extensor_carpi_radialis_longus", "extensor_carpi_radialis_brevis"]),
    (C5, [("middle deltoid", 3), ("infraspinatus", 1)], ["infraspinatus", "middle_deltoid"]),
    (C6, [("abductor pollicis longus", 3), ("brachioradialis", 1)], ["brachioradialis", "abductor_pollicis_longus"]),
    (C6, [("supinator", 3), ("brachioradialis", 1)], ["brachioradialis", "supinator"]),
    (S1, [("gluteus medius", 3), ("piriformis", 1)], ["piriformis", "gluteus_medius"]),
    (S1, [("soleus", 3), ("gastrocnemius lateral head", 1)], ["gastrocnemius_lateral_head", "soleus"]),
]


@pytest.mark.parametrize(("signs", "bands", "expected"), ORDER, ids=[" before ".join(o[2]) for o in ORDER])
def test_within_a_tier_the_order_follows_the_muscles_position_not_tenderness(
    kb: KnowledgeBase, signs: tuple[dict[str, Any], ...], bands: list[tuple[str, int]], expected: list[str]
) -> None:
    plan = plan11(kb, *(F("tender_band", muscle=m, severity=s) for m, s in bands), *signs)
    order = ids(plan)
    assert [m for m in order if m in expected] == expected


def test_the_whole_periphery_runs_proximal_to_distal(kb: KnowledgeBase) -> None:
    bands = ("supinator", "ECRB", "biceps", "infraspinatus", "brachioradialis", "ECRL", "extensor digitorum", "teres minor")
    plan = plan11(kb, *(F("tender_band", muscle=m, severity=1 + i % 3) for i, m in enumerate(bands)), *C6, condition="tennis elbow")
    peripheral = [s.muscle for s in plan.steps if s.region != "paraspinal"]
    assert [(m.rank_order, m.position) for m in peripheral] == sorted((m.rank_order, m.position or 0) for m in peripheral)


# (signs, band, label, role): the involved segment that justifies the muscle, minor roots said so
LABELS = [
    (C6, "extensor carpi ulnaris", "C6, minor root", "minor"),  # ECU: C7-C8, minor C6
    (C6, "ECRB", "C6", "main"),
    (C6, "triceps", "C6, minor root", "minor"),  # triceps: C7 main, C6 and C8 minor
    (C7, "triceps", "C7", "main"),
    (C5, "biceps", "C5", "main"),
    (S1, "tibialis anterior", "S1, minor root", "minor"),  # L4-L5, minor S1
]


@pytest.mark.parametrize(("signs", "band", "label", "role"), LABELS, ids=[f"{b} {lb}" for _, b, lb, _ in LABELS])
def test_a_steps_segment_label_names_the_segment_and_whether_it_is_a_minor_root(
    kb: KnowledgeBase, signs: tuple[dict[str, Any], ...], band: str, label: str, role: str
) -> None:
    plan = plan11(kb, F("tender_band", muscle=band, severity=2), *signs)
    found = step(plan, kb.find_muscle(band).id)
    assert (found.label, found.segment_role) == (label, role)
    assert (", minor root" in found.reason) == (role == "minor")


def test_the_json_step_carries_the_segment_role(kb: KnowledgeBase) -> None:
    document = {
        "format": "1.1",
        "complaint": {"regions": ["lateral elbow"], "side": "right"},
        "findings": [F("tender_band", muscle="ECU", severity=2), *C6],
    }
    steps = {s["muscle"]["id"]: s for s in assess(document, kb).to_json()["plan"]["steps"]}
    assert (steps["extensor_carpi_ulnaris"]["segment"], steps["extensor_carpi_ulnaris"]["segment_role"]) == ("C6", "minor")
