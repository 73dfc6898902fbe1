"""Document pages and PDFs: who may open them (clinician, colleague, front desk, outsider,
anonymous), every read audited, no patient data in the URL or the file name, and the PDF's
text: the segments named, the chest advice only when a thoracic muscle was needled."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from myotome.clinic.audit.models import AuditEvent
from myotome.clinic.treatments.models import TreatmentSession
from tests.clinic.conftest import World
from tests.clinic.session_data import insert, started


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def session(world: World) -> TreatmentSession:
    """Alice's session from the C6 exam's plan, its first two steps needled with a grasp."""
    s = started(world)
    client = world.client("alice")
    for step in s.steps.all()[:2]:
        assert insert(client, s, step=step.pk, response="grasp", released="yes").status_code in (200, 201)
    return s


def urls(session: TreatmentSession) -> dict[str, str]:
    return {
        "session summary": f"/sessions/{session.pk}/summary/",
        "session summary PDF": f"/sessions/{session.pk}/summary.pdf",
        "session handout": f"/sessions/{session.pk}/handout/",
        "session handout PDF": f"/sessions/{session.pk}/handout.pdf",
        "exam handout": f"/exams/{session.exam_id}/handout/",
        "exam handout PDF": f"/exams/{session.exam_id}/handout.pdf",
        "discharge report": f"/episodes/{session.episode_id}/discharge/",
        "discharge report PDF": f"/episodes/{session.episode_id}/discharge.pdf",
    }


DOCUMENTS = [
    "session summary",
    "session summary PDF",
    "session handout",
    "session handout PDF",
    "exam handout",
    "exam handout PDF",
    "discharge report",
    "discharge report PDF",
]


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("alice", 200),  # the practitioner
        ("bob", 200),  # a colleague in the same clinic
        ("dana", 403),  # front desk: clinical content
        ("charlie", 404),  # another clinic: the same 404 as for no record
        (None, 302),  # anonymous: to the login page
    ],
)
def test_who_may_open_each_document(world: World, session: TreatmentSession, document: str, who: str | None, status: int) -> None:
    response = world.client(who).get(urls(session)[document])
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_page_and_download_is_an_audited_read(world: World, session: TreatmentSession, document: str) -> None:
    before = AuditEvent.objects.filter(action="view").count()
    world.client("bob").get(urls(session)[document])
    event = AuditEvent.objects.filter(action="view").order_by("-id").first()
    assert AuditEvent.objects.filter(action="view").count() == before + 1
    assert event is not None and event.user_id == world.bob.pk and event.clinic_id == world.clinic_a.pk
    assert ("PDF download" in event.detail) is document.endswith("PDF")


@pytest.mark.parametrize("document", [d for d in DOCUMENTS if d.endswith("PDF")])
def test_a_pdf_has_a_generic_file_name_and_is_not_cached(world: World, session: TreatmentSession, document: str) -> None:
    response = world.client("alice").get(urls(session)[document])
    assert response["Content-Type"] == "application/pdf"
    kind = response["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert kind in ("session-summary.pdf", "handout.pdf", "discharge-report.pdf")
    assert "no-store" in response["Cache-Control"]
    assert world.patient.family_name not in response["Content-Disposition"]


def test_the_session_summary_pdf_names_segments_muscles_and_responses(world: World, session: TreatmentSession) -> None:
    text = pdf_text(world.client("alice").get(urls(session)["session summary PDF"]).content)
    first = session.steps.first()
    assert first is not None
    for words in ("C6 right", first.muscle_name, "Grasp / cramp", "Ottoline Quennell", "Draft: not signed"):
        assert words in text


def test_the_handout_pdf_names_the_segments_and_gives_chest_advice_only_after_thoracic_needling(
    world: World, session: TreatmentSession
) -> None:
    client = world.client("alice")
    assert not session.insertions.filter(thoracic=True).exists()
    text = pdf_text(client.get(urls(session)["session handout PDF"]).content)
    assert "C6" in text and "neck" in text
    assert "short of breath" not in text
    insert(client, session, step="", muscle="rhomboid major", side="right")  # over the thorax
    assert session.insertions.filter(thoracic=True).exists()
    text = pdf_text(client.get(urls(session)["session handout PDF"]).content)
    assert "short of breath" in text and "Rhomboid major" in text


def test_the_session_page_links_its_documents(world: World, session: TreatmentSession) -> None:
    page = world.client("alice").get(f"/sessions/{session.pk}/").content.decode()
    assert f"/sessions/{session.pk}/summary/" in page and f"/sessions/{session.pk}/handout/" in page


def test_the_document_page_shows_the_points_needled_on_the_chart(world: World, session: TreatmentSession) -> None:
    page = world.client("alice").get(urls(session)["session summary"]).content.decode()
    assert 'data-order="1"' in page and 'data-order="2"' in page
    assert "<style" not in page and " style=" not in page  # the CSP refuses inline styles


def test_the_discharge_report_lists_each_session(world: World, session: TreatmentSession) -> None:
    page = world.client("alice").get(urls(session)["discharge report"]).content.decode()
    assert "Session 1:" in page and "Likely segments" in page


@pytest.mark.parametrize("document", ["session summary", "session summary PDF", "discharge report", "discharge report PDF"])
def test_an_exam_addendum_is_printed_under_its_findings(world: World, session: TreatmentSession, document: str) -> None:
    client = world.client("bob")
    assert client.post(f"/exams/{session.exam_id}/addenda/", {"text": "Reflex re-tested: normal, not reduced."}).status_code == 302
    response = client.get(urls(session)[document])
    text = pdf_text(response.content) if document.endswith("PDF") else response.content.decode()
    assert "brachioradialis" in text.lower()  # the finding stays as signed
    assert text.lower().index("findings") < text.index("Exam addendum") < text.index("Reflex re-tested: normal, not reduced.")
    assert "Bob Tester" in text[text.index("Exam addendum") :]
