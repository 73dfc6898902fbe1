"""Exams of the active clinic only (anything else is a 404), and the consent gate.

exam = get_exam_for(request, pk)      # 404 outside the active clinic (audited)
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from myotome.clinic.accounts.access import by_pk_in_clinic, get_in_clinic_or_404, membership
from myotome.clinic.exams.models import Exam, ExamStatus
from myotome.clinic.patients.models import Episode

CONSENT_NEEDED = (
    "No consent to needling is on file for this patient: the exam and the plan are blocked until it is recorded. "
    "Record the patient's consent first."
)


def exams_for(request: HttpRequest) -> QuerySet[Exam]:
    return _exams_in(membership(request).clinic_id)


def _exams_in(clinic_id: int) -> QuerySet[Exam]:
    return Exam.objects.filter(episode__patient__clinic_id=clinic_id).select_related(
        "episode", "episode__patient", "created_by", "saved_by"
    )


EXAM_BY_PK = by_pk_in_clinic(_exams_in)


def get_exam_for(request: HttpRequest, pk: int) -> Exam:
    return get_in_clinic_or_404(request, EXAM_BY_PK, pk, clinic_path="episode__patient__clinic")


def previous_exam(episode: Episode, before: Exam | None = None, *, date_only: bool = False) -> Exam | None:
    """The latest saved exam of the episode (before ``before``, when given): what "copy forward" copies.

    ``date_only``: for a page that names it and links to it, without reading its findings and result.
    """
    saved = episode.exams.filter(status=ExamStatus.SAVED)
    if before is not None:
        saved = saved.exclude(pk=before.pk).filter(created_at__lte=before.created_at)
    if date_only:
        saved = saved.only("pk", "created_at", "episode")  # the episode: set on each row by the related manager
    return saved.order_by("-created_at", "-id").first()
