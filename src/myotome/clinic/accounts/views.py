"""Sign-out, the clinic switcher and the account page (signing in is in signin.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from myotome.clinic.accounts.access import member_required
from myotome.clinic.accounts.clinics import switch_clinic
from myotome.clinic.accounts.forms import ClinicSwitchForm
from myotome.clinic.mfa import recovery, second_factor, totp
from myotome.clinic.mfa.forms import CodeForm
from myotome.clinic.patients.search import forget_search

logout = auth_views.LogoutView.as_view()


@require_GET
@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The user's own account: clinics and roles, and the second factor."""
    device = totp.confirmed_device(request.user)
    return render(
        request,
        "accounts/account.html",
        {
            "device": device,
            "codes_left": recovery.remaining(request.user) if device else 0,
            "second_factor_required": second_factor.required(request, request.user),
            # Two forms on one page ask for a code: distinct ids, the same field name.
            "renew_form": CodeForm(auto_id="renew_%s"),
            "turn_off_form": CodeForm(auto_id="off_%s"),
        },
    )


@require_POST
@member_required
def switch(request: HttpRequest) -> HttpResponse:
    """Make another of the user's clinics active; an id the user is not a member of is a 404."""
    form = ClinicSwitchForm(request.POST)
    if not form.is_valid():
        raise Http404("No such clinic.")
    membership = switch_clinic(request, form.cleaned_data["clinic"])
    if membership is None:
        raise Http404("No such clinic.")
    forget_search(request)
    messages.success(request, f"You are now working in {membership.clinic.name} as {membership.get_role_display().lower()}.")
    # Always back to the day page: the page the user was on belongs to the other clinic.
    return redirect("day")
