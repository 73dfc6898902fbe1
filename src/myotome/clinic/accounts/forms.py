"""The sign-in form (Django's standard fields) with the throttle's message, and the clinic switcher."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from myotome.clinic import input_limits
from myotome.clinic.accounts.backends import LOCK_ATTRIBUTE


class ThrottledAuthenticationForm(input_limits.LimitedForm, AuthenticationForm):
    """Django's login form; when the throttle refused the guess unchecked, it says why and for how long."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            locked = getattr(self.request, LOCK_ATTRIBUTE, None)
            if locked is None:
                raise
            raise forms.ValidationError(locked.message, code="locked") from None


class ClinicSwitchForm(input_limits.LimitedForm, forms.Form):
    # The policy bounds the id to 64 bits: a larger one cannot even be compared in SQLite.
    clinic = forms.IntegerField(min_value=1)
