"""Sign-in, sign-out and failed sign-ins: audit rows, throttle counters and the active clinic."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from myotome.clinic.accounts import throttle
from myotome.clinic.accounts.backends import ATTEMPT_ATTRIBUTE, LOCK_ATTRIBUTE
from myotome.clinic.accounts.clinics import choose_active_clinic
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event

SIGN_IN_DETAIL = "sign_in_detail"  # request attribute: how the sign-in was completed (e.g. the second factor used)


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:  # management commands
        return
    throttle.signed_in(request, user)
    choose_active_clinic(request, user)
    # Authentication events carry no clinic: every clinic the user belongs to may see them.
    record_event(request, Action.LOGIN, user=user, clinic=None, detail=getattr(request, SIGN_IN_DETAIL, ""))


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is None:
        return
    username = str(credentials.get("username") or "")
    locked: throttle.Locked | None = getattr(request, LOCK_ATTRIBUTE, None)
    attempt: throttle.Attempt | None = getattr(request, ATTEMPT_ATTRIBUTE, None)
    if locked is not None:
        detail = f"refused: {locked.scope} locked"
    elif attempt is not None:
        detail = attempt.describe()
    else:  # a backend refused before the throttle ran (e.g. no password given)
        detail = "refused"
    record_event(request, Action.LOGIN_FAILED, username=username, clinic=None, detail=detail)


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or user is None:
        return
    record_event(request, Action.LOGOUT, user=user, clinic=None, detail=getattr(request, "logout_reason", ""))
