"""Clinic admins record who may needle (profession, registration or roster number) and the
clinic's session settings; follow-up calls are marked done from "Today"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from myotome.clinic.accounts.access import get_in_clinic_or_404, member_required, membership, require_clinic_admin, require_clinical
from myotome.clinic.accounts.models import CLINICAL_ROLES
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event
from myotome.clinic.treatments.access import clinic_settings
from myotome.clinic.treatments.forms import CredentialForm, SettingsForm
from myotome.clinic.treatments.models import FollowUp, NeedlingCredential


@require_http_methods(["GET", "POST"])
@member_required
def credentials(request: HttpRequest) -> HttpResponse:
    require_clinic_admin(request, "needling_credential")
    clinic = membership(request).clinic
    form = CredentialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = (
            get_user_model()
            .objects.filter(pk=form.cleaned_data["user"], memberships__clinic=clinic, memberships__role__in=CLINICAL_ROLES)
            .first()
        )
        if user is None:
            form.add_error(None, f"User {form.cleaned_data['user']} is not a clinician of this clinic.")
        else:
            with transaction.atomic():
                now = timezone.now()
                for old in NeedlingCredential.objects.filter(user=user, clinic=clinic, ended_at__isnull=True):
                    old.ended_at, old.ended_by = now, request.user
                    old.save(update_fields=["ended_at", "ended_by"])
                    record_event(request, Action.UPDATE, record=old, detail="credential replaced")
                credential = form.save(commit=False)
                credential.user, credential.clinic, credential.recorded_by = user, clinic, request.user
                credential.save()
                record_event(request, Action.CREATE, record=credential, detail=f"needling credential for user {user.pk}")
            messages.success(request, f"Needling credential recorded for {user.get_full_name() or user.get_username()}.")
            return redirect("treatments:credentials")
    if request.method == "GET":
        record_event(request, Action.VIEW, record_type="needling_credential", detail="credentials page")
    members = clinic.memberships.filter(role__in=CLINICAL_ROLES).select_related("user")
    current = {c.user_id: c for c in NeedlingCredential.objects.filter(clinic=clinic, ended_at__isnull=True)}
    context = {
        "rows": [(m, current.get(m.user_id)) for m in members],
        "form": form,
        "settings_form": SettingsForm(instance=clinic_settings(clinic.pk)),
    }
    return render(request, "treatments/credentials.html", context, status=400 if form.errors else 200)


@require_POST
@member_required
def end_credential(request: HttpRequest, pk: int) -> HttpResponse:
    require_clinic_admin(request, "needling_credential")
    clinic = membership(request).clinic
    credential = get_in_clinic_or_404(request, NeedlingCredential.objects.filter(clinic=clinic), pk, clinic_path="clinic")
    if credential.ended_at is None:
        with transaction.atomic():
            credential.ended_at, credential.ended_by = timezone.now(), request.user
            credential.save(update_fields=["ended_at", "ended_by"])
            record_event(request, Action.UPDATE, record=credential, detail="credential ended")
    return redirect("treatments:credentials")


@require_POST
@member_required
def session_settings(request: HttpRequest) -> HttpResponse:
    require_clinic_admin(request, "treatment_settings")
    clinic = membership(request).clinic
    form = SettingsForm(request.POST, instance=clinic_settings(clinic.pk))
    if form.is_valid():
        with transaction.atomic():
            saved = form.save()
            record_event(request, Action.UPDATE, record=saved, detail=f"forbid thoracic {saved.forbid_thoracic}, cpt {saved.cpt_rule}")
        messages.success(request, "Session settings saved.")
    else:
        messages.error(request, "Settings not saved: choose a CPT counting rule.")
    return redirect("treatments:credentials")


@require_POST
@member_required
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    clinic = membership(request).clinic
    task = get_in_clinic_or_404(request, FollowUp.objects.filter(clinic=clinic), pk, clinic_path="clinic")
    require_clinical(request, task)
    if task.done_at is None:
        with transaction.atomic():
            task.done_at, task.done_by = timezone.now(), request.user
            task.save(update_fields=["done_at", "done_by"])
            record_event(request, Action.UPDATE, record=task, detail="follow-up done")
    return redirect("day")
