"""The prognostic report on practices built in the test: a planted effect is found, and only it; without one, nothing is.

Each practice has 24 completed back-pain episodes (ODI, MCID 10), each with one session and a
first exam at L5. Half the first exams found trophedema; alternate episodes in each half have a
band of severity 3; every exam found paraspinal tenderness at L5 (the top-ranked level), so that
feature has no group without it. With the effect, 11 of the 12 trophedema episodes reach the
MCID and 2 of the other 12 do; without it, 6 of each 12.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from myotome.clinic.analytics.prognostic import BAND_3, PARASPINAL, exam_features, prognostic_rows
from myotome.clinic.analytics.queries import episode_facts
from myotome.kb import load_kb

from .analytics_data import course
from .conftest import World

TROPHEDEMA = {"type": "skin", "sign": "trophedema", "region": "lateral_thigh", "side": "left"}
BAND = {"type": "tender_band", "muscle": "gluteus_medius", "side": "left", "severity": 3}
MILD_BAND = {"type": "tender_band", "muscle": "gluteus_medius", "side": "left", "severity": 1}
PARASPINAL_L5 = {"type": "paraspinal", "level": "L4-L5", "side": "left", "sign": "tender"}


def _practice(world: World, reached_with: int, reached_without: int) -> None:
    for n in range(24):
        skin = n < 12
        reached = (n if skin else n - 12) < (reached_with if skin else reached_without)
        findings = [PARASPINAL_L5, BAND if n % 2 else MILD_BAND, *([TROPHEDEMA] if skin else [])]
        course(world.alice, "low_back_pain", patient=world.patient, scores=[(0, "intake", 40), (14, "discharge", 25 if reached else 38)],
               sessions=[0], segments=["L5"], findings=findings)  # fmt: skip


def _significant(world: World) -> list[str]:
    rows, compared = prognostic_rows(episode_facts(world.clinic_a, completed_only=True, with_treatment=True), load_kb())
    assert compared == 24
    return [feature.key for feature, comparison in rows if comparison.significant]


def test_the_planted_effect_is_found_and_only_it(world: World) -> None:
    _practice(world, reached_with=11, reached_without=2)
    assert _significant(world) == ["skin:trophedema"]


def test_without_an_effect_nothing_is_significant_after_correction(world: World) -> None:
    _practice(world, reached_with=6, reached_without=6)
    assert _significant(world) == []


def test_the_page_shows_shares_intervals_flags_and_says_it_is_descriptive(world: World) -> None:
    _practice(world, reached_with=11, reached_without=2)
    page = world.client("erin").get("/analytics/prognosis/").content.decode()
    assert "Descriptive only" in page and "changes nothing in the engine" in page
    assert "92% (11 of 12; 95% CI 65–99%)" in page and "17% (2 of 12; 95% CI 5–45%)" in page
    assert "Differs after correction" in page
    assert "Too few episodes to test" in page  # paraspinal tenderness at L5 in every episode: no group without it
    assert "Benjamini–Hochberg" in page


@pytest.mark.parametrize(
    ("finding", "segment", "feature"),
    [
        # The levels that implicate a root are the knowledge base's (levels.yaml): L5 traverses L4-L5 and exits at L5-S1.
        (PARASPINAL_L5, "L5", PARASPINAL),
        ({**PARASPINAL_L5, "level": "L5-S1"}, "L5", PARASPINAL),
        ({**PARASPINAL_L5, "level": "L2-L3"}, "L5", None),
        ({**PARASPINAL_L5, "level": "C5-C6"}, "C5", None),  # C5-C6 is where C6 exits, not C5
        ({**PARASPINAL_L5, "level": "L5"}, "L5", PARASPINAL),
        (BAND, "L5", BAND_3),
        (MILD_BAND, "L5", None),
        ({"type": "reflex", "reflex": "achilles_reflex", "side": "left", "grade": "absent"}, "S1", "reflex:achilles_reflex:reduced"),
        ({"type": "reflex", "reflex": "patellar_reflex", "side": "left", "grade": "brisk"}, "L4", "reflex:patellar_reflex:increased"),
        ({"type": "reflex", "reflex": "patellar_reflex", "side": "left", "grade": "normal"}, "L4", None),
        # Pathological signs are positive or negative: a "reduced" clonus is no change at all.
        ({"type": "reflex", "reflex": "hoffmann_sign", "side": "left", "grade": "positive"}, "C8", "reflex:hoffmann_sign:positive"),
        ({"type": "reflex", "reflex": "ankle_clonus", "side": "left", "grade": "reduced"}, "S1", None),
        ({"type": "skin", "sign": "hair_loss", "segment": "L5", "side": "left"}, "L5", "skin:hair_loss"),
    ],
)
def test_exam_features_read_from_a_document(finding: dict[str, object], segment: str, feature: str | None) -> None:
    found = exam_features({"format": "1.1", "findings": [finding]}, segment, load_kb())
    assert found == ({feature} if feature else set())


def test_a_format_1_0_paraspinal_level_names_the_roots() -> None:
    document = {"findings": [{"type": "paraspinal", "level": "C5-C6", "side": "left"}]}
    assert exam_features(document, "C6", load_kb()) == {PARASPINAL}


def test_the_report_makes_a_fixed_number_of_queries(world: World) -> None:
    _practice(world, reached_with=11, reached_without=2)
    client = world.client("erin")
    assert client.get("/analytics/prognosis/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/analytics/prognosis/").status_code == 200
    # the session, the user, the membership, the second factor; the episodes, their primary measures' courses, their adverse
    # events, the episodes with a paraspinal step done and with a grasp, the first exams' documents; the audit row
    assert len(captured) == 11, "\n".join(q["sql"] for q in captured.captured_queries)
