"""Clinics, who belongs to them in which role, and failed sign-in counters."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    """What a member may do in one clinic.

    Clinic admins are clinicians who also read the audit log; front desk staff see
    demographics only, never clinical content.
    """

    CLINIC_ADMIN = "clinic_admin", "Clinic admin"
    CLINICIAN = "clinician", "Clinician"
    FRONT_DESK = "front_desk", "Front desk"


CLINICAL_ROLES = frozenset({Role.CLINIC_ADMIN, Role.CLINICIAN})


class Clinic(models.Model):
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["clinic__name"]
        constraints = [models.UniqueConstraint(fields=["user", "clinic"], name="one_membership_per_clinic")]

    def __str__(self) -> str:
        return f"{self.user} in {self.clinic} ({self.get_role_display()})"

    @property
    def sees_clinical(self) -> bool:
        return self.role in CLINICAL_ROLES

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.CLINIC_ADMIN


class Scope(models.TextChoices):
    """What a sign-in counter counts (see throttle.py)."""

    ACCOUNT = "account", "Account, from unrecognised browsers"
    DEVICE = "device", "Account, from one recognised browser"
    ADDRESS = "address", "Client address, across accounts"


class SignInCounter(models.Model):
    """Failed sign-in guesses (passwords and second-factor codes) for one account, one
    recognised browser or one client address.

    Kept in the database so that every app server behind a load balancer sees the same
    count. Rows exist only for accounts that exist and for addresses with recent
    failures; rows older than the lock period are deleted.
    """

    scope = models.CharField(max_length=10, choices=Scope.choices)
    key = models.CharField(max_length=80, help_text="A user id, user id:device nonce, or an address (IPv6: its /64).")
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="one_counter_per_scope_and_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.failures}"
