"""Session pages: the start panel, the session itself (clinicians; front desk see the code and
the count only), signing and addenda. Recording endpoints are in ``recording.py``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from myotome.clinic.accounts.access import member_required, membership, require_clinical, sees_clinical
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event
from myotome.clinic.exams.access import get_exam_for
from myotome.clinic.signing import AddendumForm
from myotome.clinic.treatments import service
from myotome.clinic.treatments.access import clinic_settings, get_session_for, may_needle
from myotome.clinic.treatments.forms import AddStepForm, AdverseEventForm
from myotome.clinic.treatments.models import Addendum, AdverseKind, Grade, Response, SkipReason, Technique, TreatmentSession
from myotome.kb import load_kb
from myotome.needling import RESISTANCE_SCALE

NO_CREDENTIAL = "Only users with a needling credential in this clinic record needling: ask a clinic admin to record yours."
NOT_YOURS = "Consent is specific to the practitioner: only the practitioner who started this session records its needling."
SIGNED = "This session is signed and cannot change: add an addendum instead."


@require_http_methods(["GET", "POST"])
@member_required
def start(request: HttpRequest, pk: int) -> HttpResponse:
    """The one panel before the first needle: credential, consent, re-consent triggers,
    precautions and red flags; POST starts the session when nothing stands in the way."""
    exam = get_exam_for(request, pk)
    require_clinical(request, exam)
    clinic_id = membership(request).clinic_id
    settings = clinic_settings(clinic_id)
    ready = service.readiness(request.user, clinic_id, exam, may_needle(request), settings)
    patient = exam.episode.patient
    last = service.last_session(patient)
    if request.method == "POST" and ready.ready:
        with transaction.atomic():
            copy = last if request.POST.get("copy") == "last" and last is not None else None
            session = service.start_session(exam, request.user, settings, load_kb(), copy=copy)
            record_event(
                request, Action.CREATE, record=session, detail=f"from exam {exam.pk}" + (" copying the last session" if copy else "")
            )
        return redirect("treatments:session", pk=session.pk)
    if request.method == "POST":
        record_event(request, Action.DENIED, record=exam, detail=f"session not started: {len(ready.blockers)} blockers")
    else:
        record_event(request, Action.VIEW, record=exam, detail="session start panel")
    context = {
        "exam": exam,
        "episode": exam.episode,
        "patient": patient,
        "ready": ready,
        "precautions": patient.active_precautions(),
        "red_flags": (exam.result or {}).get("red_flags", []),
        "steps": service.offered_steps(exam, settings),
        "forbid_thoracic": settings.forbid_thoracic,
        "last": last,
    }
    return render(request, "treatments/start.html", context, status=200 if ready.ready or request.method == "GET" else 409)


@require_http_methods(["GET"])
@member_required
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for(request, pk)
    settings = clinic_settings(membership(request).clinic_id)
    bill = service.billing(session, settings)
    if not sees_clinical(request):
        record_event(request, Action.VIEW, record=session, detail="billing view (code and count)")
        return render(request, "treatments/billing.html", {"session": session, "billing": bill, "patient": session.patient})
    record_event(request, Action.VIEW, record=session, detail="signed session" if session.is_signed else "draft session")
    return render(request, "treatments/session.html", session_context(request, session, bill))


def session_context(request: HttpRequest, session: TreatmentSession, bill: service.Billing, **extra: Any) -> dict[str, Any]:
    insertions = list(session.insertions.all())
    done_steps = {i.step_id for i in insertions}
    steps = list(session.steps.all())
    current = next((s for s in steps if s.pk not in done_steps and not s.skipped), None)
    ranges = list(session.ranges.all())
    adverse = list(session.adverse_events.all())
    return {
        "session": session,
        "episode": session.episode,
        "patient": session.patient,
        "steps": steps,
        "current": current,
        "done_steps": done_steps,
        "insertions": insertions,
        "needles_in": len(insertions),
        "measures": measures(session, ranges),
        "adverse": adverse,
        "pneumothorax": any(a.kind == AdverseKind.PNEUMOTHORAX for a in adverse),
        "pneumothorax_advice": service.PNEUMOTHORAX_ADVICE,
        "thoracic": any(i.thoracic for i in insertions),
        "thoracic_advice": service.THORACIC_ADVICE,
        "billing": bill,
        "sign_problems": [] if session.is_signed else service.sign_problems(session),
        "addenda": session.addenda.select_related("written_by"),
        "may_record": may_needle(request) and session.practitioner_id == request.user.pk and not session.is_signed,
        "resistance_scale": RESISTANCE_SCALE,
        "responses": Response.choices,
        "techniques": Technique.choices,
        "skip_reasons": SkipReason.choices,
        "adverse_kinds": AdverseKind.choices,
        "grades": Grade.choices,
        "add_form": extra.pop("add_form", None) or AddStepForm(),
        "adverse_form": extra.pop("adverse_form", None) or AdverseEventForm(),
        "addendum_form": extra.pop("addendum_form", None) or AddendumForm(),
        "follow_ups": session.follow_ups.all(),
        **extra,
    }


def measures(session: TreatmentSession, ranges: list[Any]) -> list[dict[str, Any]]:
    """Pain and each restricted movement, before and after, with the change (after minus before)."""
    kb = load_kb()
    rows = [
        {
            "label": "Pain (NPRS 0-10)",
            "before_field": "pain_before",
            "after_field": "pain_after",
            "before": session.pain_before,
            "after": session.pain_after,
            "lo": 0,
            "hi": 10,
        }
    ]
    for r in ranges:
        movement = kb.movements.get(r.movement)
        label = f"{movement.name if movement else r.movement} ({r.side}), {'degrees' if r.unit == 'deg' else r.unit}"
        rows.append(
            {
                "label": label,
                "before_field": f"range:{r.pk}:before",
                "after_field": f"range:{r.pk}:after",
                "before": r.before,
                "after": r.after,
                "lo": -180,
                "hi": 360,
            }
        )
    for row in rows:
        both = row["before"] is not None and row["after"] is not None
        row["change"] = f"{row['after'] - row['before']:+d}" if both else ""
    return rows


def require_recorder(request: HttpRequest, session: TreatmentSession) -> None:
    """403 (audited) unless the user may record needling in this draft session."""
    require_clinical(request, session)
    if session.is_signed:
        record_event(request, Action.DENIED, record=session, detail="change refused: session is signed")
        raise PermissionDenied(SIGNED)
    if not may_needle(request):
        record_event(request, Action.DENIED, record=session, detail="no needling credential")
        raise PermissionDenied(NO_CREDENTIAL)
    if session.practitioner_id != request.user.pk:
        record_event(request, Action.DENIED, record=session, detail="not the session's practitioner")
        raise PermissionDenied(NOT_YOURS)


@require_POST
@member_required
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for(request, pk)
    require_recorder(request, session)
    with transaction.atomic():
        session = type(session).objects.select_for_update().get(pk=session.pk)
        problems = service.sign_problems(session)
        if problems:
            record_event(request, Action.DENIED, record=session, detail=f"signing refused: {len(problems)} problems")
        else:
            service.sign(session, request.user)
            record_event(request, Action.UPDATE, record=session, detail="signed")
    if problems:
        for problem in problems:
            messages.error(request, problem)
    else:
        messages.success(request, "Session signed. Corrections from now on are addenda.")
    return redirect("treatments:session", pk=pk)


@require_POST
@member_required
def addendum(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for(request, pk)
    require_clinical(request, session)
    if not session.is_signed:
        messages.error(request, "Addenda are for signed sessions: a draft is still edited directly.")
        return redirect("treatments:session", pk=pk)
    form = AddendumForm(request.POST)
    if not form.is_valid():
        record_event(request, Action.DENIED, record=session, detail="addendum refused: invalid")
        context = session_context(
            request, session, service.billing(session, clinic_settings(membership(request).clinic_id)), addendum_form=form
        )
        return render(request, "treatments/session.html", context, status=400)
    with transaction.atomic():
        note = Addendum.objects.create(session=session, text=form.cleaned_data["text"], written_by=request.user)
        record_event(request, Action.CREATE, record=note, detail=f"addendum to session {session.pk}")
    messages.success(request, "Addendum added.")
    return redirect("treatments:session", pk=pk)
