"""One format for dates and scores on every page (a template builtin: no {% load %} needed).

{{ patient.date_of_birth|clinic_date }}   -> 28 Nov 2026 (the clinic's format)
{{ exam.created_at|clinic_datetime }}    -> 28 Nov 2026, 10:42
{{ segment.score|percent }}              -> 53%
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone

from myotome.clinic import dates

register = template.Library()


@register.filter
def clinic_date(value: date | datetime | None) -> str:
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dates.shown(value)


@register.filter
def clinic_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{dates.shown(local)}, {local:%H:%M}"


@register.filter
def percent(value: Any) -> str:
    """A score between 0 and 1 as a whole percent, the one way scores are shown."""
    try:
        return f"{round(float(value) * 100)}%"
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def date_format_example() -> str:
    """How a date is typed in this clinic, for help texts: "28 Nov 2026"."""
    return dates.current().example
