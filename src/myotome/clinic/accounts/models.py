"""Clinics, who belongs to them in which role, and failed-login counters."""

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


class LoginThrottle(models.Model):
    """Failed logins for one username from one address (kept in the database so that
    every app server behind a load balancer sees the same count)."""

    username = models.CharField(max_length=150)
    remote_addr = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["username", "remote_addr"], name="one_counter_per_username_and_address")]
