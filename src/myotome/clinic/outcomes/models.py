"""An episode's measure set and its scored forms.

A score row keeps everything the core's ``Score.record()`` gives: item responses, instrument
version, scoring-rule version and the missing-item rule, so it can be re-checked later. Rows are
never edited by the application; a mistaken entry is followed by a corrected one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from myotome.clinic import input_limits as limits
from myotome.clinic.patients.models import Episode

MEASURE_ID = 20  # the core's measure ids are short ("quickdash")


class EpisodeMeasures(models.Model):
    """The measures chosen for an episode, primary first; absent, the core's default for its condition and regions."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="measure_set")
    measures = models.JSONField(help_text="Measure ids, the primary measure first.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")


class Timepoint(models.TextChoices):
    INTAKE = "intake", "Intake"
    PROGRESS = "progress", "Progress"
    DISCHARGE = "discharge", "Discharge"


class OutcomeScore(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="outcome_scores")
    measure = models.CharField(max_length=MEASURE_ID)
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    taken_on = models.DateField()
    score = models.FloatField(null=True, help_text="Null when too many items were missing (see reason).")
    subscales = models.JSONField(default=dict)
    valid = models.BooleanField()
    reason = models.CharField(max_length=limits.REASON, blank=True)
    responses = models.JSONField(help_text="Item responses by part, exactly as scored.")
    activity_names = models.JSONField(default=list, help_text="PSFS: the activities the patient chose, carried to later visits.")
    instrument_version = models.CharField(max_length=limits.LINE)
    scoring_rule_version = models.CharField(max_length=MEASURE_ID * 2)
    missing_rule = models.CharField(max_length=limits.REASON)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["taken_on", "recorded_at", "id"]
        indexes = [models.Index(fields=["episode", "measure", "taken_on"], name="outcome_episode_measure")]

    def __str__(self) -> str:
        return f"{self.measure} {self.taken_on}"


class KioskLink(models.Model):
    """A single-use, expiring link that lets a patient fill in one questionnaire of one episode.

    Only a hash of the token is kept: the token itself is shown once, to the clinician who made it,
    and is the only thing in the kiosk's URL. ``used_at`` is set by one conditional UPDATE, so two
    submissions racing on the same link cannot both write.
    """

    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token, hex.")
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="kiosk_links")
    measure = models.CharField(max_length=MEASURE_ID)
    timepoint = models.CharField(max_length=10, choices=Timepoint.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    score = models.OneToOneField(OutcomeScore, null=True, blank=True, on_delete=models.PROTECT, related_name="kiosk_link")

    def __str__(self) -> str:
        return f"Kiosk link {self.pk}"


class OutcomeSettings(models.Model):
    """A clinic's choices for outcome measures (one row per clinic; none means the defaults)."""

    clinic = models.OneToOneField("accounts.Clinic", on_delete=models.PROTECT, related_name="outcome_settings")
    every_sessions = models.PositiveSmallIntegerField(
        default=4, help_text="Prompt for the primary measure again after this many signed sessions since its last score."
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(every_sessions__gte=1, every_sessions__lte=50), name="outcome_every_1_50")]

    def __str__(self) -> str:
        return f"Outcome settings of clinic {self.clinic_id}"
