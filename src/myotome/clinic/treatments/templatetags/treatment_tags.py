"""Session lists for pages other apps own: the episode's sessions and today's follow-up calls.

{% load treatment_tags %}{% episode_sessions episode %}      (episode page)
{% load treatment_tags %}{% follow_ups_due %}               (Today: clinicians only)
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from myotome.clinic.treatments.models import FollowUp
from myotome.kb import load_kb

register = template.Library()


@register.inclusion_tag("treatments/_episode_sessions.html")
def episode_sessions(episode: Any) -> dict[str, Any]:
    sessions = episode.treatment_sessions.select_related("practitioner").order_by("-started_at", "-id")
    return {"sessions": list(sessions)}


@register.inclusion_tag("treatments/_follow_ups.html", takes_context=True)
def follow_ups_due(context: template.Context) -> dict[str, Any]:
    membership = context.get("membership")
    if membership is None or not membership.sees_clinical:
        return {"tasks": []}
    tasks = FollowUp.objects.filter(clinic=membership.clinic, done_at__isnull=True, due_on__lte=timezone.localdate()).select_related(
        "session__episode__patient"
    )
    return {"tasks": list(tasks[:50]), "csrf_token": context.get("csrf_token")}


@register.filter
def muscle_name(muscle_id: str) -> str:
    """The knowledge base's name of a muscle id (the id itself if the KB no longer has it)."""
    muscle = load_kb().muscles.get(muscle_id)
    return muscle.name if muscle else muscle_id
