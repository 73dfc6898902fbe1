"""Setting up, renewing and turning off the second factor, from the account page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from myotome.clinic.accounts import throttle
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event
from myotome.clinic.mfa import recovery, second_factor, totp
from myotome.clinic.mfa.forms import CodeForm

RECORD_TYPE = "second_factor"


@require_http_methods(["GET", "POST"])
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the secret), then prove it with a code; recovery codes are shown once."""
    user = request.user
    if totp.confirmed_device(user) is not None:
        messages.info(request, "Your authenticator app is already set up.")
        return redirect("accounts:account")
    device = totp.pending_device(user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    form.fields["code"].help_text = "The 6 digits the app shows now for Myotome."  # no recovery codes yet
    if request.method == "POST" and form.is_valid():
        if totp.confirm(device, form.cleaned_data["code"]):
            codes = recovery.issue(user)
            second_factor.mark_verified(request.session, device)
            record_event(
                request,
                Action.CREATE,
                clinic=None,
                record_type=RECORD_TYPE,
                record_id=user.pk,
                detail=f"authenticator app set up; {len(codes)} recovery codes issued",
            )
            return render(request, "mfa/recovery_codes.html", {"codes": codes, "first_time": True})
        form.add_error(
            "code", "That code does not match. Check the app shows the Myotome entry you just added, and type its current 6 digits."
        )
    uri = totp.provisioning_uri(device)
    return render(
        request,
        "mfa/setup.html",
        {
            "form": form,
            "qr": totp.qr_data_uri(uri),
            "secret": totp.grouped(totp.secret(device)),
            "required": second_factor.required(request, user),
        },
    )


def _refusal(request: HttpRequest, purpose: str) -> HttpResponse | None:
    """Check the code posted with a sensitive change, throttled like sign-in: None if right,
    else the response that says why nothing changed."""
    form = CodeForm(request.POST)
    back = redirect("accounts:account")
    if not form.is_valid():
        messages.error(request, f"Type a code from your authenticator app to {purpose}.")
        return back
    try:
        attempt = throttle.begin(request, request.user)
    except throttle.Locked as locked:
        messages.error(request, locked.message)
        back["Retry-After"] = str(locked.retry_after)
        return back
    if second_factor.check(request.user, form.cleaned_data["code"]) is None:
        record_event(
            request,
            Action.DENIED,
            clinic=None,
            record_type=RECORD_TYPE,
            record_id=request.user.pk,
            detail=f"wrong code to {purpose}; {attempt.describe()}",
        )
        messages.error(request, f"That code is not right, so nothing was changed. Type the 6 digits your app shows now to {purpose}.")
        return back
    attempt.release()
    return None


@require_POST
@login_required
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    refused = _refusal(request, "make new recovery codes")
    if refused is not None:
        return refused
    codes = recovery.issue(request.user)
    record_event(
        request,
        Action.UPDATE,
        clinic=None,
        record_type=RECORD_TYPE,
        record_id=request.user.pk,
        detail=f"{len(codes)} new recovery codes; the old ones no longer work",
    )
    return render(request, "mfa/recovery_codes.html", {"codes": codes, "first_time": False})


@require_POST
@login_required
def turn_off(request: HttpRequest) -> HttpResponse:
    if second_factor.required(request, request.user):
        messages.error(
            request, "Your role needs a second factor, so it cannot be turned off. Ask a clinic admin to reset it if you lose your phone."
        )
        return redirect("accounts:account")
    refused = _refusal(request, "turn off the second factor")
    if refused is not None:
        return refused
    totp.remove(request.user)
    request.session.pop(second_factor.SESSION_KEY, None)
    record_event(
        request,
        Action.DELETE,
        clinic=None,
        record_type=RECORD_TYPE,
        record_id=request.user.pk,
        detail="second factor turned off by its owner",
    )
    messages.success(request, "Your second factor is off: you sign in with your password alone.")
    return redirect("accounts:account")
