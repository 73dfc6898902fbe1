"""Exam lists for the foundation's include points (the patient's chart and the episode page).

{% load exam_tags %}{% episode_exams episode as exams %}
"""

from __future__ import annotations

from django import template
from django.db.models import QuerySet

from myotome.clinic.exams.models import Exam
from myotome.clinic.patients.models import Episode, Patient

register = template.Library()
RECENT = 20


@register.simple_tag
def episode_exams(episode: Episode) -> QuerySet[Exam]:
    # The episode was found inside the active clinic by the page's view; its exams are its own.
    return episode.exams.select_related("created_by").order_by("-created_at", "-id")


@register.simple_tag
def patient_exams(patient: Patient) -> list[Exam]:
    return list(
        Exam.objects.filter(episode__patient=patient).select_related("created_by", "episode").order_by("-created_at", "-id")[:RECENT]
    )
