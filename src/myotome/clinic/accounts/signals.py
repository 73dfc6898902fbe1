"""Login, logout and failed logins: audit rows, throttle counters and the active clinic."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from myotome.clinic.accounts import throttle
from myotome.clinic.accounts.clinics import choose_active_clinic
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import client_address, record_event


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:  # Client.force_login in tests, management commands
        return
    throttle.clear(user.get_username(), client_address(request))
    choose_active_clinic(request, user)
    # Authentication events carry no clinic: every clinic the user belongs to may see them.
    record_event(request, Action.LOGIN, user=user, clinic=None)


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is None:
        return
    username = str(credentials.get("username") or "")
    was_locked = throttle.locked_until(username, client_address(request)) is not None
    counter = throttle.record_failure(username, client_address(request))
    detail = "refused: locked" if was_locked else f"failure {counter.failures} of {_limit()}"
    if not was_locked and counter.locked_until:
        detail += "; locked"
    record_event(request, Action.LOGIN_FAILED, username=username, clinic=None, detail=detail)


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or user is None:
        return
    record_event(request, Action.LOGOUT, user=user, clinic=None, detail=getattr(request, "logout_reason", ""))


def _limit() -> int:
    from django.conf import settings

    return int(settings.LOGIN_FAILURE_LIMIT)
