"""Entry forms: one line of typed values per part (fast from a paper form), scored by the core.

The core is the one validator of the values: the form only splits what was typed into tokens
("2 3 - 4 NA": "-" is a missing item, "NA" not applicable) and hands them to ``score``.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone

from myotome.clinic import input_limits
from myotome.clinic.dates import ClinicDateField
from myotome.clinic.outcomes.models import OutcomeSettings, Timepoint
from myotome.outcomes import Measure, OutcomeInputError, Score, Wording, load_measures, score

MAX_ACTIVITY_NAME = 80
MISSING = {"-", "?"}
NOT_APPLICABLE = {"na", "n/a"}


def tokens(text: str, part: str) -> list[int | str | None]:
    """``"2 3, - 4 NA"`` -> ``[2, 3, None, 4, "NA"]``; anything else names the item and what is allowed."""
    values: list[int | str | None] = []
    for n, token in enumerate(t for t in re.split(r"[\s,;]+", text.strip()) if t):
        if token in MISSING:
            values.append(None)
        elif token.lower() in NOT_APPLICABLE:
            values.append("NA")
        elif re.fullmatch(r"\d{1,3}", token):
            values.append(int(token))
        else:
            raise forms.ValidationError(
                f"{part} item {n + 1}: {token[:20]!r} is not a value; type a number, - for missing or NA for not applicable"
            )
    return values


class EntryForm(input_limits.LimitedForm, forms.Form):
    """The fields for one measure: a line per part, or names and ratings for PSFS."""

    taken_on = ClinicDateField(label="Taken on")  # typed in the clinic's format, as every date in the app
    timepoint = forms.ChoiceField(choices=Timepoint.choices)

    def __init__(self, measure: Measure, *args: Any, activities: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.result: Score | None = None
        self.fields["taken_on"].initial = timezone.localdate()
        if measure.activities is not None:
            low, high = measure.activities
            for n in range(1, high + 1):
                name = (activities or [])[n - 1] if activities and n <= len(activities) else ""
                self.fields[f"activity_{n}"] = forms.CharField(
                    label=f"Activity {n}", required=n <= low, max_length=MAX_ACTIVITY_NAME, initial=name
                )
                self.fields[f"rating_{n}"] = forms.IntegerField(label=f"Rating {n}", required=False, min_value=0, max_value=10)
        else:
            for part in measure.parts:
                allowed = " ".join(str(v) for v in part.values[0]) if len(part.values) == 1 else "each item's points"
                label = "Items" if part.id == "items" else f"{part.id.capitalize()} items"
                self.fields[f"part_{part.id}"] = forms.CharField(
                    label=label + (" (optional module)" if part.optional else ""),
                    required=not part.optional,
                    max_length=input_limits.LINE,
                    help_text=f"{part.items} values in order ({allowed}); - for a missing item",
                    widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                )
        self.limit_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            responses = self._responses(data)
            self.result = score(self.measure.id, responses)
        except OutcomeInputError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data

    def _responses(self, data: dict[str, Any]) -> Any:
        if self.measure.activities is not None:
            return activities_named(self.measure, data)
        parts = {}
        for part in self.measure.parts:
            text = data.get(f"part_{part.id}") or ""
            if text.strip():
                parts[part.id] = tokens(text, part.id)
        return parts


def activities_named(measure: Measure, data: dict[str, Any]) -> dict[str, Any]:
    """PSFS responses from the activity and rating fields: the activities the patient named, in order."""
    high = measure.activities[1] if measure.activities else 0
    named = [(data.get(f"activity_{n}") or "", data.get(f"rating_{n}")) for n in range(1, high + 1)]
    return {"activities": [{"name": name, "score": rating} for name, rating in named if name.strip()]}


class MeasureSetForm(forms.Form):
    """Primary measure and the others collected for the episode."""

    primary = forms.ChoiceField(label="Primary measure")
    others = forms.MultipleChoiceField(label="Also collect", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [(m.id, m.name) for m in load_measures().values()]
        self.fields["primary"].choices = choices
        self.fields["others"].choices = choices  # type: ignore[attr-defined]

    def measures(self) -> list[str]:
        primary = self.cleaned_data["primary"]
        return [primary, *(m for m in self.cleaned_data["others"] if m != primary)]


class KioskForm(input_limits.LimitedForm, forms.Form):
    """One questionnaire as the patient sees it: a choice per item, labelled with wording the project
    ships (NPRS, PSFS) or the clinic has loaded under licence. Scored by the core, like the entry form.

    Fields are named by part and item (``items_3``), so a post can answer nothing but this questionnaire.
    """

    def __init__(self, measure: Measure, wording: Wording | None, *args: Any, activities: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.result: Score | None = None
        self.items: list[tuple[str, list[str]]] = []  # (heading, field names) per part, for the template
        if measure.activities is not None:
            low, high = measure.activities
            ratings = [(str(v), str(v)) for v in range(0, 11)]
            for n in range(1, high + 1):
                name = activities[n - 1] if activities and n <= len(activities) else ""
                self.fields[f"activity_{n}"] = forms.CharField(
                    label=f"Activity {n}", required=n <= low, max_length=MAX_ACTIVITY_NAME, initial=name
                )
                self.fields[f"rating_{n}"] = forms.TypedChoiceField(
                    label=f"How well can you do activity {n} now?", choices=ratings, coerce=int, required=False, widget=forms.RadioSelect
                )
            self.items.append(("", [f for n in range(1, high + 1) for f in (f"activity_{n}", f"rating_{n}")]))
        else:
            for part in measure.parts:
                texts = wording.parts.get(part.id) if wording is not None else None
                names = []
                for n in range(part.items):
                    allowed = part.allowed(n)
                    labels = texts[n].options if texts else tuple(str(v) for v in allowed)
                    name = f"{part.id}_{n + 1}"
                    self.fields[name] = forms.ChoiceField(
                        label=texts[n].text if texts else (measure.prompt or f"Item {n + 1}"),
                        choices=[(str(v), label) for v, label in zip(allowed, labels, strict=True)],
                        required=False,
                        widget=forms.RadioSelect,
                    )
                    names.append(name)
                heading = "" if part.id == "items" else part.id.replace("_", " ").capitalize() + (" (optional)" if part.optional else "")
                self.items.append((heading, names))
        self.limit_fields()

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(heading, [self[name] for name in names]) for heading, names in self.items]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            result = score(self.measure.id, self._responses(data))
        except OutcomeInputError as exc:
            raise forms.ValidationError(str(exc)) from None
        if not result.valid:
            raise forms.ValidationError(f"Please answer more of the questions: {result.reason}.")
        self.result = result
        return data

    def _responses(self, data: dict[str, Any]) -> Any:
        if self.measure.activities is not None:
            return activities_named(self.measure, data)
        parts: dict[str, list[int | str | None]] = {}
        for part in self.measure.parts:
            values = [data.get(f"{part.id}_{n + 1}") or None for n in range(part.items)]
            if part.optional and not any(v is not None for v in values):
                continue
            parts[part.id] = [None if v is None else int(v) if v.lstrip("-").isdigit() else v for v in values]
        return parts


class OutcomeSettingsForm(input_limits.LimitedForm, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = OutcomeSettings
        fields = ["every_sessions"]
        labels = {"every_sessions": "Prompt for the primary measure again after this many sessions"}
        widgets = {"every_sessions": forms.NumberInput(attrs={"min": 1, "max": 50})}
