"""The patient handout: this patient's segments and muscles, the thoracic advice only when a
lung-zone muscle was needled, and a reading age of about 12 (Flesch-Kincaid grade <= 7)."""

from __future__ import annotations

import pytest

from myotome.documents import HandoutFacts, handout
from myotome.documents.readability import flesch_kincaid_grade

PLANS = {
    "tennis elbow": HandoutFacts(
        ("outside of the elbow", "forearm"),
        ("C6", "C7"),
        ("Cervical multifidus", "Supinator", "Extensor carpi radialis brevis", "Brachioradialis"),
    ),
    "low back and leg": HandoutFacts(
        ("lower back", "back of the thigh"), ("L5", "S1"), ("Lumbar multifidus", "Gluteus medius", "Biceps femoris")
    ),
    "shoulder, thoracic": HandoutFacts(
        ("shoulder",), ("C5",), ("Cervical multifidus", "Upper trapezius", "Infraspinatus", "Supraspinatus"), thoracic=True
    ),
    "before the first session": HandoutFacts(("knee",), ("L3", "L4"), ("Lumbar multifidus", "Vastus medialis"), needled=False),
    "no segment ranked": HandoutFacts(("heel",), (), ()),
}


@pytest.mark.parametrize("name", PLANS)
def test_reading_grade_is_at_most_seven(name: str) -> None:
    grade = flesch_kincaid_grade(handout(PLANS[name]).text())
    assert 0 < grade <= 7, f"{name}: grade {grade:.1f}"


@pytest.mark.parametrize(
    ("name", "said"),
    [
        (
            "tennis elbow",
            ["nerve at C6 and C7, in your neck", "outside of the elbow", "Extensor carpi radialis brevis", "Today we treated"],
        ),
        ("low back and leg", ["nerve at L5 and S1, in your lower back", "Biceps femoris"]),
        ("before the first session", ["We plan to treat", "Vastus medialis"]),
        ("no segment ranked", ["No muscles yet."]),
    ],
)
def test_it_names_this_patients_segments_and_muscles(name: str, said: list[str]) -> None:
    text = handout(PLANS[name]).text()
    for words in said:
        assert words in text


@pytest.mark.parametrize(("name", "advised"), [("tennis elbow", False), ("low back and leg", False), ("shoulder, thoracic", True)])
def test_chest_advice_only_after_thoracic_needling(name: str, advised: bool) -> None:
    text = handout(PLANS[name]).text()
    assert ("short of breath" in text) is advised
    assert ("chest pain" in text) is advised


def test_it_says_what_the_grasp_means_and_how_long_soreness_lasts() -> None:
    text = handout(PLANS["tennis elbow"]).text()
    assert "grasp" in text and "cramp" in text and "one to three days" in text and "Call the clinic" in text
