"""Treatment sessions: what was needled, how each muscle answered, and the record's lock.

A session belongs to an episode and starts from a saved exam's plan. Insertions are
append-only rows, each saved as it is made under a client-made idempotency key. Once a
session is signed nothing in it changes, through any route: the models refuse it, the
admin is read-only, and database triggers (migration 0002) refuse UPDATE and DELETE of a
signed session and any change to its rows. Corrections are addenda, dated and named.
Fields the clinician did not set are NULL, never a default a later analysis would read as
a measurement.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from myotome.clinic import input_limits as limits
from myotome.clinic.accounts.models import Clinic
from myotome.clinic.exams.models import Exam
from myotome.clinic.patients.models import Episode, Patient
from myotome.clinic.signing import Addendum as SignedAddendum
from myotome.clinic.signing import LockedQuerySet, SignedRecordError, refuse, refuse_if_locked

ZERO_TO_TEN = [MinValueValidator(0), MaxValueValidator(10)]


SIGNED = "a signed session cannot change: add an addendum instead"


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    refuse(SIGNED)


class Profession(models.TextChoices):
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist / physical therapist"
    PHYSICIAN = "physician", "Physician"
    CHIROPRACTOR = "chiropractor", "Chiropractor"
    ACUPUNCTURIST = "acupuncturist", "Acupuncturist"
    OTHER = "other", "Other regulated profession"


class NeedlingCredential(models.Model):
    """A clinic admin's record that a user may needle in that clinic: profession and the
    registration, roster or permit number that authorises it (see the reference file's
    regulator list: AB permit, BC and ON rosters, VA/UT registration)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="needling_credentials")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    profession = models.CharField(max_length=20, choices=Profession.choices)
    registration = models.CharField(max_length=limits.LINE, help_text="Registration, roster or permit number.")
    training = models.CharField(max_length=limits.LINE, blank=True, help_text="e.g. UBC Gunn IMS certificate, year.")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "clinic"], condition=models.Q(ended_at__isnull=True), name="one_current_credential_per_clinic"
            ),
            *limits.length_checks("credential", registration=limits.LINE, training=limits.LINE),
        ]

    def __str__(self) -> str:
        return f"Needling credential {self.pk}"


class CptRule(models.TextChoices):
    MUSCLES = "muscles", "Distinct muscles; left and right of one muscle count once"
    MUSCLE_SIDES = "muscle_sides", "Distinct muscles, each side counted (as some payers ask)"


class TreatmentSettings(models.Model):
    """A clinic's choices for sessions (one row per clinic; none means the defaults)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.PROTECT, related_name="treatment_settings")
    forbid_thoracic = models.BooleanField(
        default=False, help_text="Some insurers exclude thoracic needling (UK CSP PLI from 1 July 2024): lung-zone steps are not offered."
    )
    cpt_rule = models.CharField(max_length=16, choices=CptRule.choices, default=CptRule.MUSCLES)

    def __str__(self) -> str:
        return f"Treatment settings of clinic {self.clinic_id}"


class SessionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class SessionQuerySet(LockedQuerySet["TreatmentSession"]):
    locked = models.Q(status=SessionStatus.SIGNED)
    message = SIGNED


class TreatmentSession(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="treatment_sessions")
    exam = models.ForeignKey(Exam, null=True, blank=True, on_delete=models.PROTECT, related_name="treatment_sessions")
    practitioner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=SessionStatus.choices, default=SessionStatus.DRAFT)
    started_at = models.DateTimeField(default=timezone.now)
    pain_before = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TEN)
    pain_after = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TEN)
    needles_out = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Needles counted out into the sharps bin.")
    aftercare = models.TextField(max_length=limits.NOTES, blank=True, help_text="Aftercare advice given (thoracic needling).")
    note = models.TextField(max_length=limits.NOTES, blank=True)
    left_at = models.DateTimeField(null=True, blank=True, help_text="When the patient left.")
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = SessionQuerySet.as_manager()

    class Meta:
        db_table = "treatments_session"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["episode", "-started_at"], name="session_episode_started")]
        constraints = [
            models.CheckConstraint(condition=models.Q(pain_before__lte=10), name="session_pain_before_0_10"),
            models.CheckConstraint(condition=models.Q(pain_after__lte=10), name="session_pain_after_0_10"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="signed_session_names_signer",
            ),
            *limits.length_checks("session", aftercare=limits.NOTES, note=limits.NOTES),
        ]

    def __str__(self) -> str:
        return f"Session {self.pk}"

    @property
    def is_signed(self) -> bool:
        return self.status == SessionStatus.SIGNED

    @property
    def patient(self) -> Patient:
        return self.episode.patient

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The stored row decides, not this instance: a stale copy must not unsign a record.
        refuse_if_locked(TreatmentSession.objects.all(), self.pk)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


def refuse_if_signed(session_id: int | None) -> None:
    refuse_if_locked(TreatmentSession.objects.all(), session_id)


class SessionRowQuerySet(LockedQuerySet[Any]):
    locked = models.Q(session__status=SessionStatus.SIGNED)
    message = SIGNED


class SessionRow(models.Model):
    """A row of a session: refused once the session is signed."""

    objects = SessionRowQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        refuse_if_signed(getattr(self, "session_id", None))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class SkipReason(models.TextChoices):
    DECLINED = "declined", "Declined"
    NOT_TOLERATED = "not_tolerated", "Not tolerated"
    NOT_NEEDED = "not_needed", "Not needed"


class SessionStep(SessionRow):
    """A muscle to needle, in order: from the plan, copied from the last session, or added."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="steps")
    position = models.PositiveSmallIntegerField()
    muscle_id = models.CharField(max_length=80, help_text="A knowledge-base muscle id.")
    muscle_name = models.CharField(max_length=limits.LINE)
    side = models.CharField(max_length=10)
    level = models.CharField(max_length=12, blank=True, help_text="Paraspinal steps: the vertebral level.")
    segment = models.CharField(max_length=12, blank=True)
    needle_mm = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The plan's suggested needle.")
    thoracic = models.BooleanField(default=False, help_text="Over the thorax: pneumothorax risk.")
    source = models.CharField(max_length=8, default="plan")  # plan, copy, added
    skipped = models.CharField(max_length=16, choices=SkipReason.choices, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"Step {self.position} of session {self.session_id}"


class Technique(models.TextChoices):
    IN_AND_OUT = "in_and_out", "In and out"
    ROTATION = "rotation", "Rotation"
    RETAINED = "retained", "Retained"


class Response(models.TextChoices):
    GRASP = "grasp", "Grasp / cramp"
    TWITCH = "twitch", "Local twitch"
    FASCICULATION = "fasciculation", "Fasciculation"
    NONE = "none", "None"


class Insertion(SessionRow):
    """One needle insertion, saved as it was made. Append-only: never changed, never deleted."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="insertions")
    step = models.ForeignKey(SessionStep, null=True, blank=True, on_delete=models.PROTECT, related_name="insertions")
    key = models.CharField(max_length=64, unique=True, help_text="The client's idempotency key: a retried save finds this row.")
    muscle_id = models.CharField(max_length=80)
    side = models.CharField(max_length=10)
    level = models.CharField(max_length=12, blank=True)
    thoracic = models.BooleanField(default=False)
    needle_mm = models.PositiveSmallIntegerField(null=True, blank=True)
    gauge = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, help_text="Needle diameter, mm.")
    technique = models.CharField(max_length=12, choices=Technique.choices, null=True, blank=True)
    response = models.CharField(max_length=14, choices=Response.choices, null=True, blank=True)
    released = models.BooleanField(null=True, blank=True)
    resistance_before = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TEN)
    resistance_after = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TEN)
    discomfort = models.PositiveSmallIntegerField(null=True, blank=True, validators=ZERO_TO_TEN)
    seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=limits.SHORT_NOTE, blank=True)
    made_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["made_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(resistance_before__lte=10), name="insertion_resistance_before_0_10"),
            models.CheckConstraint(condition=models.Q(resistance_after__lte=10), name="insertion_resistance_after_0_10"),
            models.CheckConstraint(condition=models.Q(discomfort__lte=10), name="insertion_discomfort_0_10"),
            *limits.length_checks("insertion", note=limits.SHORT_NOTE),
        ]

    def __str__(self) -> str:
        return f"Insertion {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            _refuse_insertion_change()
        super().save(*args, **kwargs)


def _refuse_insertion_change() -> NoReturn:
    raise SignedRecordError("insertions are append-only: record a new one, or an addendum")


class RangeMeasure(SessionRow):
    """Before and after range of one movement the exam found restricted."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="ranges")
    movement = models.CharField(max_length=80)
    side = models.CharField(max_length=10)
    before = models.SmallIntegerField(null=True, blank=True)
    after = models.SmallIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=4, default="deg")

    class Meta:
        ordering = ["movement", "side"]
        constraints = [models.UniqueConstraint(fields=["session", "movement", "side"], name="one_range_per_movement")]

    def __str__(self) -> str:
        return f"Range {self.movement} {self.side}"


class AdverseKind(models.TextChoices):
    BRUISING = "bruising", "Bruising"
    BLEEDING = "bleeding", "Bleeding"
    VASOVAGAL = "vasovagal", "Vasovagal / fainting"
    INCREASED_PAIN = "increased_pain", "Increased pain"
    PNEUMOTHORAX = "pneumothorax", "Suspected pneumothorax"
    OTHER = "other", "Other"


class Grade(models.TextChoices):
    # White et al. grading, as Physiotherapy Alberta's dry-needling AE FAQ uses it.
    MILD = "mild", "Mild: brief, reversible, no inconvenience"
    SIGNIFICANT = "significant", "Significant: needs medical care or interrupts activities"
    SERIOUS = "serious", "Serious: hospital admission, possible lasting disability, or death"


class AdverseEvent(SessionRow):
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="adverse_events")
    kind = models.CharField(max_length=16, choices=AdverseKind.choices)
    grade = models.CharField(max_length=12, choices=Grade.choices)
    action_taken = models.CharField(max_length=limits.REASON)
    note = models.CharField(max_length=limits.SHORT_NOTE, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = limits.length_checks("adverse", action_taken=limits.REASON, note=limits.SHORT_NOTE)

    def __str__(self) -> str:
        return f"Adverse event {self.pk}"


class Addendum(SignedAddendum):
    """A dated correction or addition to a signed session, by a named user. Never changed."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="addenda")

    class Meta(SignedAddendum.Meta):
        constraints = limits.length_checks("addendum", text=limits.NOTES)


class FollowUp(models.Model):
    """A call to make: after thoracic needling, the next day (symptoms can start hours later)."""

    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="follow_ups")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    reason = models.CharField(max_length=limits.LINE)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "id"]
        # Today: the clinic's calls still to make, oldest first, read in order without scanning the done ones.
        indexes = [models.Index(fields=["clinic", "due_on", "id"], condition=models.Q(done_at__isnull=True), name="follow_up_open")]
        constraints = [models.UniqueConstraint(fields=["session", "reason"], name="one_follow_up_per_reason")]

    def __str__(self) -> str:
        return f"Follow-up {self.pk}"
