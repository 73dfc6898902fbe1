"""Response headers, the CSRF failure page and the log filter that keeps patient data out of logs."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every response; ``no-store`` on everything the app renders.

    Django's SecurityMiddleware and XFrameOptionsMiddleware add nosniff, Referrer-Policy
    and X-Frame-Options. Static files never reach this middleware (WhiteNoise answers
    first), so they stay cacheable while no page with patient data is kept by a
    browser or a shared cache.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A calm page instead of Django's debug-style one, and an audit row for the refusal."""
    from myotome.clinic.audit.models import Action
    from myotome.clinic.audit.record import record_event

    record_event(request, Action.DENIED, record_type="csrf", detail="form refused: missing or stale CSRF token")
    return render(request, "403_csrf.html", status=403)


class DropRequestDetails(logging.Filter):
    """Strip the request object Django attaches to log records.

    Django's messages name only the path ("Not Found: /patients/7/"), but handlers
    that format ``record.request`` would print the query string, headers and POST
    data, which can hold patient names.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        return True
