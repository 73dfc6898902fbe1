"""The staff lock: a kiosk opened where staff are signed in holds that session until the password.

Opening a kiosk link in a signed-in browser sets a flag in the session (and gives the session a new
key, so a page the browser kept in its back-forward cache is not shown from it). While the flag is
set, every request but the kiosk's own pages and signing out is sent to the unlock page; pages are
``no-store``, so Back asks the server again and is sent there too. The signed-in user's password
lifts the lock; guesses count against the sign-in throttle (accounts/throttle.py). All audited.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from myotome.clinic import input_limits
from myotome.clinic.accounts import throttle
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event

LOCKED = "myotome_kiosk_lock"
KIOSK_PREFIX = "/kiosk/"


def is_locked(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.session.get(LOCKED))


def lock(request: HttpRequest, link_id: int) -> None:
    """Lock this browser's staff session (once: a second kiosk page changes nothing)."""
    if not request.user.is_authenticated or request.session.get(LOCKED):
        return
    request.session.cycle_key()
    request.session[LOCKED] = int(time.time())
    record_event(request, Action.UPDATE, record_type="staff_session", detail=f"locked: kiosk link {link_id} opened on this device")


class KioskLockMiddleware:
    """Send a locked session's requests to the unlock page, except the kiosk's own and signing out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_locked(request) and not _open_when_locked(request.path_info):
            return redirect("outcomes:unlock")
        return self.get_response(request)


def _open_when_locked(path: str) -> bool:
    return path.startswith(KIOSK_PREFIX) or path == reverse("accounts:logout") or path.startswith(str(settings.STATIC_URL))


class UnlockForm(input_limits.LimitedForm, forms.Form):
    password = forms.CharField(
        label="Your password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True})
    )


@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if not request.session.get(LOCKED):
        return redirect("day")
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user: Any = request.user
        try:
            attempt = throttle.begin(request, user)
        except throttle.Locked as locked:
            return _sign_out(request, locked.message)
        if user.check_password(form.cleaned_data["password"]):
            attempt.release()
            del request.session[LOCKED]
            request.session.cycle_key()
            record_event(request, Action.LOGIN, record_type="staff_session", detail="kiosk lock lifted with the password")
            messages.success(request, "Unlocked.")
            return redirect("day")
        record_event(request, Action.LOGIN_FAILED, record_type="staff_session", detail=f"kiosk unlock: {attempt.describe()}")
        if attempt.locked_now:
            return _sign_out(request, "Too many wrong passwords: you were signed out.")
        form.add_error("password", "That is not the password of the signed-in account.")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "outcomes/unlock.html", {"form": form, "who": request.user.get_full_name() or request.user.get_username()}, status=status
    )


def _sign_out(request: HttpRequest, why: str) -> HttpResponse:
    request.logout_reason = "kiosk unlock refused"  # type: ignore[attr-defined]  # read by the logout receiver
    logout(request)
    messages.info(request, why)
    return redirect("accounts:login")
