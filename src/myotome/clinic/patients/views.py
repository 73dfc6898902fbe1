"""Patient pages: the day, the list and search, the chart, demographics, episodes,
precautions and consent.

Every view is a function behind ``member_required``; every record comes from
``access.get_*_for`` (404 outside the active clinic); clinical views call
``require_clinical`` after the record is found; every read and write of patient
data is audited, writes in the same transaction as the audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from myotome.clinic import input_limits
from myotome.clinic.accounts.access import member_required, membership, require_clinical, sees_clinical
from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.audit.record import record_event
from myotome.clinic.patients import submissions, vocabulary
from myotome.clinic.patients.access import episodes_in, get_consent_for, get_episode_for, get_patient_for, patients_for
from myotome.clinic.patients.forms import ConsentForm, EpisodeForm, PatientForm, PrecautionsForm, SearchForm
from myotome.clinic.patients.models import Consent, Episode, EpisodeStatus, Patient, Precaution, active_consent
from myotome.clinic.patients.search import current_search, remember_search, search_patients
from myotome.clinic.prepared import Prepared

PAGE_SIZE = 50
DAY_PAGE = 20
LAST_PAGE = 100_000  # a larger page number is read as this one (its offset must fit the database's integers)
RECENT = 10


def _my_active_episodes(clinic_id: int, user_id: int) -> QuerySet[Episode]:
    return episodes_in(clinic_id).filter(clinician_id=user_id, status=EpisodeStatus.ACTIVE).order_by("-updated_at", "-id")


# The day page's first page, opened many times a day (compiled once: myotome.clinic.prepared).
_MY_FIRST_PAGE = Prepared(lambda clinic_id, user_id: _my_active_episodes(clinic_id, user_id)[: DAY_PAGE + 1], int, int)


# -- the day ------------------------------------------------------------------


@require_GET
@member_required
def day(request: HttpRequest) -> HttpResponse:
    """Clinicians: their active episodes and recently opened patients. Front desk: recently added patients."""
    clinic = membership(request).clinic
    context: dict[str, object] = {"search_form": SearchForm()}
    if sees_clinical(request):
        context["my_episodes"], context["day_page"] = episodes, _ = _window(clinic.pk, request.user.pk, request.GET.get("page"))
        context["recent_patients"] = _recently_opened(request)
        shown = len(episodes) + len(context["recent_patients"])  # type: ignore[arg-type]
    else:
        recent = list(patients_for(request).order_by("-created_at")[:RECENT])
        context["new_patients"] = recent
        shown = len(recent)
    record_event(request, Action.VIEW, record_type="day", detail=f"{shown} rows in {clinic.name}"[:200])
    return render(request, "patients/day.html", context)


@dataclass(frozen=True)
class Window:
    """One page of a list read in index order, without counting the whole list (a clinician
    can hold thousands of active episodes, and counting them costs more than the page)."""

    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _window(clinic_id: int, user_id: int, page: str | None) -> tuple[list[Episode], Window]:
    """A page of the clinician's active episodes, most recently changed first."""
    number = min(input_limits.parse_record_id(page or "") or 1, LAST_PAGE)
    start = (number - 1) * DAY_PAGE
    # One more than shown: is there a next page?
    shown = (
        _MY_FIRST_PAGE(clinic_id, user_id) if start == 0 else list(_my_active_episodes(clinic_id, user_id)[start : start + DAY_PAGE + 1])
    )
    return shown[:DAY_PAGE], Window(number, has_next=len(shown) > DAY_PAGE)


def _recently_opened(request: HttpRequest) -> list[Patient]:
    """Patients this user opened in this clinic, most recent first (read from the audit log)."""
    opened = AuditEvent.objects.filter(
        user=request.user, clinic=membership(request).clinic, action=Action.VIEW, record_type="patient"
    ).values_list("record_id", flat=True)[:200]
    order: list[int] = []
    for record_id in opened:
        if record_id.isdigit() and int(record_id) not in order:
            order.append(int(record_id))
        if len(order) == RECENT:
            break
    found = patients_for(request).in_bulk(order)
    return [found[pk] for pk in order if pk in found]


# -- list and search --------------------------------------------------------------


@require_GET
@member_required
def patient_list(request: HttpRequest) -> HttpResponse:
    query = current_search(request)
    return _list_page(request, query, SearchForm(initial={"q": query}))


@require_POST
@member_required
def patient_search(request: HttpRequest) -> HttpResponse:
    """Store the query in the session and show the list: the query never appears in a URL."""
    form = SearchForm(request.POST)
    if not form.is_valid():
        # The list as it was, with the refused query and the reason; the stored search is kept.
        return _list_page(request, current_search(request), form, status=422)
    remember_search(request, form.cleaned_data["q"])
    return redirect("patients:list")


def _list_page(request: HttpRequest, query: str, search_form: SearchForm, status: int = 200) -> HttpResponse:
    patients = search_patients(patients_for(request), query)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(
        request,
        Action.VIEW,
        record_type="patient_search" if query else "patient_list",
        detail=f"{page.paginator.count} found, page {page.number}",
    )
    context = {"page": page, "query": query, "search_form": search_form}
    return render(request, "patients/list.html", context, status=status)


# -- demographics -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def patient_new(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None)
    token = submissions.posted_token(request)
    if request.method == "POST" and form.is_valid():

        def create() -> Patient:
            patient: Patient = form.save(commit=False)
            patient.clinic = membership(request).clinic
            patient.created_by = request.user
            patient.save()
            record_event(request, Action.CREATE, record=patient)
            return patient

        saved = submissions.save_once(request, token, "patient", create)
        if not saved.conflict:
            _saved_message(request, saved, "Patient added.")
            return redirect("patients:detail", pk=saved.record_id)
        form.add_error(None, saved.conflict)
        token = None
    context = {"form": form, "patient": None, "submission": token or submissions.new_token()}
    return render(request, "patients/patient_form.html", context, status=_form_status(request, form))


@require_GET
@member_required
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for(request, pk)
    context: dict[str, object] = {"patient": patient, "today": date.today()}
    if sees_clinical(request):
        consents = list(patient.consents.select_related("taken_by", "withdrawn_by"))
        context.update(
            episodes=list(patient.episodes.select_related("clinician")),
            consent=active_consent(consents),
            consents=consents,
            precautions=[(p, vocabulary.precaution(p.kind)) for p in patient.active_precautions()],
        )
    record_event(request, Action.VIEW, record=patient, detail="chart" if sees_clinical(request) else "demographics")
    return render(request, "patients/chart.html", context)


@require_http_methods(["GET", "POST"])
@member_required
def patient_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for(request, pk)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            record_event(request, Action.UPDATE, record=patient, detail=_changed(form.changed_data))
        messages.success(request, "Demographics saved.")
        return redirect("patients:detail", pk=patient.pk)
    if request.method == "GET":
        record_event(request, Action.VIEW, record=patient, detail="edit form")
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient}, status=_form_status(request, form))


# -- precautions and consent ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def precautions_edit(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for(request, pk)
    require_clinical(request, patient)
    current = {p.kind: p.note for p in patient.active_precautions()}
    form = PrecautionsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # A double click posts this form twice at once. Lock the patient (PostgreSQL; SQLite's
            # IMMEDIATE transactions already run one at a time) and read the rows inside the
            # transaction, so that the second save finds what the first added: no change, a success.
            Patient.objects.select_for_update().only("pk").get(pk=patient.pk)
            existing = {p.kind: p for p in patient.precautions.all()}
            changes = _apply_precautions(request, patient, existing, form.selected())
        messages.success(request, f"Precautions saved ({changes} change{'s' if changes != 1 else ''}).")
        return redirect("patients:detail", pk=patient.pk)
    if request.method == "GET":
        record_event(request, Action.VIEW, record=patient, detail="precautions form")
    return render(request, "patients/precautions_form.html", {"form": form, "patient": patient}, status=_form_status(request, form))


def _apply_precautions(request: HttpRequest, patient: Patient, existing: dict[str, Precaution], selected: dict[str, str]) -> int:
    """Add, reopen, annotate or end precaution rows to match ``selected``; audit each change."""
    now, changes = timezone.now(), 0
    for kind, note in selected.items():
        row = existing.get(kind)
        if row is None:
            row = Precaution.objects.create(patient=patient, kind=kind, note=note, recorded_by=request.user)
            record_event(request, Action.CREATE, record=row)
        elif row.ended_at is not None or row.note != note:
            detail = "recorded again" if row.ended_at is not None else "details changed"
            row.ended_at, row.ended_by, row.note, row.recorded_by, row.recorded_at = None, None, note, request.user, now
            row.save()
            record_event(request, Action.UPDATE, record=row, detail=detail)
        else:
            continue
        changes += 1
    for kind, row in existing.items():
        if kind not in selected and row.ended_at is None:
            row.ended_at, row.ended_by = now, request.user
            row.save()
            record_event(request, Action.UPDATE, record=row, detail="ended")
            changes += 1
    return changes


@require_http_methods(["GET", "POST"])
@member_required
def consent_new(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for(request, pk)
    require_clinical(request, patient)
    clinic = membership(request).clinic
    form = ConsentForm(request.POST or None, clinic=clinic, initial={"given_on": date.today(), "taken_by": request.user.pk})
    token = submissions.posted_token(request)
    if request.method == "POST" and form.is_valid():

        def create() -> Consent:
            consent: Consent = form.save(commit=False)
            consent.patient, consent.recorded_by = patient, request.user
            consent.save()
            record_event(request, Action.CREATE, record=consent)
            return consent

        saved = submissions.save_once(request, token, "consent", create)
        if not saved.conflict:
            _saved_message(request, saved, "Consent to needling recorded.")
            return redirect("patients:detail", pk=patient.pk)
        form.add_error(None, saved.conflict)
        token = None
    if request.method == "GET":
        record_event(request, Action.VIEW, record=patient, detail="consent form")
    context = {"form": form, "patient": patient, "submission": token or submissions.new_token()}
    return render(request, "patients/consent_form.html", context, status=_form_status(request, form))


@require_POST
@member_required
def consent_withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    patient = get_patient_for(request, pk)
    require_clinical(request, patient)
    consent = get_consent_for(request, patient, consent_pk)
    if consent.withdrawn_on is None:
        with transaction.atomic():
            consent.withdrawn_on, consent.withdrawn_by = date.today(), request.user
            consent.save(update_fields=["withdrawn_on", "withdrawn_by"])
            record_event(request, Action.UPDATE, record=consent, detail="withdrawn")
        messages.success(request, "Consent marked as withdrawn. Needling is blocked until new consent is recorded.")
    return redirect("patients:detail", pk=patient.pk)


# -- episodes ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def episode_new(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for(request, pk)
    require_clinical(request, patient)
    clinic = membership(request).clinic
    form = EpisodeForm(request.POST or None, clinic=clinic, initial={"clinician": request.user.pk, "status": EpisodeStatus.ACTIVE})
    token = submissions.posted_token(request)
    if request.method == "POST" and form.is_valid():

        def create() -> Episode:
            episode: Episode = form.save(commit=False)
            episode.patient, episode.created_by = patient, request.user
            episode.save()
            record_event(request, Action.CREATE, record=episode)
            return episode

        saved = submissions.save_once(request, token, "episode", create)
        if not saved.conflict:
            _saved_message(request, saved, "Episode of care opened.")
            return redirect("patients:episode", pk=saved.record_id)
        form.add_error(None, saved.conflict)
        token = None
    if request.method == "GET":
        record_event(request, Action.VIEW, record=patient, detail="new episode form")
    context = {**_episode_form_context(form, patient, None), "submission": token or submissions.new_token()}
    return render(request, "patients/episode_form.html", context, status=_form_status(request, form))


@require_GET
@member_required
def episode_detail(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request, pk)
    require_clinical(request, episode)
    record_event(request, Action.VIEW, record=episode)
    patient = episode.patient
    context = {
        "episode": episode,
        "patient": patient,
        "consent": patient.active_consent(),
        "precautions": [(p, vocabulary.precaution(p.kind)) for p in patient.active_precautions()],
    }
    return render(request, "patients/episode.html", context)


@require_http_methods(["GET", "POST"])
@member_required
def episode_edit(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request, pk)
    require_clinical(request, episode)
    form = EpisodeForm(request.POST or None, instance=episode, clinic=membership(request).clinic)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            record_event(request, Action.UPDATE, record=episode, detail=_changed(form.changed_data))
        messages.success(request, "Episode saved.")
        return redirect("patients:episode", pk=episode.pk)
    if request.method == "GET":
        record_event(request, Action.VIEW, record=episode, detail="edit form")
    return render(
        request, "patients/episode_form.html", _episode_form_context(form, episode.patient, episode), status=_form_status(request, form)
    )


def _episode_form_context(form: EpisodeForm, patient: Patient, episode: Episode | None) -> dict[str, object]:
    return {"form": form, "patient": patient, "episode": episode, "region_names": vocabulary.region_examples()}


# -- helpers ---------------------------------------------------------------------------


def _saved_message(request: HttpRequest, saved: submissions.Saved, message: str) -> None:
    if saved.repeated:
        messages.info(request, submissions.ALREADY_SAVED)
    else:
        messages.success(request, message)


def _form_status(request: HttpRequest, form: object) -> int:
    """422 for a refused POST, so that tests and tools can tell it from a success."""
    return 422 if request.method == "POST" else 200


def _changed(fields: list[str]) -> str:
    # Field names only: the audit log must not hold the values.
    return ("changed: " + ", ".join(fields))[:200] if fields else "no change"
