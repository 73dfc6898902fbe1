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
from myotome.clinic.outcomes.models import Timepoint
from myotome.outcomes import Measure, OutcomeInputError, Score, load_measures, score

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

    taken_on = forms.DateField(label="Taken on", widget=forms.DateInput(attrs={"type": "date"}))
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
            high = self.measure.activities[1]
            named = [(data.get(f"activity_{n}") or "", data.get(f"rating_{n}")) for n in range(1, high + 1)]
            return {"activities": [{"name": name, "score": rating} for name, rating in named if name.strip()]}
        parts = {}
        for part in self.measure.parts:
            text = data.get(f"part_{part.id}") or ""
            if text.strip():
                parts[part.id] = tokens(text, part.id)
        return parts


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
