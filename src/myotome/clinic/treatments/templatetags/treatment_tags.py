"""Session lists for pages other apps own: the episode's sessions and today's follow-up calls.

{% load treatment_tags %}{% episode_sessions episode %}      (episode page)
{% load treatment_tags %}{% follow_ups_due %}               (Today: clinicians only)
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils import timezone

from myotome.clinic.prepared import Prepared
from myotome.clinic.treatments.models import FollowUp
from myotome.kb import load_kb

register = template.Library()
FOLLOW_UPS_SHOWN = 50
# On every day page (compiled once: myotome.clinic.prepared).
_OPEN_FOLLOW_UPS = Prepared(
    lambda clinic_id, today: FollowUp.objects.filter(clinic_id=clinic_id, done_at__isnull=True, due_on__lte=today).select_related(
        "session__episode__patient"
    )[:FOLLOW_UPS_SHOWN],
    int,
    date,
)


@register.inclusion_tag("treatments/_episode_sessions.html")
def episode_sessions(episode: Any) -> dict[str, Any]:
    sessions = episode.treatment_sessions.select_related("practitioner").order_by("-started_at", "-id")
    return {"sessions": list(sessions)}


@register.inclusion_tag("treatments/_follow_ups.html", takes_context=True)
def follow_ups_due(context: template.Context) -> dict[str, Any]:
    membership = context.get("membership")
    if membership is None or not membership.sees_clinical:
        return {"tasks": []}
    tasks = _OPEN_FOLLOW_UPS(membership.clinic_id, timezone.localdate())
    return {"tasks": tasks, "csrf_token": context.get("csrf_token")}


@register.filter
def muscle_name(muscle_id: str) -> str:
    """The knowledge base's name of a muscle id (the id itself if the KB no longer has it)."""
    muscle = load_kb().muscles.get(muscle_id)
    return muscle.name if muscle else muscle_id
