"""The one field every second-factor form asks for."""

from __future__ import annotations

from django import forms

from myotome.clinic import input_limits


class CodeForm(input_limits.LimitedForm, forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )
