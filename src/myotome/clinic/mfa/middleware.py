"""Holding sessions to the second factor on every request."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from myotome.clinic.mfa import second_factor, totp

# What a user who must enrol may still open: the enrolment page itself, and signing out.
ENROLMENT_OPEN = frozenset({"mfa:setup", "accounts:logout"})


class SecondFactorMiddleware:
    """Sign out a session that skipped the code step; send those who must enrol to enrolment first.

    Runs after ActiveClinicMiddleware, whose ``request.memberships`` says who is a clinic admin.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        device = totp.confirmed_device(user)
        if device is not None and not second_factor.is_verified(request.session, device):
            request.logout_reason = "second factor not verified in this session"  # type: ignore[attr-defined]  # read by the logout receiver
            logout(request)
            messages.info(request, "Sign in again with your password and a code from your authenticator app.")
            return redirect_to_login(request.path)
        if device is None and second_factor.required(request, user) and _url_name(request) not in ENROLMENT_OPEN:
            messages.info(request, "Your role needs a second factor: set up an authenticator app to continue.")
            return redirect("mfa:setup")
        return self.get_response(request)


def _url_name(request: HttpRequest) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""
