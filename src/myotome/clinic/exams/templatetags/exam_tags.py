"""Exam lists for the foundation's include points (the patient's chart and the episode page).

{% load exam_tags %}{% episode_exams episode as exams %}
"""

from __future__ import annotations

from django import template
from django.core.paginator import Page, Paginator

from myotome.clinic.exams.models import Exam
from myotome.clinic.patients.models import Episode, Patient
from myotome.clinic.prepared import Prepared

register = template.Library()
RECENT = 20
EPISODE_PAGE = 20


@register.simple_tag(takes_context=True)
def episode_exams(context: template.Context, episode: Episode) -> Page[Exam]:
    """A page of the episode's exams (``?page=`` on the episode's page), each loaded for a list only."""
    # The episode was found inside the active clinic by the page's view; its exams are its own.
    exams = episode.exams.listed().select_related("created_by").order_by("-created_at", "-id")
    request = context.get("request")
    return Paginator(exams, EPISODE_PAGE).get_page(request.GET.get("page") if request is not None else None)


# On every patient page (compiled once: myotome.clinic.prepared).
_PATIENT_EXAMS = Prepared(
    lambda patient_id: (
        Exam.objects.listed()
        .filter(episode__patient_id=patient_id)
        .select_related("created_by", "episode")
        .order_by("-created_at", "-id")[:RECENT]
    ),
    int,
)


@register.simple_tag
def patient_exams(patient: Patient) -> list[Exam]:
    return _PATIENT_EXAMS(patient.pk)
