"""Writing audit events from views::

    record_event(request, Action.VIEW, record=patient)
    record_event(request, Action.VIEW, record_type="patient_list", detail="25 shown")

Call it inside the same transaction as the change it records, so that a change is
never saved without its audit row (nor the other way round).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from myotome.clinic.audit.models import Action, AuditEvent

_UNSET: Any = object()


def client_address(request: HttpRequest | None) -> str | None:
    """The peer's address as the WSGI server reports it.

    Behind a load balancer, waitress's trusted-proxy settings (see docs/deployment.md)
    put the client's address here; X-Forwarded-For is never read directly, since any
    client can send it.
    """
    if request is None:
        return None
    raw = str(request.META.get("REMOTE_ADDR", "")).strip()
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def record_event(
    request: HttpRequest,
    action: Action | str,
    *,
    record: Model | None = None,
    record_type: str = "",
    record_id: str | int = "",
    detail: str = "",
    user: Any = _UNSET,
    username: str | None = None,
    clinic: Any = _UNSET,
    owner_clinic_id: int | None = None,
) -> AuditEvent:
    """Append one event; who, clinic, address and path come from the request unless given."""
    if user is _UNSET:
        user = request.user if getattr(request, "user", None) is not None and request.user.is_authenticated else None
    if clinic is _UNSET:
        membership = getattr(request, "membership", None)
        clinic = membership.clinic if membership is not None else None
    if record is not None:
        record_type = record_type or record._meta.model_name or ""
        record_id = record.pk
    return AuditEvent.objects.create(
        user=user,
        username=(username if username is not None else user.get_username() if user else "")[:150],
        clinic=clinic,
        owner_clinic_id=owner_clinic_id,
        action=str(action),
        record_type=record_type[:40],
        record_id=str(record_id)[:64],
        remote_addr=client_address(request),
        path=request.path[:500],
        detail=detail[:200],
    )
