"""Exam: one segmental exam of an episode, with the plan the engine built from it.

An exam stores three things together, so that it can always be shown as the clinician
saw it: the assessment document (format 1.1, what was found), the engine's result (the
ranked segments and the plan) and the knowledge-base version that produced both.
A draft keeps the document only and may still change. Saving an exam signs it: ``saved_by``
and ``saved_at`` name who signed it and when, and from then on nothing in it changes through
any route (the model and queryset refuse it, the admin is read-only, and the database
triggers of migration 0004 refuse UPDATE and DELETE, as for a signed session; see
``myotome.clinic.signing``). A correction is a dated addendum by a named user, shown under
the original; a new assessment is a new exam, copied forward. (Migration 0002 rewrote every
stored document in format 1.1 with the same meaning; results were left as the engine gave them.)
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from myotome.clinic import input_limits
from myotome.clinic.json_paths import JSONLength, JSONValue
from myotome.clinic.patients.models import Episode
from myotome.clinic.signing import Addendum, LockedQuerySet, refuse, refuse_if_locked


class ExamStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SAVED = "saved", "Saved"


LISTED_SEGMENTS = 3  # the likely segments an exam list shows
SIGNED = "a saved exam is signed and cannot change: add an addendum, or copy it forward into a new exam"


class ExamQuerySet(LockedQuerySet["Exam"]):
    locked = models.Q(status=ExamStatus.SAVED)
    message = SIGNED

    def listed(self) -> ExamQuerySet:
        """Only what an exam list shows: the document and the result stay in the database, and
        the likely segments and the plan's size are read from the result there (``Exam.summary``)."""
        facts: dict[str, Any] = {
            "listed_steps": JSONLength("result", "plan", "steps"),
            "listed_warnings": JSONLength("result", "plan", "warnings"),
        }
        for n in range(LISTED_SEGMENTS):
            for key in ("segment", "side", "score"):
                facts[f"listed_{key}_{n}"] = JSONValue("result", "segments", n, key)
        return self.defer("document", "result").annotate(**facts)


class Exam(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="exams")
    status = models.CharField(max_length=8, choices=ExamStatus.choices, default=ExamStatus.DRAFT)
    document = models.JSONField(help_text="The assessment document (myotome.exam), format 1.1.")
    result = models.JSONField(null=True, blank=True, help_text="The engine's result (myotome.engine), with the plan; empty for a draft.")
    kb_version = models.CharField(max_length=80, help_text="The knowledge base that resolved the names and produced the result.")
    engine_version = models.CharField(max_length=40, blank=True, help_text="The Myotome release that ran the engine.")
    # Free text beside the findings: what the patient tells (history) and what the findings do not hold.
    # Kept out of the assessment document: the engine reads findings, and a note copied forward is a hazard.
    history_note = models.TextField(blank=True, max_length=input_limits.NOTES, help_text="Subjective history, as told today.")
    exam_note = models.TextField(blank=True, max_length=input_limits.NOTES, help_text="Exam notes.")
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A default rather than auto_now_add, so that the demo can date its exams in the past.
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ExamQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["episode", "-created_at"], name="exam_episode_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(result__isnull=False, saved_at__isnull=False),
                name="saved_exam_has_result",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(saved_by__isnull=False, saved_at__isnull=False),
                name="saved_exam_names_signer",
            ),
            *input_limits.length_checks("exam", history_note=input_limits.NOTES, exam_note=input_limits.NOTES),
        ]

    def __str__(self) -> str:
        return f"Exam {self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == ExamStatus.DRAFT

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The stored row decides, not this instance: a stale copy must not reopen a saved exam.
        refuse_if_locked(Exam.objects.all(), self.pk)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        refuse(SIGNED if not self.is_draft else "exams are never deleted: a draft is left unsaved")

    @property
    def plan(self) -> dict[str, Any] | None:
        """The plan as the engine built it when the exam was saved."""
        return (self.result or {}).get("plan")

    @property
    def findings_count(self) -> int:
        return len(self.document.get("findings", []))

    @property
    def top_segments(self) -> list[dict[str, Any]]:
        return list((self.result or {}).get("segments", [])[:3])

    @property
    def summary(self) -> dict[str, Any]:
        """What a list shows: the likely segments and, with a plan, its steps and warnings counted.

        From ``listed()``'s annotations when the exam was loaded by it, else from the result.
        """
        if hasattr(self, "listed_steps"):
            segments = [
                {"segment": segment, "side": getattr(self, f"listed_side_{n}"), "score": float(getattr(self, f"listed_score_{n}"))}
                for n in range(LISTED_SEGMENTS)
                if (segment := getattr(self, f"listed_segment_{n}")) is not None
            ]
            steps, warnings = self.listed_steps, self.listed_warnings
        else:
            segments = [{key: s[key] for key in ("segment", "side", "score")} for s in self.top_segments]
            plan = self.plan
            steps, warnings = (len(plan["steps"]), len(plan.get("warnings") or [])) if plan else (None, None)
        return {"segments": segments, "steps": steps, "warnings": warnings or 0}


class ExamAddendum(Addendum):
    """A dated correction or addition to a saved exam, by a named user. Never changed."""

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="addenda")

    class Meta(Addendum.Meta):
        constraints = input_limits.length_checks("exam_addendum", text=input_limits.NOTES)
