"""Outcome pages: the episode's measures and scores, the fast entry form, and the measure set."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from myotome.clinic.accounts.access import member_required, membership, require_clinic_admin, require_clinical
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event
from myotome.clinic.outcomes import service
from myotome.clinic.outcomes.forms import EntryForm, MeasureSetForm, OutcomeSettingsForm
from myotome.clinic.outcomes.models import OutcomeScore, OutcomeSettings
from myotome.clinic.outcomes.progress import episode_progress
from myotome.clinic.outcomes.wording import patient_measures
from myotome.clinic.patients.access import get_episode_for
from myotome.clinic.patients.models import Episode
from myotome.outcomes import Measure, load_measures

LICENSED_NOTE = (
    "The wording of this questionnaire is licensed or its terms are unconfirmed, so Myotome does not ship it: "
    "enter the responses from the clinic's own licensed form by item number. It cannot be shown to a patient "
    "on this device until the clinic loads its licensed wording (docs/outcome-measures.md)."
)


@require_http_methods(["GET"])
@member_required
def episode_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request, pk)
    require_clinical(request, episode)
    record_event(request, Action.VIEW, record=episode, detail="outcome measures")
    return render(request, "outcomes/episode_outcomes.html", _context(episode, MeasureSetForm(initial=_set_initial(episode))))


@require_http_methods(["GET"])
@member_required
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The episode's progress as charts: each measure against baseline and MCID, range against normal, insertions."""
    episode = get_episode_for(request, pk)
    require_clinical(request, episode)
    record_event(request, Action.VIEW, record=episode, detail="progress charts")
    context = {"episode": episode, "patient": episode.patient, "progress": episode_progress(episode)}
    return render(request, "outcomes/progress.html", context)


@require_http_methods(["GET", "POST"])
@member_required
def enter(request: HttpRequest, pk: int, measure: str) -> HttpResponse:
    episode = get_episode_for(request, pk)
    require_clinical(request, episode)
    definition = _measure_or_404(measure)
    activities = service.last_activities(episode, definition.id) if definition.activities else None
    initial = {"timepoint": service.suggested_timepoint(episode, definition.id)}
    form = EntryForm(definition, request.POST or None, activities=activities, initial=initial)
    if request.method == "POST" and form.is_valid() and form.result is not None:
        with transaction.atomic():
            saved = service.save_score(episode, form.result, request.user, form.cleaned_data["timepoint"], form.cleaned_data["taken_on"])
            record_event(request, Action.CREATE, record=saved, detail=f"{definition.id} {saved.timepoint}")
        if saved.valid:
            messages.success(request, f"{definition.name} saved: {saved.score:g}.")
        else:
            messages.warning(request, f"{definition.name} saved without a score: {saved.reason}.")
        return redirect("outcomes:episode", pk=episode.pk)
    if request.method == "GET":
        record_event(request, Action.VIEW, record=episode, detail=f"{definition.id} entry form")
    context = {
        "episode": episode,
        "patient": episode.patient,
        "measure": definition,
        "form": form,
        "licensed_note": None if definition.licence.ships_wording else LICENSED_NOTE,
    }
    return render(request, "outcomes/enter.html", context, status=422 if request.method == "POST" else 200)


@require_POST
@member_required
def measure_set(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request, pk)
    require_clinical(request, episode)
    form = MeasureSetForm(request.POST)
    if not form.is_valid():
        return render(request, "outcomes/episode_outcomes.html", _context(episode, form), status=422)
    with transaction.atomic():
        service.choose_measures(episode, form.measures(), request.user)
        record_event(request, Action.UPDATE, record=episode, detail="measure set: " + ", ".join(form.measures()))
    messages.success(request, "Measure set saved.")
    return redirect("outcomes:episode", pk=episode.pk)


@require_http_methods(["GET", "POST"])
@member_required
def clinic_settings(request: HttpRequest) -> HttpResponse:
    """Clinic admins: after how many sessions the primary measure is due again."""
    require_clinic_admin(request, "outcome_settings")
    clinic = membership(request).clinic
    instance = OutcomeSettings.objects.filter(clinic=clinic).first() or OutcomeSettings(clinic=clinic)
    form = OutcomeSettingsForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            record_event(request, Action.UPDATE, record=saved, detail=f"outcome score due every {saved.every_sessions} sessions")
        messages.success(request, f"Outcome scores are now due every {saved.every_sessions} sessions.")
        return redirect("day")
    status = 422 if request.method == "POST" else 200
    return render(request, "outcomes/settings.html", {"form": form}, status=status)


def _measure_or_404(measure_id: str) -> Measure:
    measures = load_measures()
    if measure_id not in measures:
        raise Http404("No such outcome measure.")
    return measures[measure_id]


def _set_initial(episode: Episode) -> dict[str, object]:
    chosen = service.measure_set(episode)
    return {"primary": chosen[0], "others": list(chosen[1:])}


def _context(episode: Episode, set_form: MeasureSetForm) -> dict[str, object]:
    measures = load_measures()
    chosen = service.measure_set(episode)
    scores = OutcomeScore.objects.filter(episode=episode).select_related("recorded_by").order_by("-taken_on", "-recorded_at", "-id")
    return {
        "episode": episode,
        "patient": episode.patient,
        "chosen": [measures[m] for m in chosen if m in measures],
        "scores": [(s, measures.get(s.measure)) for s in scores],
        "set_form": set_form,
        "due": service.due_words(episode),
        "kiosk": patient_measures(chosen),
        "kiosk_minutes": settings.KIOSK_LINK_MINUTES,
    }
