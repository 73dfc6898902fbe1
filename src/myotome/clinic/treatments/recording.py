"""Recording during a session: insertions (append-only, idempotent), the steps' order and
skips, before/after fields (refused when someone else changed the same field first) and
adverse events. Insertions and fields answer JSON for the page's queue; the rest are forms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from myotome.clinic.accounts.access import member_required, membership
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event
from myotome.clinic.prepared import Prepared
from myotome.clinic.treatments import service
from myotome.clinic.treatments.access import clinic_settings, get_session_for
from myotome.clinic.treatments.forms import AddStepForm, AdverseEventForm, InsertionForm, MoveForm, SkipForm
from myotome.clinic.treatments.models import AdverseEvent, AdverseKind, Insertion, SessionStep, TreatmentSession
from myotome.clinic.treatments.views import require_recorder, session_context
from myotome.kb import KnowledgeBase, load_kb
from myotome.kb import search as kb_names

# An insertion is recorded every few seconds at the table (compiled once: myotome.clinic.prepared).
_INSERTION_BY_KEY = Prepared(lambda key: Insertion.objects.filter(key=key), str)
_STEP_OF_SESSION = Prepared(lambda session_id, pk: SessionStep.objects.filter(session_id=session_id, pk=pk), int, int)

FORBIDDEN_THORAX = "This clinic does not needle lung-zone muscles (a clinic setting): {name} is not offered."


@require_POST
@member_required
def insertion(request: HttpRequest, pk: int) -> JsonResponse:
    """Save one insertion under the client's key; the same key again answers the row already saved."""
    session = get_session_for(request, pk)
    require_recorder(request, session)
    form = InsertionForm(request.POST)
    if not form.is_valid():
        record_event(request, Action.DENIED, record=session, detail="insertion refused: invalid")
        return JsonResponse({"errors": _errors(form)}, status=400)
    data = form.cleaned_data
    existing = _INSERTION_BY_KEY.first(data["key"])
    if existing is not None:
        return _already(request, session, existing)
    kb = load_kb()
    where = _where(session, data, kb, clinic_settings(membership(request).clinic_id).forbid_thoracic)
    if isinstance(where, str):
        record_event(request, Action.DENIED, record=session, detail="insertion refused: where")
        return JsonResponse({"errors": {"muscle": where}}, status=400)
    made_at = data.get("made_at") or timezone.now()
    try:
        with transaction.atomic():
            row = Insertion.objects.create(
                session=session,
                key=data["key"],
                recorded_by=request.user,
                made_at=min(made_at, timezone.now()),
                **where,
                **{
                    f: data.get(f)
                    for f in ("needle_mm", "gauge", "released", "resistance_before", "resistance_after", "discomfort", "seconds")
                },
                technique=data.get("technique") or None,  # an empty choice is "not recorded", never ""
                response=data.get("response") or None,
                note=data.get("note") or "",
            )
            if row.thoracic:
                service.ensure_thoracic_follow_up(session, membership(request).clinic_id)
            record_event(request, Action.CREATE, record=row, detail=f"insertion in session {session.pk}")
    except IntegrityError:  # the same key, saved by a retry that arrived at the same moment
        return _already(request, session, Insertion.objects.get(key=data["key"]))
    return JsonResponse(_summary(session, row), status=201)


def _already(request: HttpRequest, session: TreatmentSession, row: Insertion) -> JsonResponse:
    if row.session_id != session.pk:
        record_event(request, Action.DENIED, record=session, detail="insertion key belongs to another session")
        return JsonResponse({"errors": {"key": "This key was used for another session's insertion: make a new key."}}, status=409)
    return JsonResponse({**_summary(session, row), "duplicate": True}, status=200)


def _summary(session: TreatmentSession, row: Insertion) -> dict[str, Any]:
    settings = clinic_settings(session.patient.clinic_id)
    bill = service.billing(session, settings)
    return {
        "id": row.pk,
        "key": row.key,
        "step": row.step_id,
        "needles_in": session.insertions.count(),
        "muscles": bill.muscles,
        "code": bill.code,
    }


def _where(session: TreatmentSession, data: dict[str, Any], kb: KnowledgeBase, forbid_thoracic: bool) -> dict[str, Any] | str:
    """The muscle, side, level and thoracic flag of an insertion: its step's, or a named muscle's."""
    if data.get("step"):
        step = _STEP_OF_SESSION.first(session.pk, data["step"])
        if step is None:
            return f"step {data['step']} is not a step of this session"
        return {
            "step": step,
            "muscle_id": step.muscle_id,
            "side": step.side,
            "level": data.get("level") or step.level,
            "thoracic": step.thoracic,
        }
    found = kb_names.resolve(kb, "muscle", data["muscle"])
    if not found.ok:
        return f"muscle {data['muscle'][:80]!r}: {found.error}"
    muscle = found.record
    lung = any(c.kind == "lung" for c in muscle.cautions)
    if lung and forbid_thoracic:
        return FORBIDDEN_THORAX.format(name=muscle.name)
    return {
        "step": None,
        "muscle_id": muscle.id,
        "side": data["side"],
        "level": data.get("level") or "",
        "thoracic": _thoracic(muscle, data.get("level") or "", lung),
    }


def _thoracic(muscle: Any, level: str, lung: bool) -> bool:
    """Over the thorax, as the plan judges it: a lung-zone muscle at a thoracic level, or one not needled onto bone nor lifted."""
    if not lung:
        return False
    if level:
        return level.upper().startswith("T")
    approach = muscle.needle_depth.approach if muscle.needle_depth else "perpendicular"
    return approach not in ("onto_bone", "pincer")


def _errors(form: Any) -> dict[str, str]:
    return {field: " ".join(str(e) for e in errors) for field, errors in form.errors.items()}


# -- fields: before/after, needles out, aftercare, left -------------------------------------------

SESSION_FIELDS = {
    "pain_before": "int10",
    "pain_after": "int10",
    "needles_out": "count",
    "aftercare": "text",
    "note": "text",
    "left_at": "time",
}


@require_POST
@member_required
def field(request: HttpRequest, pk: int) -> JsonResponse:
    """Save one field: ``field``, ``value`` and ``base`` (the value the page last saw). When the
    stored value is no longer ``base``, someone else saved it first: refused, with what changed."""
    session = get_session_for(request, pk)
    require_recorder(request, session)
    name, raw, base = request.POST.get("field", ""), request.POST.get("value", "").strip(), request.POST.get("base", "")
    with transaction.atomic():
        target, attr, kind = _field_target(session, name)
        if target is None:
            return JsonResponse({"errors": {"field": f"unknown field {name[:40]!r}"}}, status=400)
        target = type(target).objects.select_for_update().get(pk=target.pk)
        value, problem = _parse(kind, raw, name)
        if problem:
            return JsonResponse({"errors": {name: problem}}, status=400)
        current = _shown(getattr(target, attr))
        if current != base and current != _shown(value):
            record_event(request, Action.DENIED, record=session, detail=f"conflict on {name}"[:200])
            return JsonResponse(
                {
                    "conflict": True,
                    "field": name,
                    "current": current,
                    "yours": raw,
                    "message": f"Someone saved {_label(name)} as {current or 'empty'} since you opened it; yours was {raw or 'empty'}.",
                },
                status=409,
            )
        setattr(target, attr, value)
        target.save(update_fields=[attr])
        record_event(request, Action.UPDATE, record=session, detail=f"field {name}"[:200])
    return JsonResponse({"field": name, "value": _shown(value)})


def _field_target(session: TreatmentSession, name: str) -> tuple[Any, str, str]:
    if name in SESSION_FIELDS:
        return session, name, SESSION_FIELDS[name]
    parts = name.split(":")  # range:<id>:before
    if len(parts) == 3 and parts[0] == "range" and parts[1].isdigit() and parts[2] in ("before", "after"):
        measure = session.ranges.filter(pk=int(parts[1])).first()
        if measure is not None:
            return measure, parts[2], "angle"
    return None, "", ""


def _parse(kind: str, raw: str, name: str) -> tuple[Any, str]:
    label = _label(name)
    if raw == "":
        return None if kind != "text" else "", ""
    if kind == "text":
        return raw[:10_000], ("" if len(raw) <= 10_000 else f"{label} is longer than 10,000 characters")
    if kind == "time":
        if raw == "now":
            return timezone.now(), ""
        try:
            return timezone.make_aware(datetime.fromisoformat(raw)) if "T" in raw else None, ""
        except ValueError:
            return None, f"{label} {raw[:30]!r} is not a time; use YYYY-MM-DDTHH:MM or 'now'"
    try:
        number = int(raw)
    except ValueError:
        return None, f"{label} {raw[:30]!r} is not a whole number"
    bounds = {"int10": (0, 10), "count": (0, 500), "angle": (-180, 360)}[kind]
    if not bounds[0] <= number <= bounds[1]:
        return None, f"{label} {number} is out of range: give {bounds[0]} to {bounds[1]}"
    return number, ""


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%H:%M")
    return str(value)


def _label(name: str) -> str:
    return name.replace("range:", "range ").replace("_", " ").replace(":", " ")


# -- steps: add, skip, reorder --------------------------------------------------------------------


@require_POST
@member_required
def add_step(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for(request, pk)
    require_recorder(request, session)
    form = AddStepForm(request.POST)
    kb = load_kb()
    muscle = None
    if form.is_valid():
        found = kb_names.resolve(kb, "muscle", form.cleaned_data["muscle"])
        if not found.ok:
            form.add_error("muscle", f"{form.cleaned_data['muscle']!r}: {found.error}")
        else:
            muscle = found.record
            lung = any(c.kind == "lung" for c in muscle.cautions)
            if lung and clinic_settings(membership(request).clinic_id).forbid_thoracic:
                form.add_error("muscle", FORBIDDEN_THORAX.format(name=muscle.name))
    if muscle is None or form.errors:
        record_event(request, Action.DENIED, record=session, detail="step not added: invalid")
        context = session_context(request, session, service.billing(session, clinic_settings(membership(request).clinic_id)), add_form=form)
        return render(request, "treatments/session.html", context, status=400)
    level = form.cleaned_data.get("level", "").upper()
    lung = any(c.kind == "lung" for c in muscle.cautions)
    with transaction.atomic():
        last = session.steps.order_by("-position").values_list("position", flat=True).first() or 0
        step = SessionStep.objects.create(
            session=session,
            position=last + 1,
            muscle_id=muscle.id,
            muscle_name=muscle.name,
            side=form.cleaned_data["side"],
            level=level,
            thoracic=_thoracic(muscle, level, lung),
            source="added",
        )
        record_event(request, Action.CREATE, record=step, detail=f"step added to session {session.pk}")
    return redirect("treatments:session", pk=pk)


@require_POST
@member_required
def skip_step(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for(request, pk)
    require_recorder(request, session)
    form = SkipForm(request.POST)
    step = session.steps.filter(pk=form.data.get("step")).first() if str(form.data.get("step", "")).isdigit() else None
    if not form.is_valid() or step is None:
        messages.error(request, "Choose a step of this session and a reason: declined, not tolerated or not needed.")
        return redirect("treatments:session", pk=pk)
    with transaction.atomic():
        step.skipped = form.cleaned_data["reason"]
        step.save(update_fields=["skipped"])
        record_event(request, Action.UPDATE, record=step, detail=f"skipped: {step.skipped}")
    return redirect("treatments:session", pk=pk)


@require_POST
@member_required
def move_step(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for(request, pk)
    require_recorder(request, session)
    form = MoveForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            steps = list(session.steps.select_for_update().order_by("position", "id"))
            index = next((n for n, s in enumerate(steps) if s.pk == form.cleaned_data["step"]), None)
            other = None if index is None else index + (-1 if form.cleaned_data["direction"] == "up" else 1)
            if index is not None and other is not None and 0 <= other < len(steps):
                steps[index], steps[other] = steps[other], steps[index]
                for n, s in enumerate(steps, 1):
                    if s.position != n:
                        s.position = n
                        s.save(update_fields=["position"])
                record_event(request, Action.UPDATE, record=session, detail="steps reordered")
    return redirect("treatments:session", pk=pk)


# -- adverse events -------------------------------------------------------------------------------


@require_POST
@member_required
def adverse_event(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session_for(request, pk)
    require_recorder(request, session)
    form = AdverseEventForm(request.POST)
    if not form.is_valid():
        record_event(request, Action.DENIED, record=session, detail="adverse event refused: invalid")
        context = session_context(
            request, session, service.billing(session, clinic_settings(membership(request).clinic_id)), adverse_form=form
        )
        return render(request, "treatments/session.html", context, status=400)
    with transaction.atomic():
        event = AdverseEvent.objects.create(session=session, recorded_by=request.user, **form.cleaned_data)
        record_event(request, Action.CREATE, record=event, detail=f"{event.kind}, {event.grade}")
    if event.kind == AdverseKind.PNEUMOTHORAX:
        messages.error(request, service.PNEUMOTHORAX_ADVICE)
    return redirect("treatments:session", pk=pk)
