"""Who must use a second factor, checking one at sign-in, and the session's proof of it.

A session counts as verified for the device whose id it holds under :data:`SESSION_KEY`;
the middleware signs out an authenticated session of a user with a device that lacks it,
so no way of calling ``login()`` can skip the code step::

    how = check(user, "123456")      # "authenticator app", "recovery code", or None
    mark_verified(request.session, device)
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest

from myotome.clinic.mfa import recovery, totp
from myotome.clinic.mfa.models import TotpDevice

SESSION_KEY = "myotome_second_factor"
BY_APP = "authenticator app"
BY_RECOVERY_CODE = "recovery code"


def required(request: HttpRequest, user: Any) -> bool:
    """Clinic admins (in any of their clinics) and Django staff must have a second factor."""
    if user.is_staff or user.is_superuser:
        return True
    memberships = getattr(request, "memberships", None)
    if memberships is None:
        from myotome.clinic.accounts.clinics import memberships_of

        memberships = memberships_of(user)
    return any(m.is_clinic_admin for m in memberships)


def check(user: Any, code: str) -> str | None:
    """How ``code`` proved the second factor (a code from the app or an unused recovery code), or None."""
    device = totp.confirmed_device(user)
    if device is None:
        return None
    if totp.verify(device, code):
        return BY_APP
    if recovery.use(user, code):
        return BY_RECOVERY_CODE
    return None


def mark_verified(session: SessionBase, device: TotpDevice) -> None:
    session[SESSION_KEY] = device.pk


def is_verified(session: SessionBase, device: TotpDevice) -> bool:
    return bool(session.get(SESSION_KEY) == device.pk)
