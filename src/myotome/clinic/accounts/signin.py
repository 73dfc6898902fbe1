"""Signing in: the password step, then (for users with an authenticator app) the code step.

After a right password, a user with a second factor is not signed in: the session holds
only who is waiting for the code step, for a few minutes. ``login()`` runs when the code
is right, so ``request.user`` stays anonymous, with no clinic data, until then. Both steps
are throttled (throttle.py): a code guess is a guess like a password. The admin's login
page is this one too, so it is throttled, audited and asks for the second factor.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from myotome.clinic.accounts import devices, throttle
from myotome.clinic.accounts.backends import LOCK_ATTRIBUTE
from myotome.clinic.accounts.forms import ThrottledAuthenticationForm
from myotome.clinic.accounts.signals import SIGN_IN_DETAIL
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event
from myotome.clinic.mfa import recovery, second_factor, totp
from myotome.clinic.mfa.forms import CodeForm

PENDING_KEY = "myotome_sign_in_pending"
PENDING_SECONDS = 5 * 60  # time to fetch the phone and type the code


def _next_url(request: HttpRequest, default: str | None = None) -> str:
    """Where to go after signing in: a same-site ``next`` if given, else the default."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


def _locked_response(request: HttpRequest, template: str, context: dict[str, Any], locked: throttle.Locked) -> HttpResponse:
    """429 with Retry-After: the client is told when to come back; no worker sleeps on it."""
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(locked.retry_after)
    return response


def _complete(request: HttpRequest, user: Any, next_url: str, detail: str = "") -> HttpResponse:
    """Sign the user in (audited by the user_logged_in receiver) and recognise this browser from now on."""
    setattr(request, SIGN_IN_DETAIL, detail)
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend=getattr(user, "backend", None))
    device = totp.confirmed_device(user)
    if device is not None:
        second_factor.mark_verified(request.session, device)
    response = redirect(next_url)
    devices.remember(request, response, user)
    return response


@sensitive_post_parameters()
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest, default_next: str | None = None) -> HttpResponse:
    """The password step."""
    next_url = _next_url(request, default_next)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = ThrottledAuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    context = {"form": form, "next": next_url, "action": request.path}
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            if totp.confirmed_device(user) is None:
                return _complete(request, user, next_url)
            request.session.cycle_key()  # the half-signed-in state gets a session id of its own
            request.session[PENDING_KEY] = {"user": user.pk, "backend": user.backend, "at": int(time.time()), "next": next_url}
            return redirect("accounts:login_code")
        locked = getattr(request, LOCK_ATTRIBUTE, None)
        if locked is not None:
            return _locked_response(request, "accounts/login.html", context, locked)
    return render(request, "accounts/login.html", context)


def _pending_user(request: HttpRequest) -> tuple[Any, str] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = get_user_model()._default_manager.filter(pk=pending.get("user"), is_active=True).first()
    if user is None:
        return None
    user.backend = pending.get("backend")
    return user, str(pending.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL))


@sensitive_post_parameters()
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The code step: a code from the authenticator app, or a recovery code."""
    pending = _pending_user(request)
    if pending is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, "Sign in again: the code step waits only a few minutes after the password.")
        return redirect("accounts:login")
    user, next_url = pending
    form = CodeForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            attempt = throttle.begin(request, user)
        except throttle.Locked as locked:
            request.session.pop(PENDING_KEY, None)
            record_event(
                request,
                Action.LOGIN_FAILED,
                user=None,
                username=user.get_username(),
                clinic=None,
                record_type="second_factor",
                detail=f"refused: {locked.scope} locked",
            )
            form.add_error(None, locked.message)
            return _locked_response(request, "accounts/login_code.html", context, locked)
        how = second_factor.check(user, form.cleaned_data["code"])
        if how is None:
            record_event(
                request,
                Action.LOGIN_FAILED,
                username=user.get_username(),
                clinic=None,
                record_type="second_factor",
                detail=f"wrong code; {attempt.describe()}",
            )
            form.add_error("code", "That code is not right. Type the 6 digits your app shows now, or an unused recovery code.")
            return render(request, "accounts/login_code.html", context)
        attempt.release()
        detail = f"second factor: {how}"
        if how == second_factor.BY_RECOVERY_CODE:
            left = recovery.remaining(user)
            record_event(
                request,
                Action.UPDATE,
                user=user,
                clinic=None,
                record_type="recovery_code",
                record_id=user.pk,
                detail=f"recovery code used at sign-in; {left} left",
            )
            detail += f", {left} left"
            if left <= 3:
                messages.warning(
                    request, f"You have {left} recovery code{'s' if left != 1 else ''} left: make new ones on your account page."
                )
        return _complete(request, user, next_url, detail)
    return render(request, "accounts/login_code.html", context)


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site's login page is the app's own: throttled, audited, second factor included."""
    if request.user.is_authenticated:
        if request.user.is_staff:
            return redirect(_next_url(request, reverse("admin:index")))
        raise PermissionDenied("This account is not a Myotome administrator.")
    return login(request, default_next=reverse("admin:index"))
