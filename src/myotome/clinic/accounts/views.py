"""Login and logout (Django's auth views) and the clinic switcher."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from myotome.clinic.accounts.access import member_required
from myotome.clinic.accounts.clinics import switch_clinic
from myotome.clinic.accounts.forms import ClinicSwitchForm, ThrottledAuthenticationForm
from myotome.clinic.patients.search import forget_search

login = auth_views.LoginView.as_view(
    template_name="accounts/login.html",
    authentication_form=ThrottledAuthenticationForm,
    redirect_authenticated_user=True,
)
logout = auth_views.LogoutView.as_view()


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
