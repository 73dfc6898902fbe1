"""Autosave: the exam's draft kept as the clinician works, with the same checks as "Save draft", audited, one per exam."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.exams.models import Exam, ExamStatus

from .conftest import World
from .exam_data import C6_POST, make_exam

TOKEN = "A" * 32  # the new exam form's one-time token
DRAFT_POST: dict[str, Any] = {**{k: v for k, v in C6_POST.items() if k != "action"}, "submission": TOKEN}


def _autosave(world: World, data: dict[str, Any], who: str = "alice", exam: Exam | None = None) -> Any:
    url = reverse("exams:autosave", args=[exam.pk]) if exam else reverse("exams:autosave_new", args=[world.episode.pk])
    return world.client(who).post(url, data)


def test_the_first_autosave_creates_the_draft_and_later_ones_update_it(world: World) -> None:
    first = _autosave(world, DRAFT_POST)
    assert first.status_code == 200
    answer = first.json()
    draft = Exam.objects.get()
    assert answer["ok"] and answer["exam"] == draft.pk and draft.status == ExamStatus.DRAFT and draft.result is None
    assert answer["edit_url"] == reverse("exams:edit", args=[draft.pk])
    assert answer["autosave_url"] == reverse("exams:autosave", args=[draft.pk])
    assert len(answer["saved_at"]) == 5 and answer["saved_at"][2] == ":"  # "10:42", the clinic's clock
    second = world.client("alice").post(answer["autosave_url"], {**DRAFT_POST, "para_C5-C6_right": "tender", "exam_note": "guarded"})
    assert second.status_code == 200 and second.json()["exam"] == draft.pk
    draft.refresh_from_db()
    assert Exam.objects.count() == 1 and draft.exam_note == "guarded"
    assert {f["level"] for f in draft.document["findings"] if f["type"] == "paraspinal"} == {"C5-C6", "C6"}
    actions = list(AuditEvent.objects.filter(record_type="exam", record_id=str(draft.pk)).values_list("action", flat=True).order_by("id"))
    assert actions == [Action.CREATE, Action.UPDATE]


def test_an_autosave_whose_answer_was_lost_updates_the_same_draft(world: World) -> None:
    # The connection dropped after the server stored the draft: the page still thinks the exam is new.
    _autosave(world, DRAFT_POST)
    again = _autosave(world, {**DRAFT_POST, "rom_shoulder_abduction_right": "90"})
    assert again.status_code == 200 and Exam.objects.count() == 1
    assert any(f.get("value") == 90 for f in Exam.objects.get().document["findings"])
    # And "Save and plan" from that page completes the same draft instead of refusing the form.
    saved = world.client("alice").post(reverse("exams:new", args=[world.episode.pk]), {**DRAFT_POST, "action": "save"})
    assert saved.status_code == 302 and Exam.objects.count() == 1 and Exam.objects.get().status == ExamStatus.SAVED


def test_an_autosave_runs_the_same_checks_and_writes_nothing_when_they_fail(world: World) -> None:
    response = _autosave(world, {**DRAFT_POST, "rom_shoulder_abduction_right": "lots"})
    assert response.status_code == 422 and not Exam.objects.exists()
    assert response.json() == {
        "ok": False,
        "errors": ["Shoulder abduction, right: 'lots' is not a number; enter the range reached in degrees, e.g. 135."],
    }


def test_an_empty_exam_may_be_autosaved_as_a_draft(world: World) -> None:
    response = _autosave(world, {"submission": TOKEN})
    assert response.status_code == 200 and Exam.objects.get().is_draft


def test_a_saved_exam_is_never_changed_by_an_autosave(world: World) -> None:
    exam = make_exam(world.episode, world.alice)
    before = exam.document
    response = _autosave(world, DRAFT_POST, exam=exam)
    assert response.status_code == 409 and "saved and final" in response.json()["error"]
    exam.refresh_from_db()
    assert exam.document == before
    assert AuditEvent.objects.filter(action=Action.DENIED, record_id=str(exam.pk), detail="autosave refused: saved exam is final").exists()


def test_another_clinic_cannot_autosave_into_a_draft_or_an_episode(world: World) -> None:
    draft = make_exam(world.episode, world.alice, saved=False)
    assert _autosave(world, DRAFT_POST, who="charlie", exam=draft).status_code == 404
    assert _autosave(world, DRAFT_POST, who="charlie").status_code == 404
    assert Exam.objects.count() == 1


def test_a_colleague_cannot_take_over_a_draft_through_the_form_token(world: World) -> None:
    _autosave(world, DRAFT_POST)
    response = _autosave(world, {**DRAFT_POST, "exam_note": "bob's"}, who="bob")
    assert response.status_code == 409 and Exam.objects.get().exam_note == ""


def test_signed_out_autosave_goes_to_the_sign_in_page_and_writes_nothing(world: World, client: Any) -> None:
    response = client.post(reverse("exams:autosave_new", args=[world.episode.pk]), DRAFT_POST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"] and not Exam.objects.exists()


def test_autosave_takes_posts_only(world: World) -> None:
    assert world.client("alice").get(reverse("exams:autosave_new", args=[world.episode.pk])).status_code == 405
