"""Assess and save: an exam's document, the engine's result and the fields a saved exam stores.

The exam form (one exam, saved by a clinician) and the demo practice (thousands, inserted in
bulk) both make exams here, so a saved exam is the same whichever made it::

    exam.document = service.document(data, episode=episode, kb=kb, exam_id=exam.pk)
    service.finalise([exam], kb, by=request.user, at=timezone.now())   # result, versions, status
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import myotome
from myotome import engine
from myotome.clinic.exams.findings import ExamInput, build_document, stored_json, unchecked_document
from myotome.clinic.exams.models import Exam, ExamStatus
from myotome.clinic.patients.models import Episode
from myotome.kb import KnowledgeBase


def document(
    data: ExamInput,
    *,
    episode: Episode,
    kb: KnowledgeBase,
    exam_id: int | None = None,
    precautions: list[str] | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The format 1.1 document of an exam of ``episode`` (named by ``exam_id`` once the exam has one)."""
    built = build_document(data, patient=episode.patient, episode=episode, kb=kb, precautions=precautions, today=today)
    return built if exam_id is None else named(built, exam_id)


def unchecked(
    data: ExamInput, *, episode: Episode, kb: KnowledgeBase, exam_id: int, precautions: list[str] | None = None, today: date | None = None
) -> dict[str, Any]:
    """``document``'s input, for a caller that validates it elsewhere: ``myotome.batch``'s workers, for
    the demo's thousands of exams. ``stored`` makes what they return the document ``document`` gives."""
    return unchecked_document(
        data, patient=episode.patient, episode=episode, kb=kb, precautions=precautions, document_id=f"exam-{exam_id}", today=today
    )


def stored(dump: dict[str, Any], exam_id: int) -> dict[str, Any]:
    """The document of exam ``exam_id`` from the validated ``unchecked`` one (``myotome.batch.check_and_assess``)."""
    return named(stored_json(dump), exam_id)


def named(document: dict[str, Any], exam_id: int) -> dict[str, Any]:
    """The document with an id that names the exam, never the patient."""
    return {"id": f"exam-{exam_id}", **{k: v for k, v in document.items() if k != "id"}}


def finalise(
    exams: Sequence[Exam],
    kb: KnowledgeBase,
    *,
    by: Any = None,
    at: datetime | None = None,
    results: Sequence[dict[str, Any]] | None = None,
) -> None:
    """Run the engine on each exam's document and make it a saved exam (nothing is written here).

    ``by`` and ``at`` say who saved it and when; without them each exam keeps the ``saved_by``
    and ``saved_at`` it carries (the demo dates its exams in the past). ``results``, when given,
    are the engine's results for these documents, worked out elsewhere (``myotome.batch``).
    Raises ``myotome.exam.InvalidAssessment`` for a document the engine cannot read.
    """
    if results is None:
        results = [engine.assess(exam.document, kb).to_json() for exam in exams]
    for exam, result in zip(exams, results, strict=True):
        exam.result = result
        exam.kb_version = result["kb_version"]
        exam.engine_version = myotome.__version__
        exam.status = ExamStatus.SAVED
        exam.saved_at = at or exam.saved_at
        exam.saved_by = by or exam.saved_by
        if exam.saved_at is None or exam.saved_by_id is None:
            raise ValueError(f"exam {exam.pk}: a saved exam needs who saved it and when")
