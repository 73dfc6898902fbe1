"""AuditEvent: who did what to which record, when and from where. Append-only.

Rows are never changed or deleted through the application: the model and its
queryset refuse it, the admin is read-only, and database triggers refuse UPDATE and
DELETE (and TRUNCATE on PostgreSQL) outside audit maintenance (``maintenance.py``).

AnonymousCount: how many anonymous events each address caused per hour and action,
including those beyond the hourly limit that were not kept as AuditEvent rows.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    VIEW = "view", "View"
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    EXPORT = "export", "Export"
    LOGIN = "login", "Sign-in"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    LOGOUT = "logout", "Sign-out"
    DENIED = "denied", "Access denied"


class AppendOnlyError(RuntimeError):
    """Something tried to change or delete an audit event."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnlyError("audit events are append-only: they cannot be changed or deleted")


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # PROTECT: a user who has touched patient data can be deactivated, never deleted.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=150, blank=True, help_text="The user's name, or the name typed at a failed sign-in.")
    clinic = models.ForeignKey("accounts.Clinic", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Kept apart from ``clinic`` so that the requester's clinic sees the same row whether
    # or not the record exists elsewhere, while the clinic holding it sees the attempt.
    owner_clinic = models.ForeignKey(
        "accounts.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a refused lookup of another clinic's record: the clinic that holds it (never shown to the requester's clinic).",
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    record_type = models.CharField(max_length=40, blank=True)
    record_id = models.CharField(max_length=64, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True, help_text="The path without its query string.")
    detail = models.CharField(max_length=200, blank=True, help_text="Never patient data: counts, reasons.")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "-at"], name="audit_clinic_at"),
            models.Index(fields=["record_type", "record_id"], name="audit_record"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action} {self.record_type} {self.record_id}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class AnonymousCount(models.Model):
    """Anonymous events per address, hour and action: all of them, rows or not (see ``record.py``).

    Unlike audit rows these are updated in place: one row per address and hour, however
    many requests an attacker sends.
    """

    address = models.CharField(max_length=64, blank=True, help_text="The client's address, or an IPv6 client's /64; empty if unknown.")
    hour = models.DateTimeField(help_text="The start of the hour (UTC) the events fell in.")
    action = models.CharField(max_length=16, choices=Action.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-hour", "-count"]
        constraints = [models.UniqueConstraint(fields=["address", "hour", "action"], name="one_anonymous_count_per_address_hour_action")]
        indexes = [models.Index(fields=["hour"], name="audit_anonymous_hour")]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00} {self.address or '-'} {self.action} x{self.count}"
