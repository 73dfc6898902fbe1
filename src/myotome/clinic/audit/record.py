"""Writing audit events from views::

    record_event(request, Action.VIEW, record=patient)
    record_event(request, Action.VIEW, record_type="patient_list", detail="25 shown")

Call it inside the same transaction as the change it records, so that a change is
never saved without its audit row (nor the other way round).

Anonymous events (no signed-in user: failed sign-ins, refused forms) are bounded,
since anyone can cause them: each address gets AUDIT_ANONYMOUS_PER_HOUR rows per hour
and kind of event, and every event, kept as a row or not, is counted in
``AnonymousCount`` (address, hour, action), which the audit page shows.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Model
from django.http import HttpRequest
from django.utils import timezone

from myotome.clinic.audit.models import Action, AnonymousCount, AuditEvent

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


def counting_address(address: str | None) -> str:
    """The key anonymous events are counted under: the address, or an IPv6 client's /64
    (one subscriber's whole allocation, so that rotating through it does not help)."""
    if address is None:
        return ""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def current_hour() -> datetime:
    return timezone.now().replace(minute=0, second=0, microsecond=0)


def count_anonymous(address: str | None, action: str) -> int:
    """Add one to this address's count for the current hour and action; return the new count."""
    key = {"address": counting_address(address), "hour": current_hour(), "action": action}
    with transaction.atomic():
        AnonymousCount.objects.bulk_create([AnonymousCount(**key, count=0)], ignore_conflicts=True)
        # The UPDATE's row lock (held to the end of the transaction) makes the count exact under concurrency.
        AnonymousCount.objects.filter(**key).update(count=F("count") + 1)
        return AnonymousCount.objects.filter(**key).values_list("count", flat=True).get()


def record_event(
    request: HttpRequest | None,
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
    path: str | None = None,
) -> AuditEvent | None:
    """Append one event; who, clinic, address and path come from the request unless given.

    ``request`` is None for commands (``path`` then names the command). Returns None when
    an anonymous event was counted but, over the hourly limit, not kept as a row.
    """
    if user is _UNSET:
        user = request.user if getattr(request, "user", None) is not None and request.user.is_authenticated else None  # type: ignore[union-attr]
    if clinic is _UNSET:
        membership = getattr(request, "membership", None)
        clinic = membership.clinic if membership is not None else None
    if record is not None:
        record_type = record_type or record._meta.model_name or ""
        record_id = record.pk
    address = client_address(request)
    if request is not None and user is None and count_anonymous(address, str(action)) > settings.AUDIT_ANONYMOUS_PER_HOUR:
        return None
    return AuditEvent.objects.create(
        user=user,
        username=(username if username is not None else user.get_username() if user else "")[:150],
        clinic=clinic,
        owner_clinic_id=owner_clinic_id,
        action=str(action),
        record_type=record_type[:40],
        record_id=str(record_id)[:64],
        remote_addr=address,
        path=(path if path is not None else request.path if request is not None else "")[:500],
        detail=detail[:200],
    )
