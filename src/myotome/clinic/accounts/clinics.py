"""The active clinic: which of a user's memberships this session works in.

The session holds only the clinic's id; every request re-reads the user's
memberships, so a revoked membership takes effect on the next click.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from myotome.clinic.accounts.models import Membership
from myotome.clinic.prepared import Prepared

SESSION_KEY = "myotome_clinic_id"
# Read on every request (compiled once: myotome.clinic.prepared).
_MEMBERSHIPS = Prepared(lambda user_id: Membership.objects.filter(user_id=user_id).select_related("clinic").order_by("clinic__name"), int)


def memberships_of(user: Any) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return _MEMBERSHIPS(user.pk)


def choose_active_clinic(request: HttpRequest, user: Any, memberships: list[Membership] | None = None) -> Membership | None:
    """Keep the session's clinic if the user still belongs to it, else the first by name."""
    if memberships is None:
        memberships = memberships_of(user)
    chosen = request.session.get(SESSION_KEY)
    active = next((m for m in memberships if m.clinic_id == chosen), memberships[0] if memberships else None)
    if active is None:
        request.session.pop(SESSION_KEY, None)
    elif active.clinic_id != chosen:
        request.session[SESSION_KEY] = active.clinic_id
    return active


def switch_clinic(request: HttpRequest, clinic_id: int) -> Membership | None:
    """Make ``clinic_id`` active if the user is a member there; None (no change) otherwise."""
    membership = Membership.objects.filter(user=request.user, clinic_id=clinic_id).select_related("clinic").first()
    if membership is not None:
        request.session[SESSION_KEY] = membership.clinic_id
    return membership
