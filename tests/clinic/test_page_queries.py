"""Each main page answers with a fixed number of SQL queries, however many rows it lists.

The world is given several episodes, exams and audit events, so that a query made per row (an
N+1) changes the count. A count that changes for a good reason is re-pinned here, with the reason
in the commit. Counts include the session, the user, the membership and the audit row's insert.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from myotome.clinic.exams.models import Exam
from myotome.clinic.patients.models import Episode

from .conftest import World
from .exam_data import make_exam


@pytest.fixture
def busy(world: World) -> World:
    """Alice's patient with three episodes of hers and four exams in the first; the list pages have a few rows."""
    for condition in ("low_back_pain", "stiff_neck"):
        Episode.objects.create(patient=world.patient, clinician=world.alice, regions=["low_back"], side="left", condition=condition)
    for saved in (True, True, True, False):
        make_exam(world.episode, world.alice, saved=saved)
    client = world.client("alice")
    client.get(f"/patients/{world.patient.pk}/")  # the day page lists recently opened patients from the audit log
    return world


def _exam(w: World) -> Exam:
    exam = Exam.objects.filter(episode=w.episode, status="saved").first()
    assert exam is not None
    return exam


PAGES: list[tuple[str, str, Callable[[World], str], int]] = [
    (
        "day",
        "alice",
        lambda w: "/",
        12,
    ),  # + follow-up calls due (treatments), + outcome scores due (outcomes: the latest active, then discharged, episodes; then one query)
    ("patient list", "alice", lambda w: "/patients/", 7),
    (
        "patient",
        "alice",
        lambda w: f"/patients/{w.patient.pk}/",
        11,
    ),  # + outcome scores due of its episodes (outcomes: one query for measure sets, scores and sessions)
    (
        "episode",
        "alice",
        lambda w: f"/episodes/{w.episode.pk}/",
        14,
    ),  # + the episode's sessions (treatments), its measure set and primary scores, what is due (outcomes: one query)
    ("saved exam", "alice", lambda w: f"/exams/{_exam(w).pk}/", 8),  # + its addenda, with their writers
    ("new exam", "alice", lambda w: f"/episodes/{w.episode.pk}/exams/new/", 11),
    ("audit log", "erin", lambda w: "/audit/", 8),
]


@pytest.mark.parametrize(("page", "who", "path", "queries"), PAGES, ids=[p[0] for p in PAGES])
def test_the_page_makes_a_fixed_number_of_queries(busy: World, page: str, who: str, path: Callable[[World], str], queries: int) -> None:
    client = busy.client(who)
    url = path(busy)
    assert client.get(url).status_code == 200  # the first visit may fill caches (the session's clinic)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    made = [q["sql"] for q in captured.captured_queries]
    assert response.status_code == 200
    assert len(made) == queries, "\n".join(made)


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_more_exams_and_episodes_add_no_queries(busy: World) -> None:
    client = busy.client("alice")
    pages = [f"/patients/{busy.patient.pk}/", f"/episodes/{busy.episode.pk}/", "/"]
    for url in pages:
        client.get(url)
    before = [_count(client, url) for url in pages]
    for _ in range(3):
        make_exam(busy.episode, busy.alice)
        Episode.objects.create(patient=busy.patient, clinician=busy.alice, regions=["low_back"], side="left", condition="low_back_pain")
    assert [_count(client, url) for url in pages] == before
