"""The outcome summary on the episode page: primary measure, baseline and latest, what is due.

{% load outcome_tags %}{% episode_outcome_summary episode %}
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone

from myotome.clinic.outcomes import service
from myotome.clinic.patients.models import Episode, EpisodeStatus
from myotome.outcomes import load_measures
from myotome.outcomes.due import describe

register = template.Library()


@register.inclusion_tag("outcomes/_summary.html")
def episode_outcome_summary(episode: Any) -> dict[str, Any]:
    progress = service.primary_progress(episode)
    measure = load_measures()[progress.measure]
    change = None
    reached = None
    if progress.baseline is not None and progress.latest is not None and progress.latest.pk != progress.baseline.pk:
        assert progress.baseline.score is not None and progress.latest.score is not None
        change = progress.latest.score - progress.baseline.score
        improvement = change if measure.better == "higher" else -change
        reached = None if measure.mcid.value is None else improvement >= measure.mcid.value
    return {
        "episode": episode,
        "measure": measure,
        "progress": progress,
        "change": change,
        "reached": reached,
        "due": service.due_words(episode),
    }


@register.inclusion_tag("outcomes/_due.html", takes_context=True)
def outcomes_due(context: template.Context, episodes: list[Any]) -> dict[str, Any]:
    """Scores due on the patient page: each episode's primary measure at intake, every N sessions, at discharge."""
    membership = context.get("membership")
    if membership is None or not episodes:
        return {"due": []}
    found = service.due_for([e.pk for e in episodes], membership.clinic_id)
    return {"due": _shown(found), "names": True}


# Today lists what is due across the clinician's episodes: active ones, and those discharged in the
# last DISCHARGED_DAYS (a discharge score is taken at or soon after the last visit). At most TODAY_LIMIT.
DISCHARGED_DAYS = 30
TODAY_LIMIT = 200
# Shown: the most urgent first (a missing discharge score loses the case from the reports; a missing
# baseline leaves nothing to compare with), a screenful, then how many more; each episode says its own.
TODAY_SHOWN = 15
URGENCY = {"discharge": 0, "intake": 1, "progress": 2}


@register.inclusion_tag("outcomes/_due_today.html", takes_context=True)
def outcomes_due_today(context: template.Context) -> dict[str, Any]:
    membership = context.get("membership")
    request = context.get("request")
    if membership is None or not membership.sees_clinical or request is None:
        return {"due": []}
    mine = _latest_episodes(membership.clinic_id, request.user)
    due = sorted(_shown(service.due_for(mine, membership.clinic_id)), key=lambda shown: URGENCY[shown[0].what])
    return {"due": due[:TODAY_SHOWN], "more": len(due) - TODAY_SHOWN, "is_admin": membership.is_clinic_admin}


def _latest_episodes(clinic_id: int, clinician: Any) -> list[int]:
    """The TODAY_LIMIT most recently changed of the clinician's active and recently discharged episodes.

    Two queries, each read in order from the day index (clinician, status, -updated_at), then
    merged: one query with OR between the statuses would sort every episode the clinician ever had.
    """
    mine = Episode.objects.filter(patient__clinic_id=clinic_id, clinician=clinician).order_by("-updated_at", "-id")
    recent = timezone.now() - timedelta(days=DISCHARGED_DAYS)
    active = mine.filter(status=EpisodeStatus.ACTIVE).values_list("updated_at", "id")[:TODAY_LIMIT]
    discharged = mine.filter(status=EpisodeStatus.DISCHARGED, updated_at__gte=recent).values_list("updated_at", "id")[:TODAY_LIMIT]
    return [pk for _, pk in sorted([*active, *discharged], reverse=True)[:TODAY_LIMIT]]


def _shown(found: list[service.DueItem]) -> list[tuple[service.DueItem, str]]:
    measures = load_measures()
    return [(item, describe(item.what, measures[item.measure].name, item.every)) for item in found if item.measure in measures]
