"""Idle-session timeout and the active clinic on every request."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from myotome.clinic.accounts.clinics import choose_active_clinic, memberships_of

LAST_SEEN = "myotome_last_seen"
# Writing the session on every click costs a database write; a few seconds of slack is harmless.
_TOUCH_EVERY_SECONDS = 10


class IdleTimeoutMiddleware:
    """Sign out a session that has seen no request for MYOTOME_IDLE_MINUTES (HIPAA automatic logoff)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - int(last) > settings.IDLE_MINUTES * 60:
                return self._sign_out(request)
            if last is None or now - int(last) >= _TOUCH_EVERY_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _sign_out(request: HttpRequest) -> HttpResponse:
        request.logout_reason = "idle timeout"  # type: ignore[attr-defined]  # read by the logout receiver
        logout(request)
        messages.info(request, f"You were signed out after {settings.IDLE_MINUTES} minutes without activity. Sign in again to continue.")
        # The path only: a query string could carry something typed into a form.
        return redirect_to_login(request.path)


class ActiveClinicMiddleware:
    """Attach ``request.membership`` (the active clinic and role) and ``request.memberships``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        memberships = memberships_of(request.user)
        request.memberships = memberships  # type: ignore[attr-defined]
        request.membership = choose_active_clinic(request, request.user, memberships) if memberships else None  # type: ignore[attr-defined]
        return self.get_response(request)
