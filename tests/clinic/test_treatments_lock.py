"""Sign and lock: a signed session cannot change through any route (views, admin, model,
queryset, raw SQL); corrections are dated addenda by a named user, shown under the original."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from myotome.clinic.audit.models import AuditEvent
from myotome.clinic.signing import SignedRecordError
from myotome.clinic.treatments.models import (
    Addendum,
    AdverseEvent,
    Insertion,
    RangeMeasure,
    SessionStep,
    TreatmentSession,
)
from tests.clinic.conftest import World, enrol_second_factor, force_login
from tests.clinic.session_data import insert, key, started


@pytest.fixture
def signed(world: World) -> TreatmentSession:
    session = started(world)
    client = world.client("alice")
    insert(client, session, response="grasp", released="yes", resistance_before="8", resistance_after="2")
    for field, value in (("needles_out", "1"), ("pain_before", "7"), ("pain_after", "3"), ("left_at", "now")):
        client.post(f"/sessions/{session.pk}/field/", {"field": field, "value": value, "base": ""})
    assert client.post(f"/sessions/{session.pk}/sign/").status_code == 302
    session.refresh_from_db()
    assert session.is_signed and session.signed_by == world.alice
    return session


# Every view that changes a session refuses a signed one, and nothing changes.
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("insertions/", {"key": "k" * 16, "muscle": "ECRB", "side": "right"}),
        ("field/", {"field": "pain_after", "value": "0", "base": "3"}),
        ("field/", {"field": "needles_out", "value": "5", "base": "1"}),
        ("steps/add/", {"muscle": "ECRL", "side": "right"}),
        ("steps/skip/", {"step": "STEP", "reason": "declined"}),
        ("steps/move/", {"step": "STEP", "direction": "down"}),
        ("adverse/", {"kind": "bruising", "grade": "mild", "action_taken": "pressure"}),
        ("sign/", {}),
    ],
)
def test_views_refuse_to_change_a_signed_session(world: World, signed: TreatmentSession, path: str, data: dict[str, Any]) -> None:
    before = _snapshot(signed)
    step = signed.steps.first()
    body = {k: (str(step.pk) if v == "STEP" else v) for k, v in data.items()}  # type: ignore[union-attr]
    response = world.client("alice").post(f"/sessions/{signed.pk}/{path}", body)
    assert response.status_code == 403
    assert _snapshot(signed) == before
    assert AuditEvent.objects.filter(action="denied", record_id=str(signed.pk), detail__contains="signed").exists()


def _snapshot(session: TreatmentSession) -> tuple[Any, ...]:
    row = TreatmentSession.objects.values().get(pk=session.pk)
    return (
        row,
        list(Insertion.objects.filter(session=session).values()),
        list(SessionStep.objects.filter(session=session).values()),
        list(RangeMeasure.objects.filter(session=session).values()),
        list(AdverseEvent.objects.filter(session=session).values()),
    )


def test_the_model_refuses_save_and_delete(signed: TreatmentSession) -> None:
    stale = TreatmentSession.objects.get(pk=signed.pk)
    stale.pain_after = 0
    with pytest.raises(SignedRecordError, match="signed session cannot change"):
        stale.save()
    with pytest.raises(SignedRecordError):
        stale.delete()
    step = signed.steps.first()
    step.skipped = "declined"  # type: ignore[union-attr]
    with pytest.raises(SignedRecordError):
        step.save()  # type: ignore[union-attr]
    with pytest.raises(SignedRecordError):
        SessionStep.objects.create(session=signed, position=99, muscle_id="supinator", muscle_name="Supinator", side="right")
    with pytest.raises(SignedRecordError):
        Insertion.objects.create(session=signed, key=key(), muscle_id="supinator", side="right", recorded_by=signed.practitioner)


def test_the_queryset_refuses_update_and_delete(signed: TreatmentSession) -> None:
    with pytest.raises(SignedRecordError):
        TreatmentSession.objects.filter(pk=signed.pk).update(pain_after=0)
    with pytest.raises(SignedRecordError):
        SessionStep.objects.filter(session=signed).update(skipped="declined")
    with pytest.raises(SignedRecordError):
        TreatmentSession.objects.filter(pk=signed.pk).delete()


# Raw SQL meets the database's own triggers.
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE treatments_session SET pain_after = 0 WHERE id = %s",
        "UPDATE treatments_session SET status = 'draft' WHERE id = %s",
        "DELETE FROM treatments_session WHERE id = %s",
        "UPDATE treatments_insertion SET response = 'none' WHERE session_id = %s",
        "DELETE FROM treatments_insertion WHERE session_id = %s",
        "UPDATE treatments_sessionstep SET skipped = 'declined' WHERE session_id = %s",
        "DELETE FROM treatments_rangemeasure WHERE session_id = %s",
        "INSERT INTO treatments_adverseevent (session_id, kind, grade, action_taken, note, recorded_at, recorded_by_id) "
        "SELECT id, 'other', 'mild', 'x', '', started_at, practitioner_id FROM treatments_session WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_sql(signed: TreatmentSession, sql: str) -> None:
    before = _snapshot(signed)
    with pytest.raises(DatabaseError, match=r"signed session|append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [signed.pk])
    assert _snapshot(signed) == before


def test_the_database_lets_a_draft_change_but_never_an_insertion(world: World) -> None:
    session = started(world)
    insert(world.client("alice"), session)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE treatments_session SET pain_after = 2 WHERE id = %s", [session.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE treatments_insertion SET response = 'none' WHERE session_id = %s", [session.pk])


def test_the_admin_is_read_only(world: World, signed: TreatmentSession) -> None:
    admin = type(world.alice).objects.create(username="root", is_staff=True, is_superuser=True)
    enrol_second_factor(admin)
    client = world.client(None)
    force_login(client, admin)
    url = f"/admin/treatments/treatmentsession/{signed.pk}/change/"
    assert client.get(url).status_code == 200  # viewable
    before = _snapshot(signed)
    response = client.post(url, {"pain_after": "0", "status": "draft"})
    assert response.status_code == 403
    assert client.post(f"/admin/treatments/treatmentsession/{signed.pk}/delete/", {"post": "yes"}).status_code == 403
    assert _snapshot(signed) == before


def test_addenda_are_dated_named_and_shown_under_the_original(world: World, signed: TreatmentSession) -> None:
    client = world.client("bob")
    response = client.post(f"/sessions/{signed.pk}/addenda/", {"text": "Pain after was 4, not 3 (patient corrected)."})
    assert response.status_code == 302
    note = Addendum.objects.get()
    assert note.written_by == world.bob and note.written_at is not None
    page = world.client("alice").get(f"/sessions/{signed.pk}/").content.decode()
    assert page.index("Pain after was 4") > page.index("Insertions")
    assert 'value="3"' in page  # the original stays as signed
    assert AuditEvent.objects.filter(action="create", record_type="addendum", record_id=str(note.pk)).exists()
    note.text = "changed"
    with pytest.raises(SignedRecordError):
        note.save()
    # front desk cannot add one; an empty one is refused
    assert world.client("dana").post(f"/sessions/{signed.pk}/addenda/", {"text": "x"}).status_code == 403
    assert client.post(f"/sessions/{signed.pk}/addenda/", {"text": ""}).status_code == 400
    assert Addendum.objects.count() == 1


def test_signing_is_audited(signed: TreatmentSession) -> None:
    assert AuditEvent.objects.filter(action="update", record_type="treatmentsession", record_id=str(signed.pk), detail="signed").exists()
