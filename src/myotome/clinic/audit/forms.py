"""Filters for the audit log page (none of them carries patient data, so GET is fine)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from myotome.clinic import dates, input_limits
from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.dates import ClinicDateField


class AuditFilterForm(input_limits.LimitedForm, forms.Form):
    # The policy's date window keeps 'To' + 1 day (and the time zone's offset) inside datetime's range.
    action = forms.ChoiceField(choices=[("", "Any action"), *Action.choices], required=False)
    username = forms.CharField(label="User", max_length=150, required=False)
    record_type = forms.CharField(label="Record type", max_length=40, required=False, help_text="e.g. patient, episode, consent")
    record_id = forms.CharField(label="Record id", max_length=64, required=False)
    since = ClinicDateField(label="From", required=False)
    until = ClinicDateField(label="To", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", f"'To' ({dates.shown(until)}) is before 'From' ({dates.shown(since)}); swap them.")
        return data

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        data = self.cleaned_data
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("username"):
            events = events.filter(username__iexact=data["username"].strip())
        if data.get("record_type"):
            events = events.filter(record_type=data["record_type"].strip().lower())
        if data.get("record_id"):
            events = events.filter(record_id=data["record_id"].strip())
        tz = timezone.get_current_timezone()
        if data.get("since"):
            events = events.filter(at__gte=datetime.combine(data["since"], time.min, tzinfo=tz))
        if data.get("until"):
            events = events.filter(at__lt=datetime.combine(data["until"] + timedelta(days=1), time.min, tzinfo=tz))
        return events
