"""An authenticator app registered to a user, and the user's recovery codes."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TotpDevice(models.Model):
    """The user's authenticator app: its secret, sealed (see sealing.py), and the last time step
    whose code was accepted, so that a code works once only.

    A device is pending until the user proves it works by typing a code; only a confirmed
    device is asked for at sign-in.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device")
    sealed_secret = models.TextField(help_text="The TOTP secret, encrypted with a key derived from the secret key.")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"authenticator app of {self.user} ({'confirmed' if self.confirmed_at else 'pending'})"


class RecoveryCode(models.Model):
    """One single-use recovery code, stored as its SHA-256 digest (the codes are random, 80 bits)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="one_row_per_recovery_code")]

    def __str__(self) -> str:
        return f"recovery code of {self.user} ({'used' if self.used_at else 'unused'})"
