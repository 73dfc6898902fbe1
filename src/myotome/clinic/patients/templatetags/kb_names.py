"""Template filters that turn stored knowledge-base ids into display names.

{{ episode.regions|region_names|join:", " }}   {{ episode.condition|condition_name }}
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from myotome.clinic.patients import vocabulary

register = template.Library()


@register.filter
def region_names(region_ids: Iterable[str]) -> list[str]:
    return vocabulary.region_names(region_ids)


@register.filter
def condition_name(condition_id: str) -> str:
    return vocabulary.condition_name(condition_id)


@register.filter
def precaution_name(precaution_id: str) -> str:
    found = vocabulary.precaution(precaution_id)
    return found.name if found else f"{precaution_id} (not in the knowledge base)"
