"""Lighter pages: compressed HTML that stays uncached, the day page and the episode's exams a page
at a time, and exam lists that leave the stored document and result in the database."""

from __future__ import annotations

import gzip
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from myotome.clinic.exams.findings import Band, ExamInput, Weak, ZoneSign
from myotome.clinic.exams.models import Exam
from myotome.clinic.patients.models import Episode

from .conftest import World
from .exam_data import make_exam


def test_pages_are_gzipped_for_browsers_that_ask_and_still_never_stored(world: World) -> None:
    client = world.client("alice")
    plain = client.get(f"/patients/{world.patient.pk}/")
    zipped = client.get(f"/patients/{world.patient.pk}/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain and zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert zipped["Cache-Control"] == plain["Cache-Control"] == "no-store"
    page = gzip.decompress(zipped.content).decode()
    assert "Quennell" in page and len(zipped.content) < len(plain.content) / 2


def _episodes_of_alice(world: World, count: int) -> list[Episode]:
    return [
        Episode.objects.create(patient=world.patient, clinician=world.alice, regions=["low_back"], side="left", condition="low_back_pain")
        for _ in range(count)
    ]


def _episode_links(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/episodes/(\d+)/"', html)]


def test_the_day_page_lists_a_clinicians_episodes_a_page_at_a_time_newest_change_first(world: World) -> None:
    made = _episodes_of_alice(world, 24)  # with the world's own: 25 active episodes
    client = world.client("alice")
    first = client.get("/").content.decode()
    second = client.get("/?page=2").content.decode()
    newest_first = [e.pk for e in sorted([*made, world.episode], key=lambda e: (e.updated_at, e.pk), reverse=True)]
    assert _episode_links(first) == newest_first[:20]
    assert _episode_links(second) == newest_first[20:]
    assert "Page 1" in first and 'href="?page=2"' in first and 'rel="prev"' not in first
    assert 'href="?page=1"' in second and 'rel="next"' not in second


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999999999999999999999", "3", "900000000000000000"])
def test_a_day_page_number_out_of_range_shows_the_first_page_or_says_there_is_no_more(world: World, page: str) -> None:
    response = world.client("alice").get(f"/?page={page}")
    html = response.content.decode()
    assert response.status_code == 200
    if page in ("3", "900000000000000000"):  # past the end (the second read as the last page allowed)
        assert "No more active episodes" in html and world.episode.pk not in _episode_links(html)
    else:
        assert _episode_links(html) == [world.episode.pk]


@pytest.mark.database("sqlite")
def test_the_day_query_walks_the_clinicians_index(world: World) -> None:
    _episodes_of_alice(world, 3)
    query = Episode.objects.filter(clinician=world.alice, status="active").order_by("-updated_at", "-id")[:20]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        plan = " ".join(str(row) for row in cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())
    assert "episode_clinician_day" in plan and "TEMP B-TREE" not in plan  # no sort of every episode


def test_the_episode_page_lists_its_exams_a_page_at_a_time_without_their_documents(world: World) -> None:
    exams = [make_exam(world.episode, world.alice, saved=n % 5 != 0) for n in range(22)]
    client = world.client("alice")
    with CaptureQueriesContext(connection) as captured:
        first = client.get(f"/episodes/{world.episode.pk}/").content.decode()
    made = [q["sql"] for q in captured.captured_queries]  # now: the next request clears the log
    second = client.get(f"/episodes/{world.episode.pk}/?page=2").content.decode()
    newest_first = [e.pk for e in sorted(exams, key=lambda e: (e.created_at, e.pk), reverse=True)]
    assert [int(pk) for pk in re.findall(r'href="/exams/(\d+)/"', first)] == newest_first[:20]
    assert [int(pk) for pk in re.findall(r'href="/exams/(\d+)/"', second)] == newest_first[20:]
    listing = [sql for sql in made if 'FROM "exams_exam"' in sql and "listed_steps" in sql]
    # The result is read only inside the database's JSON functions: json_extract("exams_exam"."result", ...).
    assert listing and not any('"exams_exam"."document"' in sql or re.search(r'[^(]"exams_exam"\."result"', sql) for sql in listing)


def test_a_listed_exam_shows_what_its_result_says(world: World) -> None:
    saved, draft = make_exam(world.episode, world.alice), make_exam(world.episode, world.alice, saved=False)
    for exam in (saved, draft):
        full = Exam.objects.get(pk=exam.pk)
        listed = Exam.objects.listed().get(pk=exam.pk)
        assert listed.summary == full.summary
    summary = Exam.objects.listed().get(pk=saved.pk).summary
    assert summary["steps"] == len(saved.plan["steps"]) > 0  # type: ignore[index]
    assert [s["segment"] for s in summary["segments"]] == [s["segment"] for s in saved.top_segments]
    assert Exam.objects.listed().get(pk=draft.pk).summary == {"segments": [], "steps": None, "warnings": 0}


# Issue 9, "Weight": an exam page is under 150 KB of raw, uncompressed HTML. Measured on 2026-11-28
# with `pytest -q -s tests/clinic/test_page_weight.py -k raw_html` (bytes; tennis-elbow episode):
#                                                main before    after
#   new exam                                       186,824     115,656
#   draft of the 19-finding C6 exam (the form)     194,991     125,389
#   saved C6 exam                                   29,190      29,190
# What it was: the chart's 355 targets each repeating kind, side, id, name and abbreviations (now
# in the href and a cached static table), a hundred ladder rungs each with a formaction and deep
# indentation, range boxes with empty outputs, and the whitespace of every loop.
EXAM_PAGE_BUDGET = 150_000


def _browser_c6_input() -> ExamInput:
    """The browser tests' right C6 exam (tests/browser/test_exam_interactions.py): 8 tender bands,
    C5-C6, 2 skin signs, the thumb's sensation, 2 weaknesses, 2 reflexes, 3 ranges of motion."""
    bands = ["brachialis", "brachioradialis", "flexor_carpi_radialis", "pronator_teres"]
    bands += ["extensor_carpi_radialis_longus", "extensor_carpi_radialis_brevis", "supinator", "extensor_digitorum"]
    return ExamInput(
        bands=[Band(muscle, "right", 1) for muscle in bands],
        zones=[
            ZoneSign("lateral_forearm", "right", "skin", "trophedema"),
            ZoneSign("lateral_elbow", "right", "skin", "trophedema"),
            ZoneSign("thumb", "right", "sensory", "reduced"),
        ],
        levels={("C5-C6", "right"): "tender"},
        weakness=[Weak("movement", "elbow_flexion", "right", 4), Weak("movement", "wrist_extension", "right", 4)],
        reflexes={("biceps_reflex", "right"): "reduced", ("brachioradialis_reflex", "right"): "reduced"},
        rom={("cervical_rotation", "right"): 60.0, ("shoulder_abduction", "right"): 150.0, ("wrist_extension", "right"): 50.0},
    )


def _exam_pages(world: World) -> dict[str, bytes]:
    client = world.client("alice")
    saved, draft = make_exam(world.episode, world.alice), make_exam(world.episode, world.alice, _browser_c6_input(), saved=False)
    pages = {
        "new exam": client.get(f"/episodes/{world.episode.pk}/exams/new/"),
        "draft of the 19-finding C6 exam (the form)": client.get(f"/exams/{draft.pk}/edit/"),
        "saved C6 exam": client.get(f"/exams/{saved.pk}/"),
    }
    assert all(r.status_code == 200 and "Content-Encoding" not in r for r in pages.values())
    return {name: r.content for name, r in pages.items()}


def test_exam_pages_are_under_150_kb_of_raw_html(world: World) -> None:
    pages = _exam_pages(world)
    for name, html in pages.items():
        print(f"{name}: {len(html):,} bytes")
    draft = pages["draft of the 19-finding C6 exam (the form)"].decode()
    marks = re.findall(r'<li class="mark[^"]*" data-token="[^"]+"', draft)  # (the row templates have no token)
    assert len(marks) == 8 + 3 and 'data-rung="para_C5-C6_right" class="rung-tender"' in draft  # the exam, shown
    assert {name: len(html) for name, html in pages.items() if len(html) >= EXAM_PAGE_BUDGET} == {}
