"""The members page for clinic admins: who is locked out, who has a second factor; unlock and reset.

Only members of the admin's active clinic can be acted on; any other user id is a 404.
Every action is audited with the member as the record.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from myotome.clinic.accounts import throttle
from myotome.clinic.accounts.access import member_required, membership, require_clinic_admin
from myotome.clinic.accounts.models import Membership
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event
from myotome.clinic.mfa import totp
from myotome.clinic.mfa.models import TotpDevice

RECORD_TYPE = "member"


@require_GET
@member_required
def members(request: HttpRequest) -> HttpResponse:
    require_clinic_admin(request, RECORD_TYPE)
    clinic = membership(request).clinic
    rows = list(Membership.objects.filter(clinic=clinic).select_related("user").order_by("user__username"))
    user_ids = [m.user_id for m in rows]
    locks = throttle.locked_accounts(user_ids)
    enrolled = set(TotpDevice.objects.filter(user_id__in=user_ids, confirmed_at__isnull=False).values_list("user_id", flat=True))
    record_event(request, Action.VIEW, record_type="member_list", detail=f"{len(rows)} shown")
    return render(
        request,
        "accounts/members.html",
        {"rows": [{"membership": m, "locked_until": locks.get(m.user_id), "second_factor": m.user_id in enrolled} for m in rows]},
    )


MAX_ID = 2**63 - 1  # ids beyond a 64-bit integer would overflow the database driver


def _member(request: HttpRequest, user_id: int) -> Any:
    require_clinic_admin(request, RECORD_TYPE)
    clinic = membership(request).clinic
    found = Membership.objects.filter(clinic=clinic, user_id=user_id).select_related("user").first() if 0 < user_id <= MAX_ID else None
    if found is None:
        # Audited like other refusals; the answer does not say whether the user exists elsewhere.
        record_event(request, Action.DENIED, record_type=RECORD_TYPE, record_id=str(user_id)[:64], detail="not a member of this clinic")
        raise Http404("No such member in this clinic.")
    return found.user


@require_POST
@member_required
def unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _member(request, user_id)
    with transaction.atomic():
        lifted = throttle.unlock(user)
        record_event(
            request,
            Action.UPDATE,
            record_type="login_lock",
            record_id=user.pk,
            detail=f"unlocked {user.get_username()} ({lifted} lock{'s' if lifted != 1 else ''} lifted)",
        )
    messages.success(
        request,
        f"{user.get_username()} can sign in again." if lifted else f"{user.get_username()} was not locked out; failed sign-ins forgotten.",
    )
    return redirect("accounts:members")


@require_POST
@member_required
def reset_second_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _member(request, user_id)
    with transaction.atomic():
        had = totp.remove(user)
        record_event(
            request,
            Action.DELETE,
            record_type="second_factor",
            record_id=user.pk,
            detail=f"second factor of {user.get_username()} reset by a clinic admin",
        )
    if had:
        messages.success(
            request,
            f"{user.get_username()}'s authenticator app and recovery codes are removed; they can set up a new one from their account page.",
        )
    else:
        messages.info(request, f"{user.get_username()} had no second factor set up.")
    return redirect("accounts:members")
