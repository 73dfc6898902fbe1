"""The forms a session posts: one insertion, an added step, an adverse event, a credential (the
addendum form is shared with exams, in ``myotome.clinic.signing``). Errors name the field, the
value given and what would be right."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from myotome.clinic import input_limits as limits
from myotome.clinic.treatments.models import (
    AdverseKind,
    Grade,
    NeedlingCredential,
    Response,
    SkipReason,
    Technique,
    TreatmentSettings,
)

KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
SIDES = [("left", "Left"), ("right", "Right"), ("midline", "Midline")]
YES_NO = [("", "Not recorded"), ("yes", "Yes"), ("no", "No")]


def _scale(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=10,
        error_messages={
            "min_value": f"{label} must be 0 to 10.",
            "max_value": f"{label} must be 0 to 10.",
            "invalid": f"{label} must be a whole number 0 to 10.",
        },
    )


class InsertionForm(limits.LimitedForm, forms.Form):
    """One insertion. Only ``key`` and where (a step, or a muscle and side) are required;
    everything else stays empty unless the clinician gave it."""

    key = forms.CharField(max_length=64, help_text="The client's idempotency key.")
    step = forms.IntegerField(required=False, min_value=1)
    muscle = forms.CharField(required=False, max_length=80)
    side = forms.ChoiceField(required=False, choices=[("", ""), *SIDES])
    level = forms.CharField(required=False, max_length=12)
    needle_mm = forms.IntegerField(label="Needle length (mm)", required=False, min_value=5, max_value=150)
    gauge = forms.DecimalField(label="Gauge (mm)", required=False, min_value=0.10, max_value=0.50, decimal_places=2)
    technique = forms.ChoiceField(required=False, choices=[("", ""), *Technique.choices])
    response = forms.ChoiceField(required=False, choices=[("", ""), *Response.choices])
    released = forms.ChoiceField(required=False, choices=YES_NO)
    resistance_before = _scale("Resistance before")
    resistance_after = _scale("Resistance after")
    discomfort = _scale("Discomfort")
    seconds = forms.IntegerField(label="Seconds in the muscle", required=False, min_value=0, max_value=3600)
    note = forms.CharField(required=False, max_length=limits.SHORT_NOTE)
    made_at = forms.DateTimeField(required=False, help_text="When it was made, if sent later from the queue.")

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if not KEY.match(key):
            raise forms.ValidationError(f"key {key[:70]!r} must be 8 to 64 letters, digits, '-' or '_'.")
        return str(key)

    def clean_released(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("released") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("step") and not (data.get("muscle") and data.get("side")):
            raise forms.ValidationError("Give the step, or the muscle and the side, of the insertion.")
        return data


class AddStepForm(limits.LimitedForm, forms.Form):
    muscle = forms.CharField(label="Muscle", max_length=limits.KB_NAME, help_text="A name or abbreviation, e.g. ECRB.")
    side = forms.ChoiceField(choices=SIDES)
    level = forms.CharField(required=False, max_length=12, help_text="Paraspinal steps: the vertebral level, e.g. C5-C6.")


class SkipForm(forms.Form):
    step = forms.IntegerField(min_value=1)
    reason = forms.ChoiceField(choices=SkipReason.choices)


class MoveForm(forms.Form):
    step = forms.IntegerField(min_value=1)
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class AdverseEventForm(limits.LimitedForm, forms.Form):
    kind = forms.ChoiceField(choices=AdverseKind.choices)
    grade = forms.ChoiceField(choices=Grade.choices)
    action_taken = forms.CharField(max_length=limits.REASON, help_text="What was done: pressure applied, lay flat, sent to emergency.")
    note = forms.CharField(required=False, max_length=limits.SHORT_NOTE)


class CredentialForm(limits.LimitedForm, forms.ModelForm):  # type: ignore[type-arg]
    user = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = NeedlingCredential
        fields = ["profession", "registration", "training"]


class SettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = TreatmentSettings
        fields = ["forbid_thoracic", "cpt_rule"]
