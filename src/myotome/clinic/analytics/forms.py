"""The filters both reports take: a date range and a condition (no patient data, so GET is fine)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from myotome.clinic import dates, input_limits
from myotome.clinic.dates import ClinicDateField
from myotome.kb import load_kb


def condition_choices() -> list[tuple[str, str]]:
    conditions = sorted(load_kb().conditions.values(), key=lambda c: c.name.casefold())
    return [("", "Every condition"), *((c.id, c.name) for c in conditions)]


class AnalyticsFilterForm(input_limits.LimitedForm, forms.Form):
    since = ClinicDateField(label="Started from", required=False, help_text="An episode starts on its first score, else its first session.")
    until = ClinicDateField(label="Started up to", required=False)
    condition = forms.ChoiceField(choices=condition_choices, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", f"'Started up to' ({dates.shown(until)}) is before 'Started from' ({dates.shown(since)}); swap them.")
        return data

    def filters(self) -> dict[str, Any]:
        """The keyword arguments of ``queries.episode_facts``; none for an unbound or invalid form."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"since": data.get("since"), "until": data.get("until"), "condition": data.get("condition") or ""}

    def described(self) -> str:
        """The filters in words, for the audit log and the CSV's first line."""
        chosen = self.filters()
        parts = []
        if chosen.get("since"):
            parts.append(f"from {_iso(chosen['since'])}")
        if chosen.get("until"):
            parts.append(f"to {_iso(chosen['until'])}")
        if chosen.get("condition"):
            parts.append(f"condition {chosen['condition']}")
        return ", ".join(parts) or "all episodes"


def _iso(value: date) -> str:
    return value.isoformat()
