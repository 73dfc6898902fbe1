"""Exam pages: a new exam on the body chart, copy forward, drafts, the saved exam and its plan,
and addenda to a saved exam (saving signs an exam: from then on corrections are addenda).

Every view is behind ``member_required``; records come from the active clinic only
(404 otherwise); front desk is refused with the foundation's message; the exam and
plan are blocked until consent to needling is on file; every read and write is
audited, writes in the same transaction as the audit row. Saving runs the engine
(through ``service.py``, as the demo does) and stores the document, the result and the KB version.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from myotome.clinic import input_limits
from myotome.clinic.accounts.access import member_required, require_clinical
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event
from myotome.clinic.exams import catalogue, service
from myotome.clinic.exams.access import CONSENT_NEEDED, get_exam_for, previous_exam
from myotome.clinic.exams.chart import chart_context, chart_svg
from myotome.clinic.exams.findings import ExamInput, chart_marks, describe_finding, input_from_document, shown_name
from myotome.clinic.exams.focus import focus_parts
from myotome.clinic.exams.forms import GRADE_CHOICES, SAVE_ACTIONS, SIDE_CHOICES, ZONE_SIGN_CHOICES, ExamForm
from myotome.clinic.exams.models import SIGNED, Exam, ExamAddendum, ExamStatus
from myotome.clinic.patients import submissions, vocabulary
from myotome.clinic.patients.access import get_episode_for
from myotome.clinic.patients.models import Episode
from myotome.clinic.signing import AddendumForm, SignedRecordError
from myotome.exam import InvalidAssessment, parse_assessment
from myotome.kb import KnowledgeBase, load_kb
from myotome.kb import search as kb_names

FINAL = "This exam is saved and final (signed); add an addendum to correct it, or copy it forward into a new exam."

# -- the exam form ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_required
def exam_new(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_episode_for(request, pk)
    require_clinical(request, episode)
    if (blocked := _consent_gate(request, episode)) is not None:
        return blocked
    kb = load_kb()
    copied_from = _copied_from(request, episode)
    if request.method == "GET":
        record_event(request, Action.VIEW, record=episode, detail="new exam form")
        return _form_page(request, episode, ExamForm.from_input(_fresh_input(episode), kb, _default_side(episode)), None, None)
    return _post(request, episode, None, copied_from, kb)


@require_GET
@member_required
def exam_copy_forward(request: HttpRequest, pk: int) -> HttpResponse:
    """The new-exam form filled in from the episode's latest saved exam (nothing is stored until saved)."""
    episode = get_episode_for(request, pk)
    require_clinical(request, episode)
    if (blocked := _consent_gate(request, episode)) is not None:
        return blocked
    previous = previous_exam(episode)
    if previous is None:
        messages.info(request, "There is no saved exam in this episode to copy forward yet; here is a new, empty exam.")
        return redirect("exams:new", pk=episode.pk)
    kb = load_kb()
    data = input_from_document(previous.document, kb)
    data.first_session = False
    record_event(request, Action.VIEW, record=previous, detail="copied forward into a new exam")
    return _form_page(request, episode, ExamForm.from_input(data, kb, _default_side(episode)), None, previous)


@require_http_methods(["GET", "POST"])
@member_required
def exam_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Continue a draft. A saved exam is final: it is shown, never changed."""
    exam = get_exam_for(request, pk)
    require_clinical(request, exam)
    episode = exam.episode
    if not exam.is_draft:
        if request.method == "POST":
            record_event(request, Action.DENIED, record=exam, detail="saved exam is final")
            return render(request, "exams/final.html", {"exam": exam, "episode": episode, "patient": episode.patient}, status=409)
        messages.info(request, "This exam is saved, signed and final. Add an addendum to correct it, or copy it forward into a new exam.")
        return redirect("exams:detail", pk=exam.pk)
    if (blocked := _consent_gate(request, episode)) is not None:
        return blocked
    kb = load_kb()
    if request.method == "GET":
        record_event(request, Action.VIEW, record=exam, detail="draft opened for editing")
        data = input_from_document(exam.document, kb)
        data.history_note, data.exam_note = exam.history_note, exam.exam_note
        form = ExamForm.from_input(data, kb, _default_side(episode))
        return _form_page(request, episode, form, exam, exam.copied_from)
    return _post(request, episode, exam, exam.copied_from, kb)


# -- autosave: the draft kept as the clinician works -------------------------------------------------------


@require_POST
@member_required
def exam_autosave_new(request: HttpRequest, pk: int) -> JsonResponse:
    """The first autosave of a new exam creates its draft (once per form: the form's one-time token)."""
    episode = get_episode_for(request, pk)
    require_clinical(request, episode)
    if episode.patient.active_consent() is None:
        record_event(request, Action.DENIED, record=episode, detail="autosave blocked: no consent to needling on file")
        return JsonResponse({"ok": False, "error": CONSENT_NEEDED}, status=403)
    return _autosave(request, episode, None, _copied_from(request, episode))


@require_POST
@member_required
def exam_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Each later autosave updates the one draft; a saved exam is final and is never changed."""
    exam = get_exam_for(request, pk)
    require_clinical(request, exam)
    if not exam.is_draft:
        record_event(request, Action.DENIED, record=exam, detail="autosave refused: saved exam is final")
        return JsonResponse({"ok": False, "error": FINAL}, status=409)
    if exam.episode.patient.active_consent() is None:
        record_event(request, Action.DENIED, record=exam, detail="autosave blocked: no consent to needling on file")
        return JsonResponse({"ok": False, "error": CONSENT_NEEDED}, status=403)
    return _autosave(request, exam.episode, exam, exam.copied_from)


def _autosave(request: HttpRequest, episode: Episode, exam: Exam | None, copied_from: Exam | None) -> JsonResponse:
    kb = load_kb()
    form = ExamForm.from_post(request.POST, kb, _default_side(episode))
    # The same checks as "Save draft": a value the form refuses is named and nothing is written.
    if not form.validate(require_findings=False):
        return JsonResponse({"ok": False, "errors": [message for _, message in form.error_list()]}, status=422)
    data = form.exam_input
    assert data is not None
    try:
        if exam is None:
            token = submissions.posted_token(request)
            saved = submissions.save_once(
                request, token, "exam", lambda: _store(request, episode, None, copied_from, data, kb, final=False)
            )
            if saved.conflict or saved.repeated:
                # The form's draft exists already (an answer lost on the way back): update it, if it is still that draft.
                draft = _own_draft(request, episode, saved.record_id)
                if draft is None:
                    return JsonResponse({"ok": False, "error": saved.conflict or submissions.ALREADY_SAVED}, status=409)
                exam = _store(request, episode, draft, copied_from, data, kb, final=False)
            else:
                exam = Exam.objects.get(pk=saved.record_id)
        else:
            exam = _store(request, episode, exam, copied_from, data, kb, final=False)
    except InvalidAssessment as exc:
        return JsonResponse({"ok": False, "errors": list(exc.problems)}, status=422)
    except SignedRecordError:  # saved (and so signed) in another tab since this page loaded
        record_event(request, Action.DENIED, record=exam, detail="autosave refused: saved exam is final")
        return JsonResponse({"ok": False, "error": FINAL}, status=409)
    saved_at = timezone.localtime(exam.updated_at)
    return JsonResponse(
        {
            "ok": True,
            "exam": exam.pk,
            "saved_at": formats.time_format(saved_at, "H:i"),
            "edit_url": reverse("exams:edit", args=[exam.pk]),
            "autosave_url": reverse("exams:autosave", args=[exam.pk]),
        }
    )


def _own_draft(request: HttpRequest, episode: Episode, pk: int) -> Exam | None:
    """The exam ``pk`` when it is a draft of ``episode`` that this user started, else None."""
    return episode.exams.filter(pk=pk, status=ExamStatus.DRAFT, created_by=request.user).first()


def _post(request: HttpRequest, episode: Episode, exam: Exam | None, copied_from: Exam | None, kb: KnowledgeBase) -> HttpResponse:
    form = ExamForm.from_post(request.POST, kb, _default_side(episode))
    # A new exam's form carries a one-time token: a double click on Save stores one exam.
    token = submissions.posted_token(request) if exam is None else None
    status = 200
    if form.action in SAVE_ACTIONS:
        final = form.action == "save"
        if form.validate(require_findings=final):
            data = form.exam_input
            assert data is not None
            try:
                saved = submissions.save_once(
                    request, token, "exam", lambda: _store(request, episode, exam, copied_from, data, kb, final=final)
                )
                if saved.conflict and (draft := _own_draft(request, episode, saved.record_id)) is not None:
                    # The form's autosave made its draft but its answer never came back: this post completes that draft.
                    saved = submissions.Saved(_store(request, episode, draft, copied_from, data, kb, final=final).pk)
            except InvalidAssessment as exc:  # the form checks every value first; this is a last line of defence
                form.errors["findings"] = "The exam could not be turned into an assessment: " + "; ".join(exc.problems)
            except SignedRecordError:  # saved (and so signed) in another tab since this form was opened
                assert exam is not None
                record_event(request, Action.DENIED, record=exam, detail="saved exam is final")
                return render(request, "exams/final.html", {"exam": exam, "episode": episode, "patient": episode.patient}, status=409)
            else:
                if not saved.conflict:
                    if saved.repeated:
                        messages.info(request, submissions.ALREADY_SAVED)
                    else:
                        messages.success(
                            request,
                            "Exam saved, assessed and signed. Corrections from now on are addenda."
                            if final
                            else "Draft saved. It is not assessed until you save the exam.",
                        )
                    return redirect("exams:detail", pk=saved.record_id)
                form.errors["findings"] = saved.conflict
                token = None
        status = 422
    record_event(request, Action.VIEW, record=exam or episode, detail=f"exam form shown again ({form.action})"[:200])
    return _form_page(request, episode, form, exam, copied_from, status=status, submission=token)


def _store(
    request: HttpRequest, episode: Episode, exam: Exam | None, copied_from: Exam | None, data: ExamInput, kb: KnowledgeBase, *, final: bool
) -> Exam:
    document = service.document(data, episode=episode, kb=kb)
    parse_assessment(document)  # raises InvalidAssessment before anything is written
    with transaction.atomic():
        created = exam is None
        # Two tabs on one draft: the row lock makes the second wait, then find it saved (and signed).
        if exam is not None and not Exam.objects.select_for_update().filter(pk=exam.pk, status=ExamStatus.DRAFT).exists():
            raise SignedRecordError(SIGNED)
        if exam is None:
            exam = Exam(episode=episode, created_by=request.user, copied_from=copied_from, document=document, kb_version=kb.version)
            exam.save()
        exam.document = service.named(document, exam.pk)
        exam.history_note, exam.exam_note = data.history_note, data.exam_note
        exam.kb_version = kb.version
        if final:
            service.finalise([exam], kb, by=request.user, at=timezone.now())
        exam.save()
        detail = f"{'saved and signed' if final else 'draft'}: {len(document['findings'])} findings"
        if final and exam.plan is not None:
            detail += f", {len(exam.plan['steps'])} plan steps"
        record_event(request, Action.CREATE if created else Action.UPDATE, record=exam, detail=detail)
    return exam


def _form_page(
    request: HttpRequest,
    episode: Episode,
    form: ExamForm,
    exam: Exam | None,
    copied_from: Exam | None,
    status: int = 200,
    submission: str | None = None,
) -> HttpResponse:
    kb = form.kb
    patient = episode.patient
    form.parts = focus_parts(kb, episode.regions)
    shown = ExamInput(bands=form.bands, zones=form.zones)
    for row in form.level_table():
        for level in row["levels"]:
            for cell in level["cells"]:
                if cell["value"] in dict(catalogue.LEVEL_SIGNS):
                    shown.levels[(level["level"], cell["side"])] = cell["value"]
    marks = chart_marks(shown)
    precautions = list(patient.active_precautions())
    context: dict[str, Any] = {
        "episode": episode,
        "patient": patient,
        "exam": exam,
        "copied_from": copied_from,
        "previous": previous_exam(episode, exam, date_only=True),
        "form": form,
        "precautions": [(p, vocabulary.precaution(p.kind)) for p in precautions],
        "chart": chart_context(
            marks,
            regions=episode.regions,
            side=episode.side,
            skin_signs=catalogue.SKIN_SIGNS,
            sensory_changes=catalogue.SENSORY_CHANGES,
        ),
        "side_choices": SIDE_CHOICES,
        "severities": catalogue.SEVERITIES,
        "zone_sign_choices": ZONE_SIGN_CHOICES,
        "skin_signs": catalogue.SKIN_SIGNS,
        "sensory_changes": catalogue.SENSORY_CHANGES,
        "level_signs": catalogue.LEVEL_SIGNS,
        "grade_choices": GRADE_CHOICES,
        "builds": catalogue.BUILDS,
        "temperaments": catalogue.TEMPERAMENTS,
        "history_choices": catalogue.HISTORY,
        "sphincter_choices": catalogue.SPHINCTER,
        "cardiac_choices": catalogue.CARDIAC_SCREEN,
        "trimesters": catalogue.TRIMESTERS,
        "pregnant": any(p.kind == "pregnancy" for p in precautions),
        "acknowledgeable": catalogue.acknowledgeable(kb),
        "kb_version": kb.version,
        "form_action": reverse("exams:edit", args=[exam.pk]) if exam else reverse("exams:new", args=[episode.pk]),
        "autosave_url": reverse("exams:autosave", args=[exam.pk]) if exam else reverse("exams:autosave_new", args=[episode.pk]),
        # Changes kept on the device and posted back after a sign-in: the page sends them as soon as it loads.
        "restored": request.method == "POST" and request.POST.get("restored") == "1",
        "note_limit": input_limits.NOTES,
        # Only a new exam is created by its form; a draft is updated, and updating twice is harmless.
        "submission": (submission or submissions.new_token()) if exam is None else "",
    }
    return render(request, "exams/exam_form.html", context, status=status)


def _fresh_input(episode: Episode) -> ExamInput:
    """A new exam's defaults: needle fear from the precautions, first session if nothing was saved before."""
    patient = episode.patient
    data = ExamInput()
    data.needle_fear = patient.active_precautions().filter(kind="needle_phobia").exists()
    data.first_session = not Exam.objects.filter(episode__patient=patient, status=ExamStatus.SAVED).exists()
    return data


def _default_side(episode: Episode) -> str:
    return episode.side if episode.side in ("left", "right") else "right"


def _copied_from(request: HttpRequest, episode: Episode) -> Exam | None:
    """The exam a posted form was copied from: only a saved exam of the same episode counts."""
    pk = input_limits.parse_record_id(request.POST.get("copied_from", "")) if request.method == "POST" else None
    if pk is None:
        return None
    return episode.exams.filter(pk=pk, status=ExamStatus.SAVED).first()


def _consent_gate(request: HttpRequest, episode: Episode) -> HttpResponse | None:
    if episode.patient.active_consent() is not None:
        return None
    record_event(request, Action.DENIED, record=episode, detail="exam blocked: no consent to needling on file")
    return render(request, "exams/blocked.html", {"episode": episode, "patient": episode.patient, "message": CONSENT_NEEDED}, status=403)


# -- the saved exam and its plan -----------------------------------------------------------------


@require_GET
@member_required
def exam_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exam = get_exam_for(request, pk)
    require_clinical(request, exam)
    record_event(request, Action.VIEW, record=exam, detail="saved exam and plan" if not exam.is_draft else "draft")
    return render(request, "exams/exam_detail.html", _detail_context(exam, AddendumForm()))


def _detail_context(exam: Exam, addendum_form: AddendumForm) -> dict[str, Any]:
    episode = exam.episode
    patient = episode.patient
    kb = load_kb()
    consent = patient.active_consent()
    document = exam.document
    result = exam.result or {}
    plan = result.get("plan") if consent is not None else None
    data = input_from_document(document, kb)
    findings = [(n, describe_finding(f, kb)) for n, f in enumerate(document.get("findings", []), 1)]
    complaint = document.get("complaint", {})
    texts = dict(findings)
    segments = [
        {
            **segment,
            "lines": [
                {**line, "text": texts.get(line["finding"], "the complaint") if line["finding"] else "the complaint"}
                for line in segment["evidence"]
            ],
        }
        for segment in result.get("segments", [])
    ]
    steps = [
        {**step, "lung": any(c["kind"] == "lung" for c in step["cautions"]), "side_label": catalogue.side_label(step["side"])}
        for step in (plan or {}).get("steps", [])
    ]
    marks = chart_marks(data, plan)
    context = {
        "exam": exam,
        "episode": episode,
        "patient": patient,
        "consent": consent,
        "consent_message": CONSENT_NEEDED,
        "document": document,
        "complaint": complaint,
        "complaint_regions": [shown_name(kb, "region", r) for r in complaint.get("regions", [])],
        "complaint_condition": shown_name(kb, "condition", complaint["condition"]) if complaint.get("condition") else "",
        "about": document.get("patient", {}),
        "result": result,
        "red_flags": result.get("red_flags", []),  # results saved before red flags existed have none
        "blocked": (result.get("plan") or {}).get("blocked"),
        "plan": plan,
        "steps": steps,
        "segments": segments,
        "notes": _result_notes(document, result),
        "findings": findings,
        "charts": [chart_svg("front", marks, "muscles"), chart_svg("back", marks, "muscles")],
        "zone_charts": [chart_svg("front", marks, "dermatomes"), chart_svg("back", marks, "dermatomes")] if data.zones else [],
        "kb_changed": exam.kb_version != kb.version,
        "current_kb_version": kb.version,
        # Named and linked only: its findings and result stay unread.
        "copied_from": Exam.objects.only("pk", "created_at").filter(pk=exam.copied_from_id).first() if exam.copied_from_id else None,
        "addenda": exam.addenda.select_related("written_by"),
        "addendum_form": addendum_form,
    }
    return context


@require_POST
@member_required
def exam_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    """A dated correction by the signed-in user, under the saved exam (which stays as signed)."""
    exam = get_exam_for(request, pk)
    require_clinical(request, exam)
    if exam.is_draft:
        record_event(request, Action.DENIED, record=exam, detail="addendum refused: the exam is a draft")
        messages.error(request, "Addenda are for saved exams: a draft is still edited directly.")
        return redirect("exams:edit", pk=exam.pk)
    form = AddendumForm(request.POST)
    if not form.is_valid():
        record_event(request, Action.DENIED, record=exam, detail="addendum refused: invalid")
        return render(request, "exams/exam_detail.html", _detail_context(exam, form), status=400)
    with transaction.atomic():
        note = ExamAddendum.objects.create(exam=exam, text=form.cleaned_data["text"], written_by=request.user)
        record_event(request, Action.CREATE, record=note, detail=f"addendum to exam {exam.pk}")
    messages.success(request, "Addendum added.")
    return redirect("exams:detail", pk=exam.pk)


def _result_notes(document: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """How the engine read the exam (its ``notes``), and whether the findings shown have been
    converted since: a result stored before results named their format was read as 1.0."""
    if not result:
        return []
    notes = [str(note) for note in result.get("notes") or []]
    read_as = result.get("format") or "1.0"
    if read_as != (document.get("format") or "1.0"):
        notes.append(
            f"This result was worked out from the exam in format {read_as}, where paraspinal levels named root segments "
            f"(C5-C6 meant the C5 and C6 roots). The findings are shown as stored now, in format {document.get('format')}, "
            "with vertebral levels (the C8 root as C7-T1, where it leaves); the result is shown as the engine gave it then."
        )
    return notes


@require_GET
@member_required
def exam_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The exam as stored: document, result (with the plan) and KB version, as a JSON download."""
    exam = get_exam_for(request, pk)
    require_clinical(request, exam)
    payload = {
        "exam": exam.pk,
        "status": exam.status,
        "kb_version": exam.kb_version,
        "engine_version": exam.engine_version,
        "created_at": exam.created_at.isoformat(),
        "saved_at": exam.saved_at.isoformat() if exam.saved_at else None,
        "document": exam.document,
        "result": exam.result,
    }
    record_event(request, Action.EXPORT, record=exam, detail="exam and plan as JSON")
    response = HttpResponse(json.dumps(payload, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="exam-{exam.pk}.json"'
    return response


# -- names for the searchable list -----------------------------------------------------------------


@require_GET
@member_required
def names_lookup(request: HttpRequest) -> JsonResponse:
    """Knowledge-base names only, never patient data: the autocomplete and the "add" buttons' check.

    GET ?kind=muscle|region|weakness&q=... -> {"query", "kind", "match", "error", "suggestions", "results"}
    """
    require_clinical(request, record_type="exam_names")
    kind = request.GET.get("kind", "")
    if kind not in kb_names.KINDS:
        return JsonResponse({"error": f"kind must be one of {', '.join(kb_names.KINDS)}, got {kind[:20]!r}"}, status=400)
    # Not cut to length: a name that is too long is refused by resolve, not matched on its start.
    query = request.GET.get("q", "")
    kb = load_kb()
    found = kb_names.resolve(kb, kind, query)
    return JsonResponse(
        {
            "query": input_limits.shown(query, kb_names.MAX_NAME),
            "kind": kind,
            "match": _match(found) if found.ok else None,
            "error": found.error,
            "suggestions": list(found.suggestions),
            "results": kb_names.search(kb, kind, query),
        }
    )


def _match(found: kb_names.Resolution) -> dict[str, str]:
    record = found.record
    detail = ", ".join(record.dermatomes) if found.kind == "region" else ""
    return {"kind": found.kind, "id": record.id, "name": record.name, "detail": detail}
