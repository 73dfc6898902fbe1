"""Saving an exam signs it: a saved exam cannot change through any route (views, admin, model,
queryset, raw SQL); corrections are dated addenda by a named user, shown under the original.

Run on SQLite by default and on PostgreSQL with DATABASE_URL (see conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from myotome.clinic.audit.maintenance import audit_maintenance
from myotome.clinic.audit.models import AuditEvent
from myotome.clinic.exams import views as exam_views
from myotome.clinic.exams.models import Exam, ExamAddendum, ExamStatus
from myotome.clinic.signing import SignedRecordError
from tests.clinic.conftest import World, enrol_second_factor, force_login
from tests.clinic.exam_data import C6_POST, make_exam
from tests.clinic.migrating import latest, migrate


@pytest.fixture
def saved(world: World) -> Exam:
    """The C6 exam saved (and so signed) by Alice through the form."""
    response = world.client("alice").post(f"/episodes/{world.episode.pk}/exams/new/", C6_POST)
    assert response.status_code == 302
    return Exam.objects.get(status=ExamStatus.SAVED)


def _snapshot(exam: Exam) -> tuple[Any, ...]:
    return Exam.objects.values().get(pk=exam.pk), list(ExamAddendum.objects.filter(exam=exam).values())


def test_saving_an_exam_signs_it_and_the_signing_is_audited(world: World, saved: Exam) -> None:
    assert saved.saved_by == world.alice and saved.saved_at is not None
    event = AuditEvent.objects.get(action="create", record_type="exam", record_id=str(saved.pk))
    assert event.detail.startswith("saved and signed: ")
    page = world.client("alice").get(f"/exams/{saved.pk}/").content.decode()
    assert "saved and signed" in page and "Add addendum" in page


def test_a_draft_is_not_signed_and_takes_no_addendum(world: World) -> None:
    draft = make_exam(world.episode, world.alice, saved=False)
    assert draft.saved_by is None and draft.saved_at is None
    response = world.client("alice").post(f"/exams/{draft.pk}/addenda/", {"text": "too early"})
    assert response.status_code == 302 and response["Location"] == f"/exams/{draft.pk}/edit/"
    assert not ExamAddendum.objects.exists()
    assert AuditEvent.objects.filter(action="denied", record_id=str(draft.pk), detail__contains="draft").exists()


# Every view that writes an exam refuses a saved one, and nothing changes.
@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        ("edit/", {**C6_POST, "exam_note": "rewritten"}, 409),  # "Save exam" again
        ("edit/", {**C6_POST, "action": "draft"}, 409),  # back to a draft
        ("autosave/", {**C6_POST, "exam_note": "rewritten"}, 409),
    ],
)
def test_views_refuse_to_change_a_saved_exam(world: World, saved: Exam, path: str, data: dict[str, Any], status: int) -> None:
    before = _snapshot(saved)
    assert world.client("alice").post(f"/exams/{saved.pk}/{path}", data).status_code == status
    assert _snapshot(saved) == before
    assert AuditEvent.objects.filter(action="denied", record_id=str(saved.pk), detail__contains="final").exists()


@pytest.mark.parametrize(("path", "status"), [("edit/", 409), ("autosave/", 409)])
def test_a_second_tab_cannot_save_over_an_exam_saved_meanwhile(world: World, monkeypatch: Any, path: str, status: int) -> None:
    draft = make_exam(world.episode, world.alice, saved=False)
    stale = Exam.objects.get(pk=draft.pk)  # what the second tab's request read, before the first tab saved
    client = world.client("alice")
    assert client.post(f"/exams/{draft.pk}/edit/", C6_POST).status_code == 302  # the first tab saves (signs) it
    before = _snapshot(draft)
    monkeypatch.setattr(exam_views, "get_exam_for", lambda request, pk: stale)
    response = client.post(f"/exams/{draft.pk}/{path}", {**C6_POST, "exam_note": "from the second tab"})
    assert response.status_code == status
    assert _snapshot(draft) == before
    assert AuditEvent.objects.filter(action="denied", record_id=str(draft.pk), detail__contains="final").exists()


def test_the_model_refuses_save_and_delete(saved: Exam) -> None:
    stale = Exam.objects.get(pk=saved.pk)
    stale.exam_note = "rewritten"
    with pytest.raises(SignedRecordError, match="saved exam is signed and cannot change"):
        stale.save()
    stale.status = ExamStatus.DRAFT  # a stale copy cannot reopen it either
    with pytest.raises(SignedRecordError):
        stale.save()
    with pytest.raises(SignedRecordError):
        stale.delete()


def test_the_queryset_refuses_update_and_delete(world: World, saved: Exam) -> None:
    with pytest.raises(SignedRecordError):
        Exam.objects.filter(pk=saved.pk).update(exam_note="rewritten")
    with pytest.raises(SignedRecordError):
        Exam.objects.filter(episode=world.episode).update(status=ExamStatus.DRAFT)
    with pytest.raises(SignedRecordError):
        Exam.objects.filter(pk=saved.pk).delete()
    draft = make_exam(world.episode, world.alice, saved=False)
    assert Exam.objects.filter(pk=draft.pk).update(exam_note="still a draft") == 1  # drafts still change


# Raw SQL meets the database's own triggers.
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE exams_exam SET exam_note = 'rewritten' WHERE id = %s",
        "UPDATE exams_exam SET status = 'draft' WHERE id = %s",
        "UPDATE exams_exam SET saved_by_id = NULL, status = 'draft', saved_at = NULL WHERE id = %s",
        "UPDATE exams_exam SET result = NULL WHERE id = %s",
        "DELETE FROM exams_exam WHERE id = %s",
        "UPDATE exams_examaddendum SET text = 'rewritten' WHERE exam_id = %s",
        "DELETE FROM exams_examaddendum WHERE exam_id = %s",
    ],
)
def test_the_database_refuses_raw_sql(world: World, saved: Exam, sql: str) -> None:
    ExamAddendum.objects.create(exam=saved, text="Reflex re-tested: reduced.", written_by=world.bob)
    before = _snapshot(saved)
    with (
        pytest.raises(DatabaseError, match=r"saved exam is signed|addenda cannot change"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [saved.pk])
    assert _snapshot(saved) == before


def test_the_database_lets_a_draft_change_but_gives_it_no_addendum(world: World) -> None:
    draft = make_exam(world.episode, world.alice, saved=False)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE exams_exam SET exam_note = 'still a draft' WHERE id = %s", [draft.pk])
    assert Exam.objects.get(pk=draft.pk).exam_note == "still a draft"
    with pytest.raises(DatabaseError, match="only a signed record"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO exams_examaddendum (exam_id, text, written_at, written_by_id) "
            "SELECT id, 'x', created_at, created_by_id FROM exams_exam WHERE id = %s",
            [draft.pk],
        )


def test_audit_maintenance_may_remove_a_saved_exam(world: World, saved: Exam) -> None:
    # What flush does to empty the test database: the switch lets DELETE through, nothing else.
    ExamAddendum.objects.create(exam=saved, text="kept until maintenance", written_by=world.alice)
    with audit_maintenance(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM exams_examaddendum WHERE exam_id = %s", [saved.pk])
        cursor.execute("DELETE FROM exams_exam WHERE id = %s", [saved.pk])
    assert not Exam.objects.filter(pk=saved.pk).exists()


def test_the_admin_offers_no_way_to_change_an_exam(world: World, saved: Exam) -> None:
    admin = type(world.alice).objects.create(username="root", is_staff=True, is_superuser=True)
    enrol_second_factor(admin)
    client = world.client(None)
    force_login(client, admin)
    before = _snapshot(saved)
    assert client.get(f"/admin/exams/exam/{saved.pk}/change/").status_code == 404  # exams are not in the admin
    assert client.post(f"/admin/exams/exam/{saved.pk}/change/", {"exam_note": "rewritten"}).status_code == 404
    assert client.post(f"/admin/exams/exam/{saved.pk}/delete/", {"post": "yes"}).status_code == 404
    assert _snapshot(saved) == before


# Who may add an addendum to a saved exam: the clinical roles of the exam's clinic (the access
# rules of the exam page itself). Front desk see no clinical content; another clinic sees a 404.
@pytest.mark.parametrize(
    ("who", "status", "audited"),
    [
        ("alice", 302, "create"),  # the clinician who saved it
        ("bob", 302, "create"),  # a colleague in the same clinic
        ("erin", 302, "create"),  # the clinic admin (a clinical role here)
        ("dana", 403, "denied"),  # front desk
        ("charlie", 404, "denied"),  # an outsider from another clinic
        (None, 302, None),  # anonymous: sent to sign in, nothing recorded against the exam
    ],
)
def test_who_may_add_an_addendum(world: World, saved: Exam, who: str | None, status: int, audited: str | None) -> None:
    response = world.client(who).post(f"/exams/{saved.pk}/addenda/", {"text": "Pain was 5/10, not 6."})
    assert response.status_code == status
    added = ExamAddendum.objects.filter(exam=saved)
    assert added.count() == (1 if audited == "create" else 0)
    if audited == "create":
        note = added.get()
        assert note.written_by == getattr(world, who or "") and note.written_at is not None
        assert AuditEvent.objects.filter(action="create", record_type="examaddendum", record_id=str(note.pk)).exists()
    elif audited == "denied":
        assert AuditEvent.objects.filter(action="denied", username=who).exists()


def test_addenda_are_kept_in_order_under_the_original(world: World, saved: Exam) -> None:
    first = world.client("bob").post(f"/exams/{saved.pk}/addenda/", {"text": "First: the reflex was re-tested, reduced."})
    second = world.client("alice").post(f"/exams/{saved.pk}/addenda/", {"text": "Second: pain was 5/10, not 6."})
    assert first.status_code == second.status_code == 302
    notes = list(ExamAddendum.objects.filter(exam=saved))
    assert [n.text[:6] for n in notes] == ["First:", "Second"]
    assert [n.written_by for n in notes] == [world.bob, world.alice]
    page = world.client("alice").get(f"/exams/{saved.pk}/").content.decode()
    assert page.index("Findings") < page.index("First: the reflex") < page.index("Second: pain")
    assert "Extensor carpi radialis brevis" in page  # the original stays as signed
    with pytest.raises(SignedRecordError, match="addenda cannot change"):
        notes[0].save()
    with pytest.raises(SignedRecordError):
        notes[0].delete()


@pytest.mark.parametrize(("text", "status"), [("", 400), ("x" * 10_001, 400), ("  ", 400)])
def test_an_empty_or_too_long_addendum_is_refused(world: World, saved: Exam, text: str, status: int) -> None:
    response = world.client("alice").post(f"/exams/{saved.pk}/addenda/", {"text": text})
    assert response.status_code == status
    assert not ExamAddendum.objects.exists()
    assert AuditEvent.objects.filter(action="denied", record_id=str(saved.pk), detail="addendum refused: invalid").exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_signs_each_saved_exam_by_its_author(world: World) -> None:
    """Migration 0004 for real: back to 0003, store exams as then, forward, check."""
    before = [("exams", "0003_exam_notes")]
    old_exam = migrate(before).loader.project_state(before).apps.get_model("exams", "Exam")
    try:
        fields = {"episode_id": world.episode.pk, "document": {}, "kb_version": "2026.11.1", "created_by_id": world.bob.pk}
        unsigned = old_exam.objects.create(**fields, status="saved", result={}, saved_at=timezone.now())
        named = old_exam.objects.create(**fields, status="saved", result={}, saved_at=timezone.now(), saved_by_id=world.alice.pk)
        draft = old_exam.objects.create(**fields)
    finally:
        migrate(latest())
    signers = dict(Exam.objects.values_list("pk", "saved_by"))
    # signed by its author (Bob created it); one that named its saver keeps it; a draft stays unsigned
    assert signers == {unsigned.pk: world.bob.pk, named.pk: world.alice.pk, draft.pk: None}
    events = AuditEvent.objects.filter(path="migrate exams.0004_exam_sign_and_lock")
    assert [(e.record_id, e.username) for e in events] == [(str(unsigned.pk), "migration")]
    with pytest.raises(SignedRecordError):
        Exam.objects.filter(pk=unsigned.pk).update(exam_note="rewritten")
    with pytest.raises(DatabaseError, match="saved exam is signed"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE exams_exam SET exam_note = 'rewritten' WHERE id = %s", [unsigned.pk])
