"""The outcome summary on the episode page: primary measure, baseline and latest, what is due.

{% load outcome_tags %}{% episode_outcome_summary episode %}
"""

from __future__ import annotations

from typing import Any

from django import template

from myotome.clinic.outcomes import service
from myotome.outcomes import load_measures

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
    return {"episode": episode, "measure": measure, "progress": progress, "change": change, "reached": reached, "due": service.due(episode)}
