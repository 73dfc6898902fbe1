"""Who may open what: one place for the checks every view makes.

@member_required
def chart(request, pk):
    patient = get_patient_for(request, pk)      # 404 outside the active clinic
    require_clinical(request, patient)          # 403 for front desk, audited
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from myotome.clinic.accounts.models import Membership
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event

CLINICAL_ONLY = (
    "This page holds clinical information, which front-desk accounts cannot open. Ask a clinician in your clinic if you need it."
)
ADMIN_ONLY = "Only a clinic admin can open this page."

View = Callable[..., HttpResponse]


def member_required(view: View) -> View:
    """Signed in and a member of a clinic; anonymous users go to the login page (path only, never a query)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        if active_membership(request) is None:
            record_event(request, Action.DENIED, record_type="clinic", detail="no clinic membership")
            return render(request, "accounts/no_clinic.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def active_membership(request: HttpRequest) -> Membership | None:
    return getattr(request, "membership", None)


def membership(request: HttpRequest) -> Membership:
    """The active membership of a request that passed ``member_required``."""
    active = active_membership(request)
    if active is None:  # a view forgot @member_required: refuse rather than guess
        raise PermissionDenied("No active clinic.")
    return active


def sees_clinical(request: HttpRequest) -> bool:
    active = active_membership(request)
    return active is not None and active.sees_clinical


def require_clinical(request: HttpRequest, record: Model | None = None, record_type: str = "") -> None:
    """Raise 403 (and audit the refusal) unless the active role may see clinical content."""
    if not sees_clinical(request):
        record_event(request, Action.DENIED, record=record, record_type=record_type, detail="clinical content refused to front desk")
        raise PermissionDenied(CLINICAL_ONLY)


def require_clinic_admin(request: HttpRequest, record_type: str) -> None:
    active = active_membership(request)
    if active is None or not active.is_clinic_admin:
        record_event(request, Action.DENIED, record_type=record_type, detail="clinic admin page refused")
        raise PermissionDenied(ADMIN_ONLY)
