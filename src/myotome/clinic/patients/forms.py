"""Forms for demographics, episodes, precautions and consent.

Every error names the field, the value typed and what would be right; a form
that fails validation is re-rendered with everything the user typed. Lengths,
characters and date windows are the policy of ``myotome.clinic.input_limits``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from myotome.clinic import input_limits as limits
from myotome.clinic.accounts.models import CLINICAL_ROLES, Clinic
from myotome.clinic.dates import ClinicDateField
from myotome.clinic.patients import vocabulary
from myotome.clinic.patients.models import Consent, Episode, Patient


class ClinicianChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


def clinicians_of(clinic: Clinic) -> QuerySet[Any]:
    """Users who hold a clinical role in ``clinic``: the only valid choices for who treats or took consent."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__clinic=clinic, memberships__role__in=CLINICAL_ROLES)
        .order_by("last_name", "first_name", "username")
    )


class PatientForm(limits.LimitedForm, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Patient
        fields = ["family_name", "given_name", "date_of_birth", "sex", "phone", "email", "notes"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        }
        labels = {"family_name": "Family name", "given_name": "Given name"}
        field_classes = {"date_of_birth": ClinicDateField}

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"].strip()
        allowed = set("0123456789+()-. ")
        if phone and (set(phone) - allowed or sum(c.isdigit() for c in phone) < 6):
            raise forms.ValidationError(
                f"Phone '{phone}' is not a phone number; use digits with spaces, +, -, ( ) only, e.g. +44 20 7946 0000.", code="phone"
            )
        return phone


class EpisodeForm(limits.LimitedForm, forms.ModelForm):  # type: ignore[type-arg]
    regions_text = forms.CharField(
        label="Regions",
        max_length=limits.NAME_LIST,
        help_text="Where it hurts, comma-separated, in any words: 'lateral elbow, outside of the forearm', 'low back, buttock'.",
        widget=forms.TextInput(attrs={"list": "region-names", "autocomplete": "off"}),
    )
    condition = forms.ChoiceField(label="Condition", required=False)
    # Range checked in clean_pain, whose message names the value and the scale.
    pain = forms.IntegerField(label="Pain now (0-10)", required=False, widget=forms.NumberInput(attrs={"min": 0, "max": 10}))
    clinician = ClinicianChoiceField(queryset=None, label="Responsible clinician", required=False)

    class Meta:
        model = Episode
        fields = ["side", "condition", "onset_date", "pain", "status", "clinician", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"onset_date": ClinicDateField}
        labels = {"onset_date": "Onset"}

    field_order = ["regions_text", "side", "condition", "onset_date", "pain", "status", "clinician", "notes"]

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["condition"].choices = [("", "(not one of the listed conditions)"), *vocabulary.condition_choices()]
        self.fields["clinician"].queryset = clinicians_of(clinic)  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["regions_text"] = ", ".join(vocabulary.region_names(self.instance.regions))

    def clean_regions_text(self) -> list[str]:
        return vocabulary.resolve_regions(self.cleaned_data["regions_text"])

    def clean_pain(self) -> int | None:
        pain: int | None = self.cleaned_data.get("pain")
        if pain is not None and not 0 <= pain <= 10:
            raise forms.ValidationError(
                f"Pain {pain} is outside the scale; enter a whole number from 0 (none) to 10 (worst).", code="range"
            )
        return pain

    def save(self, commit: bool = True) -> Episode:
        self.instance.regions = self.cleaned_data["regions_text"]
        return super().save(commit=commit)  # type: ignore[no-any-return]


class PrecautionsForm(limits.LimitedForm, forms.Form):
    """One checkbox and one note per KB precaution."""

    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[Any, forms.BoundField, forms.BoundField]] = []
        for item in vocabulary.precautions():
            self.fields[f"on_{item.id}"] = forms.BooleanField(label=item.name, required=False, initial=item.id in current)
            self.fields[f"note_{item.id}"] = forms.CharField(
                label=f"Details for {item.name.lower()}", required=False, max_length=limits.SHORT_NOTE, initial=current.get(item.id, "")
            )
            self.rows.append((item, self[f"on_{item.id}"], self[f"note_{item.id}"]))
        self.limit_fields()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for item in vocabulary.precautions():
            if data.get(f"note_{item.id}") and not data.get(f"on_{item.id}"):
                self.add_error(
                    f"note_{item.id}", f"There are details for '{item.name}' but it is not ticked; tick it or clear the details."
                )
        return data

    def selected(self) -> dict[str, str]:
        """Ticked precaution ids with their notes."""
        return {
            item.id: self.cleaned_data.get(f"note_{item.id}", "").strip()
            for item in vocabulary.precautions()
            if self.cleaned_data.get(f"on_{item.id}")
        }


class ConsentForm(limits.LimitedForm, forms.ModelForm):  # type: ignore[type-arg]
    taken_by = ClinicianChoiceField(queryset=None, label="Taken by")

    class Meta:
        model = Consent
        fields = ["given_on", "taken_by", "method", "risks_explained", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"given_on": ClinicDateField}
        labels = {
            "given_on": "Date given",
            "risks_explained": "Material risks explained: post-needling soreness, bruising or bleeding, fainting, "
            "nerve irritation, infection, and pneumothorax when needling near the chest wall",
        }

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["taken_by"].queryset = clinicians_of(clinic)  # type: ignore[attr-defined]

    def clean_risks_explained(self) -> bool:
        if not self.cleaned_data.get("risks_explained"):
            raise forms.ValidationError(
                "Consent is informed only when the material risks were explained; tick the box to confirm they were."
            )
        return True


class SearchForm(limits.LimitedForm, forms.Form):
    q = forms.CharField(
        label="Find a patient",
        max_length=limits.SEARCH,
        required=False,
        help_text="The start of a name or names (quen, otto quen), date of birth (YYYY-MM-DD or DD/MM/YYYY), phone or e-mail.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
