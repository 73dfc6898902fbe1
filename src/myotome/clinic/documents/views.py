"""Document pages and their PDFs: the session summary and handout, the exam's handout (before
the first session) and the episode's discharge report. Clinical content, so clinicians only;
every page and every PDF download is an audited read. The PDF's file name is generic
(``session-summary.pdf``): no patient data in a URL or a file name."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from myotome.clinic.accounts.access import member_required, require_clinical
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event
from myotome.clinic.documents import facts
from myotome.clinic.exams.access import get_exam_for
from myotome.clinic.exams.chart import chart_svg
from myotome.clinic.patients.access import get_episode_for
from myotome.clinic.treatments.access import get_session_for
from myotome.documents import Chart, Document, handout
from myotome.documents.pdf import to_pdf
from myotome.documents.records import discharge_report, session_summary

HTML, PDF = "html", "pdf"


@require_GET
@member_required
def session_document(request: HttpRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
    session = get_session_for(request, pk)
    require_clinical(request, session)
    doc = session_summary(facts.session_record(session)) if kind == "summary" else handout(facts.session_handout_facts(session))
    back = (reverse("treatments:session", args=[pk]), "Back to the session")
    return _respond(request, doc, session, fmt, back, reverse(f"documents:session_{kind}_pdf", args=[pk]))


@require_GET
@member_required
def exam_handout(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    exam = get_exam_for(request, pk)
    require_clinical(request, exam)
    back = (reverse("exams:detail", args=[pk]), "Back to the exam")
    return _respond(request, handout(facts.exam_handout_facts(exam)), exam, fmt, back, reverse("documents:exam_handout_pdf", args=[pk]))


@require_GET
@member_required
def episode_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    episode = get_episode_for(request, pk)
    require_clinical(request, episode)
    back = (reverse("patients:episode", args=[pk]), "Back to the episode")
    return _respond(
        request, discharge_report(facts.episode_record(episode)), episode, fmt, back, reverse("documents:discharge_pdf", args=[pk])
    )


def _respond(request: HttpRequest, doc: Document, record: Any, fmt: str, back: tuple[str, str], pdf_url: str) -> HttpResponse:
    record_event(request, Action.VIEW, record=record, detail=f"{doc.kind} {'PDF download' if fmt == PDF else 'page'}")
    if fmt == PDF:
        response = HttpResponse(to_pdf(doc), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{doc.kind}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
    context = {"doc": doc, "sections": _sections(doc), "back": back, "pdf_url": pdf_url}
    return render(request, "documents/document.html", context)


def _sections(doc: Document) -> list[tuple[str, list[tuple[str, Any]]]]:
    """Each section's blocks tagged by type for the template; charts drawn as the exam page draws them."""
    out = []
    for section in doc.sections:
        blocks: list[tuple[str, Any]] = []
        for block in section.blocks:
            if isinstance(block, Chart):
                marks = block.marks()
                blocks.append(("chart", {"caption": block.caption, "svgs": [chart_svg(v, marks) for v in ("front", "back")]}))
            else:
                blocks.append((type(block).__name__.lower(), block))
        out.append((section.heading, blocks))
    return out
