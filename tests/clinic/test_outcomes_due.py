"""Outcome scores due on Today and the patient page: intake, every N sessions (the clinic's
setting), discharge, computed in one query.

World's episode is Alice's tennis elbow: primary measure PRTEE.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.outcomes.models import EpisodeMeasures, OutcomeSettings
from myotome.clinic.outcomes.service import due_for, save_score
from myotome.clinic.patients.models import Episode
from myotome.clinic.treatments.models import TreatmentSession
from myotome.outcomes import score

from .conftest import World

PRTEE = {"pain": [6] * 5, "function": [6] * 10}
NOW = timezone.now()


def prtee(world: World, timepoint: str, days_ago: int) -> None:
    save_score(world.episode, score("prtee", PRTEE), world.alice, timepoint, (NOW - timedelta(days=days_ago)).date())


def sessions(world: World, count: int, signed: bool = True) -> None:
    for n in range(count):
        # After the scores, which are recorded at the moment they are saved (not at NOW: the module is
        # imported when the suite starts, minutes before this test runs).
        started = timezone.now() + timedelta(minutes=n + 1)
        session = TreatmentSession.objects.create(episode=world.episode, practitioner=world.alice, started_at=started)
        if signed:
            TreatmentSession.objects.filter(pk=session.pk).update(status="signed", signed_at=started, signed_by=world.alice)


# status, PRTEE scores (timepoints), signed sessions after them, the clinic's N (None: default 4), what is due
CASES = [
    ("active", [], 0, None, "intake"),
    ("active", ["intake"], 3, None, None),
    ("active", ["intake"], 4, None, "progress"),  # the 4th session since the intake score
    ("active", ["intake"], 2, 2, "progress"),  # the clinic asks every 2 sessions
    ("active", ["intake"], 2, 3, None),
    ("discharged", ["intake"], 0, None, "discharge"),
    ("discharged", ["intake", "discharge"], 5, None, None),
    ("on_hold", [], 9, None, None),
]


@pytest.mark.parametrize(("status", "scores", "signed", "every", "expected"), CASES)
def test_what_is_due(world: World, status: str, scores: list[str], signed: int, every: int | None, expected: str | None) -> None:
    for n, timepoint in enumerate(scores):
        prtee(world, timepoint, days_ago=10 - n)
    sessions(world, signed)
    if every is not None:
        OutcomeSettings.objects.create(clinic=world.clinic_a, every_sessions=every)
    Episode.objects.filter(pk=world.episode.pk).update(status=status)
    found = due_for([world.episode.pk], world.clinic_a.pk)
    assert [(d.episode_id, d.what, d.measure) for d in found] == ([(world.episode.pk, expected, "prtee")] if expected else [])


def test_draft_sessions_and_other_measures_do_not_count(world: World) -> None:
    prtee(world, "intake", days_ago=10)
    sessions(world, 6, signed=False)
    save_score(world.episode, score("nprs", [5]), world.alice, "progress", NOW.date())  # not the primary measure
    assert due_for([world.episode.pk], world.clinic_a.pk) == []


def test_a_chosen_primary_measure_is_the_one_that_counts(world: World) -> None:
    prtee(world, "intake", days_ago=10)
    EpisodeMeasures.objects.create(episode=world.episode, measures=["nprs", "prtee"])
    [found] = due_for([world.episode.pk], world.clinic_a.pk)
    assert (found.what, found.measure) == ("intake", "nprs")


def test_today_lists_what_is_due_on_my_episodes(world: World) -> None:
    prtee(world, "intake", days_ago=10)
    sessions(world, 4)
    discharged = Episode.objects.create(
        patient=world.patient, clinician=world.alice, regions=["low_back"], side="left", condition="low_back_pain", status="discharged"
    )
    save_score(discharged, score("odi", [1] * 10), world.alice, "intake", NOW.date())
    Episode.objects.create(patient=world.patient, clinician=world.bob, regions=["low_back"], side="left", condition="low_back_pain")
    page = world.client("alice").get("/").content.decode()
    assert "Outcome measures due" in page
    assert "a progress score on Patient-Rated Tennis Elbow Evaluation (4 or more sessions since the last)" in page
    assert "a discharge score on Oswestry Disability Index" in page
    assert page.count("an intake score") == 0  # Bob's episode is not on Alice's Today
    assert "an intake score on Oswestry" in world.client("bob").get("/").content.decode()


def test_the_patient_page_lists_what_is_due_on_each_episode(world: World) -> None:
    sessions(world, 1)
    page = world.client("alice").get(f"/patients/{world.patient.pk}/").content.decode()
    assert "Due: an intake score on Patient-Rated Tennis Elbow Evaluation" in page


@pytest.mark.parametrize(("who", "status"), [("erin", 200), ("alice", 403), ("dana", 403)])
def test_only_a_clinic_admin_sets_n(world: World, who: str, status: int) -> None:
    client = world.client(who)
    assert client.get(reverse("outcomes:settings")).status_code == status
    response = client.post(reverse("outcomes:settings"), {"every_sessions": "6"})
    assert response.status_code == (302 if status == 200 else 403)
    assert OutcomeSettings.objects.filter(clinic=world.clinic_a, every_sessions=6).exists() is (status == 200)
    if status == 200:
        AuditEvent.objects.get(action=Action.UPDATE, record_type="outcomesettings")


@pytest.mark.parametrize("value", ["0", "51", "x"])
def test_n_must_be_between_1_and_50(world: World, value: str) -> None:
    response = world.client("erin").post(reverse("outcomes:settings"), {"every_sessions": value})
    assert response.status_code == 422
    assert not OutcomeSettings.objects.exists()


def test_the_episode_page_prompts_after_n_sessions_like_today(world: World) -> None:
    prtee(world, "intake", days_ago=10)
    sessions(world, 4)
    for url in (reverse("patients:episode", args=[world.episode.pk]), reverse("outcomes:episode", args=[world.episode.pk])):
        page = world.client("alice").get(url).content.decode()
        assert "Due: a progress score on Patient-Rated Tennis Elbow Evaluation (4 or more sessions since the last)." in page


def test_today_shows_a_screenful_of_what_is_due_the_most_urgent_first(world: World, monkeypatch: Any) -> None:
    from myotome.clinic.outcomes.templatetags import outcome_tags

    monkeypatch.setattr(outcome_tags, "TODAY_SHOWN", 2)
    discharged = Episode.objects.create(
        patient=world.patient, clinician=world.alice, regions=["low_back"], side="left", condition="low_back_pain", status="discharged"
    )
    save_score(discharged, score("odi", [1] * 10), world.alice, "intake", NOW.date())
    for _ in range(2):  # two more episodes with no baseline yet
        Episode.objects.create(patient=world.patient, clinician=world.alice, regions=["low_back"], side="left", condition="low_back_pain")
    page = world.client("alice").get("/").content.decode()
    due = page[page.index('id="outcomes-due"') :]
    assert due.index("a discharge score on Oswestry") < due.index("an intake score")
    assert due.count("<li>") == 2 and "And 2 more on your other episodes" in due


def test_today_looks_at_the_latest_active_and_recently_discharged_episodes(world: World, monkeypatch: Any) -> None:
    from myotome.clinic.outcomes.templatetags import outcome_tags

    monkeypatch.setattr(outcome_tags, "TODAY_LIMIT", 3)

    def episode(status: str, days_ago: int, condition: str = "low_back_pain") -> Episode:
        made = Episode.objects.create(
            patient=world.patient, clinician=world.alice, regions=["low_back"], side="left", condition=condition, status=status
        )
        Episode.objects.filter(pk=made.pk).update(updated_at=timezone.now() - timedelta(days=days_ago))
        return made

    # No score on any of them: each active one is due an intake score, each discharged one a discharge score.
    world.episode.delete()
    old_active = episode("active", 100)
    kept = [episode("active", 1), episode("discharged", 2), episode("active", 3)]
    episode("discharged", outcome_tags.DISCHARGED_DAYS + 5)  # discharged too long ago
    episode("on_hold", 0)  # neither active nor discharged
    assert outcome_tags._latest_episodes(world.clinic_a.pk, world.alice) == [e.pk for e in kept]
    monkeypatch.setattr(outcome_tags, "TODAY_LIMIT", 4)
    assert outcome_tags._latest_episodes(world.clinic_a.pk, world.alice) == [*(e.pk for e in kept), old_active.pk]


def test_today_with_no_episode_of_ones_own_shows_nothing_due(world: World) -> None:
    Episode.objects.filter(clinician=world.alice).delete()
    page = world.client("alice").get("/").content.decode()
    assert "No outcome score is due on your episodes." in page
    assert due_for([], world.clinic_a.pk) == []


@pytest.mark.database("sqlite")
def test_the_due_query_finds_its_episodes_by_id_without_scanning_the_practice(world: World) -> None:
    with CaptureQueriesContext(connection) as queries:
        due_for([world.episode.pk, world.other_episode.pk], world.clinic_a.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {queries.captured_queries[-1]['sql']}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    # Given as a subquery, the ids were matched by reading every episode of the practice.
    assert "SEARCH e USING INTEGER PRIMARY KEY" in plan and "SCAN patients_episode" not in plan
