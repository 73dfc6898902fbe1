"""The login form (Django's standard fields) with the throttle's message, and the clinic switcher."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from myotome.clinic import input_limits
from myotome.clinic.accounts import throttle
from myotome.clinic.audit.record import client_address


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form; when the username+address pair is locked, it says so and for how long."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            until = throttle.locked_until(self.cleaned_data.get("username"), client_address(self.request)) if self.request else None
            if until is None:
                raise
            minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
            raise forms.ValidationError(
                "Too many failed sign-ins for this username from this computer. "
                f"Sign-in is locked for {minutes} more minute{'s' if minutes != 1 else ''}; "
                "ask your clinic admin if you have forgotten your password.",
                code="locked",
            ) from None


class ClinicSwitchForm(input_limits.LimitedForm, forms.Form):
    # The policy bounds the id to 64 bits: a larger one cannot even be compared in SQLite.
    clinic = forms.IntegerField(min_value=1)
