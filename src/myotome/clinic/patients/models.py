"""Patient, Episode of care, Precaution and Consent.

Every patient belongs to exactly one clinic; everything else hangs off a patient,
so scoping a query by ``patient__clinic`` scopes it all (see ``access.py``).
Clinical rows are never deleted by the application: precautions are ended and
consents withdrawn, with the date and who did it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone

from myotome.clinic import input_limits as limits
from myotome.clinic.accounts.models import Clinic
from myotome.clinic.patients.names import KEY_LENGTH, name_keys
from myotome.clinic.prepared import Prepared


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    NOT_STATED = "not_stated", "Not stated"


# The consent on file is the latest given and not withdrawn (the later row on the same day).
ACTIVE_CONSENT_ORDER = ("-given_on", "-id")


def active_consent(consents: Iterable[Consent]) -> Consent | None:
    """``Patient.active_consent`` picked from consents already loaded (the chart lists them all)."""
    return max((c for c in consents if c.withdrawn_on is None), key=lambda c: (c.given_on, c.pk), default=None)


class Patient(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    family_name = models.CharField(max_length=limits.PERSON_NAME)
    given_name = models.CharField(max_length=limits.PERSON_NAME)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=12, choices=Sex.choices, default=Sex.NOT_STATED)
    phone = models.CharField(max_length=limits.PHONE, blank=True)
    email = models.EmailField(max_length=limits.EMAIL, blank=True)
    notes = models.TextField(
        "administrative notes",
        max_length=limits.NOTES,
        blank=True,
        help_text="Seen by front desk too: appointments, contact preferences. No clinical details.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [models.Index(fields=["clinic", "family_name", "given_name"], name="patient_clinic_name")]
        constraints = limits.length_checks(
            "patient",
            family_name=limits.PERSON_NAME,
            given_name=limits.PERSON_NAME,
            phone=limits.PHONE,
            email=limits.EMAIL,
            notes=limits.NOTES,
        )

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, and the search keys of the names with it (``names.py``), in one transaction."""
        with transaction.atomic():
            super().save(*args, **kwargs)
            keys = name_keys(self.family_name, self.given_name)
            stored = set(PatientSearchKey.objects.filter(patient=self).values_list("key", flat=True))
            if stored - keys:
                PatientSearchKey.objects.filter(patient=self, key__in=stored - keys).delete()
            if keys - stored:
                PatientSearchKey.objects.bulk_create([PatientSearchKey(patient=self, key=key) for key in keys - stored])

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age(self, today: date | None = None) -> int:
        today = today or date.today()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def active_consent(self) -> Consent | None:
        """The consent to needling now on file (the latest not withdrawn), or None.

        The exam and plan pages are blocked until this returns a consent.
        """
        consent = _ACTIVE_CONSENT.first(self.pk)
        if consent is not None:
            consent.patient = self  # as the related manager would set it
        return consent

    def active_precautions(self) -> models.QuerySet[Precaution]:
        return self.precautions.filter(ended_at__isnull=True)


class PatientSearchKey(models.Model):
    """A word of a patient's names, folded (``names.py``): the name search reads these by prefix
    from an index, where matching inside every name scanned the whole clinic."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=KEY_LENGTH)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "patient"], name="patient_search_key")]
        # PostgreSQL: LIKE 'prefix%' reads a pattern index whatever the database's collation.
        indexes = [models.Index(fields=["key"], opclasses=["varchar_pattern_ops"], name="patient_search_key_prefix")]

    def __str__(self) -> str:
        return f"Search key of patient {self.patient_id}"


class Side(models.TextChoices):
    # The complaint sides of the assessment document (myotome.exam.ComplaintSide).
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Both sides"
    MIDLINE = "midline", "Midline"


class EpisodeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    DISCHARGED = "discharged", "Discharged"


class Episode(models.Model):
    """One complaint, treated over a course of sessions."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="episodes")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="The responsible clinician."
    )
    regions = models.JSONField(default=list, help_text="Knowledge-base region ids, in the order given.")
    side = models.CharField(max_length=10, choices=Side.choices)
    condition = models.CharField(max_length=60, blank=True, help_text="A knowledge-base condition id, or blank.")
    onset_date = models.DateField(null=True, blank=True)
    pain = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text="Numeric pain rating, 0 (none) to 10 (worst imaginable).",
    )
    status = models.CharField(max_length=12, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE)
    notes = models.TextField(max_length=limits.NOTES, blank=True)
    # When the episode began (the first visit for it): re-consent rules compare it with the consent's date.
    # Not auto_now_add, so that imported and demo histories keep their own dates.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        # The day page: a clinician's active episodes, most recently changed first, a page at a time.
        indexes = [models.Index(fields=["clinician", "status", "-updated_at", "-id"], name="episode_clinician_day")]
        constraints = [
            models.CheckConstraint(condition=models.Q(pain__lte=10), name="episode_pain_0_to_10"),
            *limits.length_checks("episode", notes=limits.NOTES),
        ]

    def __str__(self) -> str:
        return f"Episode {self.pk}"


class Precaution(models.Model):
    """A knowledge-base precaution (anticoagulants, pregnancy...) that applies to a patient."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="precautions")
    kind = models.CharField(max_length=60, help_text="A knowledge-base precaution id.")
    note = models.CharField(max_length=limits.SHORT_NOTE, blank=True, help_text="e.g. the drug and dose, the date of surgery.")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)  # a precaution newer than the consent calls for re-consent
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "kind"], name="one_row_per_precaution"),
            *limits.length_checks("precaution", note=limits.SHORT_NOTE),
        ]

    def __str__(self) -> str:
        return f"Precaution {self.kind}"


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", "Written (signed form)"
    VERBAL = "verbal", "Verbal (documented)"


class Consent(models.Model):
    """Informed consent to needling: when, who took it, and whether it was later withdrawn."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    given_on = models.DateField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=10, choices=ConsentMethod.choices, default=ConsentMethod.WRITTEN)
    risks_explained = models.BooleanField(default=False)
    notes = models.TextField(max_length=limits.NOTES, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-given_on", "-id"]
        constraints = limits.length_checks("consent", notes=limits.NOTES)

    def __str__(self) -> str:
        return f"Consent {self.pk}"


class Submission(models.Model):
    """A create form that was saved, by the one-time token the form carried.

    A second post of the same form (a double click, a resent request) finds the record the
    first one made instead of adding another; the unique token makes that hold when the two
    posts arrive at once. See ``submissions.py``.
    """

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    fingerprint = models.CharField(max_length=64, help_text="A hash of what was posted (never the values themselves).")
    saved_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Submission of {self.record_type} {self.record_id}"


# The consent on file is asked on every exam page (compiled once: myotome.clinic.prepared).
_ACTIVE_CONSENT = Prepared(
    lambda patient_id: Consent.objects.filter(patient_id=patient_id, withdrawn_on__isnull=True).order_by(*ACTIVE_CONSENT_ORDER)[:1], int
)
