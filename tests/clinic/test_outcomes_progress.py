"""The progress page: each measure against baseline and MCID, range against normal, insertions and
grasps; who may see it; the discharge report carrying the same charts.

World's episode is Alice's tennis elbow: primary PRTEE (no MCID established), then NPRS (MCID 2) and PSFS.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.outcomes.progress import episode_progress
from myotome.clinic.outcomes.service import save_score
from myotome.clinic.treatments.models import Insertion, RangeMeasure, TreatmentSession
from myotome.outcomes import score

from .conftest import World
from .exam_data import make_exam


def scored(world: World, measure: str, responses: Any, day: date, timepoint: str = "progress") -> None:
    save_score(world.episode, score(measure, responses), world.alice, timepoint, day)


def signed_session(world: World, day: date, responses: list[str], ranges: tuple[tuple[int, int], ...] = ()) -> TreatmentSession:
    started = timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))
    session = TreatmentSession.objects.create(episode=world.episode, practitioner=world.alice, started_at=started)
    for n, response in enumerate(responses):
        Insertion.objects.create(
            session=session, key=f"{session.pk}-{n}", muscle_id="supinator", side="right", response=response, recorded_by=world.alice
        )
    for before, after in ranges:
        RangeMeasure.objects.create(session=session, movement="shoulder_abduction", side="right", before=before, after=after)
    TreatmentSession.objects.filter(pk=session.pk).update(status="signed", signed_at=started, signed_by=world.alice)
    return session


@pytest.fixture
def course(world: World) -> World:
    """NPRS 7 -> 5 -> 4 over three weeks, PRTEE 60 -> 35, two signed sessions, an exam with shoulder abduction 120."""
    today = timezone.localdate()
    d1, d2, d3 = today - timedelta(days=21), today - timedelta(days=14), today - timedelta(days=7)
    scored(world, "nprs", [7], d1, "intake")
    scored(world, "nprs", [5], d2)
    scored(world, "nprs", [4], d3)
    scored(world, "prtee", {"pain": [6] * 5, "function": [6] * 10}, d1, "intake")
    scored(world, "prtee", {"pain": [4] * 5, "function": [3] * 10}, d3)
    make_exam(world.episode, world.alice)
    signed_session(world, d2, ["grasp", "grasp", "twitch", "none"], ranges=((120, 150),))
    signed_session(world, d3, ["grasp", "none", "none"], ranges=((140, 165),))
    return world


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg .*?</svg>", html, flags=re.S)


def test_the_page_charts_each_measure_range_and_insertions(course: World) -> None:
    response = course.client("alice").get(reverse("outcomes:progress", args=[course.episode.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    titles = re.findall(r'<title id="[^"]+-title">([^<]+)</title>', html)
    assert titles == [
        "Patient-Rated Tennis Elbow Evaluation over time",
        "Numeric Pain Rating Scale over time",
        "Shoulder abduction, right: range over time",
        "Insertions per session",
    ]
    assert all('role="img"' in svg for svg in _svgs(html))
    assert "Reached the MCID: 3 points better (MCID 2)." in html  # NPRS in words
    assert "no MCID is established for this measure" in html  # PRTEE
    assert html.count("rule-mcid") == 1  # NPRS only
    assert "Normal 180 deg" in html  # the KB's normal shoulder abduction (AAOS)
    shares = re.findall(r'class="bar-share"[^>]*>([^<]+)<', html)
    assert shares == ["50%", "33%"]  # 2 grasps of 4 insertions, then 1 of 3
    AuditEvent.objects.get(action=Action.VIEW, record_type="episode", detail="progress charts")


def test_the_page_reads_a_fixed_number_of_rows_whatever_the_history(course: World) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            episode_progress(course.episode)
        return len(captured)

    before = count()
    signed_session(course, timezone.localdate() - timedelta(days=3), ["grasp"] * 3, ranges=((150, 170),))
    scored(course, "nprs", [3], timezone.localdate() - timedelta(days=3))
    assert count() == before == 5  # measure set, scores, exams, ranges, insertions


def test_a_new_score_adds_a_point(course: World) -> None:
    client = course.client("alice")
    url = reverse("outcomes:progress", args=[course.episode.pk])
    before = client.get(url).content.decode().count('class="point"')
    scored(course, "nprs", [2], timezone.localdate())
    assert client.get(url).content.decode().count('class="point"') == before + 1


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 200), ("charlie", 404), ("dana", 403)])
def test_who_sees_the_progress_page(course: World, who: str, status: int) -> None:
    assert course.client(who).get(reverse("outcomes:progress", args=[course.episode.pk])).status_code == status


def test_page_size_and_render_time_are_reported(course: World, capsys: Any) -> None:
    client = course.client("alice")
    url = reverse("outcomes:progress", args=[course.episode.pk])
    client.get(url)
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert len(response.content) < 60_000
    with capsys.disabled():
        print(f"\nprogress page: {len(response.content):,} bytes, {elapsed:.0f} ms")


def test_the_discharge_report_pdf_carries_the_charts(course: World, capsys: Any) -> None:
    import io

    from pypdf import PdfReader

    response = course.client("alice").get(f"/episodes/{course.episode.pk}/discharge.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Progress charts" in text
    assert "Numeric Pain Rating Scale: baseline 7" in text and "Reached the MCID: 3 points better (MCID 2)." in text
    assert "Normal 180 deg" in text and "Lower is better" in text  # drawn from the charts' SVG
    assert len(response.content) < 150_000
    page = course.client("alice").get(f"/episodes/{course.episode.pk}/discharge/").content.decode()
    assert page.count('role="img"') >= 4  # the web report draws the same charts
    with capsys.disabled():
        print(f"\ndischarge report PDF with 4 progress charts: {len(response.content):,} bytes")
