"""Who may open what: one place for the checks every view makes.

@member_required
def chart(request, pk):
    patient = get_patient_for(request, pk)      # 404 outside the active clinic
    require_clinical(request, patient)          # 403 for front desk, audited
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from myotome.clinic.accounts.models import Membership
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event
from myotome.clinic.prepared import Prepared

CLINICAL_ONLY = (
    "This page holds clinical information, which front-desk accounts cannot open. Ask a clinician in your clinic if you need it."
)
ADMIN_ONLY = "Only a clinic admin can open this page."
# The one detail of a refused lookup, whether the id belongs to another clinic or to nothing.
NOT_IN_CLINIC = "not found in the active clinic"

View = Callable[..., HttpResponse]
M = TypeVar("M", bound=Model)


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


def by_pk_in_clinic(records_in: Callable[[int], QuerySet[M]]) -> Prepared[M]:
    """The lookup of one record by id among ``records_in(clinic id)``, compiled once: every page makes one or two."""
    return Prepared(lambda clinic_id, pk: records_in(clinic_id).filter(pk=pk), int, int)


def get_in_clinic_or_404(request: HttpRequest, records: QuerySet[M] | Prepared[M], pk: int, *, clinic_path: str) -> M:
    """Record ``pk`` of ``records`` (already limited to what the request may open), or an audited 404.

    ``records`` may be a lookup made by :func:`by_pk_in_clinic`, asked in the active clinic.

    ``clinic_path`` leads from the model to its clinic (``"patient__clinic"``). The
    requester gets the same 404, and their clinic's log the same DENIED row, whether the
    id belongs to another clinic or to nothing; the row's ``owner_clinic`` (never shown to
    the requester's clinic) lets the clinic that holds the record see the attempt.
    """
    found = _one(request, records, pk)
    if found is not None:
        return found
    model = records.model
    # Asked whatever the answer, so that a probe costs the same as a real record.
    owner = model._default_manager.filter(pk=pk).values_list(clinic_path, flat=True).first()
    active = active_membership(request)
    record_event(
        request,
        Action.DENIED,
        record_type=model._meta.model_name or "",
        record_id=pk,
        detail=NOT_IN_CLINIC,
        owner_clinic_id=owner if active is not None and owner != active.clinic_id else None,
    )
    raise Http404(f"No {model._meta.object_name} matches the given query.")


def _one(request: HttpRequest, records: QuerySet[M] | Prepared[M], pk: int) -> M | None:
    if isinstance(records, Prepared):
        return records.first(membership(request).clinic_id, pk)
    try:
        return records.get(pk=pk)
    except records.model.DoesNotExist:
        return None
