"""Documents as PDF: the text read back with pypdf is the document's text."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from myotome.documents import HandoutFacts, handout
from myotome.documents.model import Point
from myotome.documents.pdf import latin1, to_pdf
from myotome.documents.records import EpisodeRecord, InsertionLine, MeasureLine, SessionRecord, discharge_report, session_summary


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


RECORD = SessionRecord(
    when="3 Nov 2026, 10:00",
    practitioner="Ann Lee",
    status="Signed 3 Nov 2026, 10:40 by Ann Lee.",
    complaint="Right lateral elbow; tennis elbow; pain 6/10.",
    findings=("Tender band: supinator, right, severity 2",),
    segments=("C6 right (score 0.74): reduced sensation over thumb",),
    plan=("1. Cervical multifidus, right, at C5-C6",),
    insertions=(
        InsertionLine("Cervical multifidus, right, at C5-C6", "Grasp / cramp", "Yes", "8 → 3", "40 mm", ""),
        InsertionLine("Upper trapezius, right", "Local twitch", "—", "—", "", "", thoracic=True),
    ),
    measures=(MeasureLine("Pain (NPRS 0-10)", "6", "3", "-3"),),
    adverse=("Bruising, mild: pressure applied",),
    points=(Point(1, "multifidus_cervical", "right", "C5-C6"), Point(2, "upper_trapezius", "right")),
    meta=(("Patient", "Zoë Example"),),
)


def test_a_session_summary_pdf_holds_its_record() -> None:
    text = pdf_text(to_pdf(session_summary(RECORD)))
    for words in ("IMS session summary", "C6 right", "Cervical multifidus", "Grasp / cramp", "8 -> 3", "Bruising, mild", "Zoë Example"):
        assert words in text


def test_a_discharge_report_pdf_lists_every_session() -> None:
    episode = EpisodeRecord("Tennis elbow", "1 Nov 2026", "Open", "Right elbow", (), ("C6 right",), (), (RECORD, RECORD), ("3 Nov: 6 → 3",))
    text = pdf_text(to_pdf(discharge_report(episode)))
    assert "Session 1: 3 Nov 2026" in text and "Session 2: 3 Nov 2026" in text and "C6 right" in text


@pytest.mark.parametrize(("thoracic", "advised"), [(False, False), (True, True)])
def test_the_handout_pdf_has_chest_advice_only_after_thoracic_needling(thoracic: bool, advised: bool) -> None:
    text = pdf_text(to_pdf(handout(HandoutFacts(("elbow",), ("C6",), ("Supinator",), thoracic=thoracic))))
    assert "C6" in text and "Supinator" in text
    assert ("short of breath" in text) is advised


@pytest.mark.parametrize(
    ("given", "written"), [("8 → 3", "8 -> 3"), ("a – b", "a - b"), ("Dvořák", "Dvorák"), ("张", "?"), ("café", "café")]
)
def test_text_outside_latin1_is_written_in_its_nearest_form(given: str, written: str) -> None:
    assert latin1(given) == written


def test_a_discharge_report_pdf_draws_the_progress_charts_with_their_words() -> None:
    from datetime import date

    from myotome.charts import render_line_chart
    from myotome.documents.model import Graph
    from myotome.outcomes import load_measures
    from myotome.outcomes.progress import measure_chart

    chart = measure_chart(load_measures()["nprs"], [(date(2026, 11, 3), 7), (date(2026, 11, 24), 4)])
    graph = Graph(render_line_chart(chart), chart.desc)
    bare = EpisodeRecord("Tennis elbow", "1 Nov 2026", "Open", "Right elbow", (), (), (), (RECORD,))
    charted = EpisodeRecord(
        "Tennis elbow",
        "1 Nov 2026",
        "Open",
        "Right elbow",
        (),
        (),
        (),
        (RECORD,),
        outcomes=("NPRS: baseline 7, latest 4.",),
        progress=(graph,),
    )
    plain, drawn = to_pdf(discharge_report(bare)), to_pdf(discharge_report(charted))
    text = pdf_text(drawn)
    assert "Progress charts" in text and "Reached the MCID: 3 points better (MCID 2)." in text
    assert "Lower is better" in text  # the chart's own words, drawn from the SVG
    assert "Progress charts" not in pdf_text(plain) and "No outcome measure scored." in pdf_text(plain)
    assert 500 < len(drawn) - len(plain) < 20_000  # vectors, not an image: under 2 kB a chart, compressed
