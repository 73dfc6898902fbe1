"""Recording a session: insertion validation, empty means not recorded, idempotent saves,
steps (add, skip, reorder), before/after fields and their conflicts, adverse events, the
thoracic follow-up, needle reconciliation, billing for front desk, and audit of every view."""

from __future__ import annotations

from typing import Any

import pytest

from myotome.clinic.audit.models import AuditEvent
from myotome.clinic.treatments.models import FollowUp, Insertion, TreatmentSession
from tests.clinic.conftest import World
from tests.clinic.session_data import insert, key, started


@pytest.fixture
def session(world: World) -> TreatmentSession:
    return started(world)


def test_the_common_path_stores_only_what_was_given(world: World, session: TreatmentSession) -> None:
    response = insert(world.client("alice"), session, response="grasp", released="yes")
    assert response.status_code == 201
    row = Insertion.objects.get()
    step = session.steps.first()
    assert (row.muscle_id, row.side, row.level, row.response, row.released) == (step.muscle_id, step.side, step.level, "grasp", True)  # type: ignore[union-attr]
    # never a default a later analysis would read as a measurement
    for empty in ("needle_mm", "gauge", "technique", "resistance_before", "resistance_after", "discomfort", "seconds"):
        assert getattr(row, empty) is None, empty
    assert response.json()["needles_in"] == 1 and response.json()["code"] == "20560"


def test_released_no_is_an_answer_and_blank_is_not(world: World, session: TreatmentSession) -> None:
    client = world.client("alice")
    insert(client, session, response="grasp", released="no")
    insert(client, session, response="twitch", released="")
    assert list(Insertion.objects.order_by("id").values_list("released", flat=True)) == [False, None]


# Insertion validation: every bad value is refused naming the field, and nothing is saved.
@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"resistance_before": "11"}, "resistance_before", "0 to 10"),
        ({"resistance_after": "-1"}, "resistance_after", "0 to 10"),
        ({"discomfort": "ten"}, "discomfort", "whole number"),
        ({"response": "scream"}, "response", "valid choice"),
        ({"technique": "hammer"}, "technique", "valid choice"),
        ({"needle_mm": "900"}, "needle_mm", "150"),
        ({"gauge": "2"}, "gauge", "0.5"),
        ({"seconds": "99999"}, "seconds", "3600"),
        ({"note": "x" * 301}, "note", "300"),
        ({"key": "short"}, "key", "8 to 64"),
        ({"step": "999999"}, "muscle", "not a step of this session"),
        ({"step": "", "muscle": "no such muscle", "side": "right"}, "muscle", "no such muscle"),
        ({"step": "", "muscle": "ECRB", "side": ""}, "__all__", "the muscle and the side"),
    ],
)
def test_insertion_validation(world: World, session: TreatmentSession, fields: dict[str, Any], field: str, words: str) -> None:
    response = insert(world.client("alice"), session, **fields)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert words in errors[field], errors
    assert not Insertion.objects.exists()


def test_a_muscle_added_by_abbreviation(world: World, session: TreatmentSession) -> None:
    response = insert(world.client("alice"), session, step="", muscle="ECRB", side="left")
    assert response.status_code == 201
    assert Insertion.objects.get().muscle_id == "extensor_carpi_radialis_brevis"


def test_a_retried_save_never_doubles(world: World, session: TreatmentSession) -> None:
    client = world.client("alice")
    body = {"key": key(), "step": session.steps.first().pk, "response": "grasp", "released": "yes"}  # type: ignore[union-attr]
    first = client.post(f"/sessions/{session.pk}/insertions/", body)
    again = client.post(f"/sessions/{session.pk}/insertions/", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["duplicate"] is True and again.json()["id"] == first.json()["id"]
    assert Insertion.objects.count() == 1


def test_a_key_from_another_session_is_refused(world: World, session: TreatmentSession) -> None:
    client = world.client("alice")
    body = {"key": key(), "step": session.steps.first().pk}  # type: ignore[union-attr]
    client.post(f"/sessions/{session.pk}/insertions/", body)
    other = TreatmentSession.objects.create(episode=session.episode, exam=session.exam, practitioner=world.alice)
    response = client.post(f"/sessions/{other.pk}/insertions/", {**body, "step": "", "muscle": "ECRB", "side": "right"})
    assert response.status_code == 409 and not other.insertions.exists()


def test_insertions_are_append_only_in_the_model(world: World, session: TreatmentSession) -> None:
    insert(world.client("alice"), session)
    row = Insertion.objects.get()
    row.response = "none"
    with pytest.raises(RuntimeError, match="append-only"):
        row.save()
    with pytest.raises(RuntimeError, match="cannot change"):
        row.delete()


def test_steps_skip_with_a_reason_and_reorder(world: World, session: TreatmentSession) -> None:
    client = world.client("alice")
    first, second = list(session.steps.all())[:2]
    assert client.post(f"/sessions/{session.pk}/steps/skip/", {"step": first.pk, "reason": "declined"}).status_code == 302
    first.refresh_from_db()
    assert first.skipped == "declined"
    client.post(f"/sessions/{session.pk}/steps/skip/", {"step": second.pk, "reason": "because"})
    second.refresh_from_db()
    assert second.skipped == ""
    client.post(f"/sessions/{session.pk}/steps/move/", {"step": second.pk, "direction": "up"})
    assert list(session.steps.values_list("pk", flat=True))[:2] == [second.pk, first.pk]


def test_adding_a_step_by_abbreviation(world: World, session: TreatmentSession) -> None:
    response = world.client("alice").post(f"/sessions/{session.pk}/steps/add/", {"muscle": "ECRL", "side": "right"})
    assert response.status_code == 302
    added = session.steps.last()
    assert (added.muscle_id, added.source) == ("extensor_carpi_radialis_longus", "added")  # type: ignore[union-attr]
    bad = world.client("alice").post(f"/sessions/{session.pk}/steps/add/", {"muscle": "ECRBB", "side": "right"})
    assert bad.status_code == 400 and b"ECRBB" in bad.content


# Before/after fields: saved one at a time against the value the page last saw.
@pytest.mark.parametrize(
    ("field", "value", "status", "stored"),
    [
        ("pain_before", "7", 200, 7),
        ("pain_before", "11", 400, None),
        ("pain_before", "", 200, None),
        ("needles_out", "12", 200, 12),
        ("needles_out", "-1", 400, None),
        ("nonsense", "1", 400, None),
        ("signed_at", "2026-01-01T10:00", 400, None),  # not a field the page may set
    ],
)
def test_field_saves(world: World, session: TreatmentSession, field: str, value: str, status: int, stored: Any) -> None:
    response = world.client("alice").post(f"/sessions/{session.pk}/field/", {"field": field, "value": value, "base": ""})
    assert response.status_code == status
    session.refresh_from_db()
    if hasattr(session, field) and field != "signed_at":
        assert getattr(session, field) == stored


def test_a_range_before_and_after(world: World, session: TreatmentSession) -> None:
    client = world.client("alice")
    measure = session.ranges.get()
    client.post(f"/sessions/{session.pk}/field/", {"field": f"range:{measure.pk}:before", "value": "120", "base": ""})
    client.post(f"/sessions/{session.pk}/field/", {"field": f"range:{measure.pk}:after", "value": "150", "base": ""})
    measure.refresh_from_db()
    assert (measure.before, measure.after) == (120, 150)
    page = client.get(f"/sessions/{session.pk}/")
    assert b"+30" in page.content


def test_the_second_save_of_the_same_field_is_refused_with_what_changed(world: World, session: TreatmentSession) -> None:
    alice = world.client("alice")
    url = f"/sessions/{session.pk}/field/"
    assert alice.post(url, {"field": "pain_after", "value": "3", "base": ""}).status_code == 200
    # a second tab that opened the page before that save, still seeing it empty
    stale = alice.post(url, {"field": "pain_after", "value": "4", "base": ""})
    assert stale.status_code == 409
    assert stale.json()["current"] == "3" and stale.json()["yours"] == "4"
    assert "pain after" in stale.json()["message"]
    session.refresh_from_db()
    assert session.pain_after == 3
    # another field never conflicts; nor does adding insertions
    assert alice.post(url, {"field": "pain_before", "value": "6", "base": ""}).status_code == 200
    assert insert(alice, session).status_code == 201


def test_a_suspected_pneumothorax_shows_the_emergency_advice_at_once(world: World, session: TreatmentSession) -> None:
    client = world.client("alice")
    response = client.post(
        f"/sessions/{session.pk}/adverse/", {"kind": "pneumothorax", "grade": "serious", "action_taken": "999 called"}, follow=True
    )
    assert b"call emergency services" in response.content
    assert session.adverse_events.get().grade == "serious"
    bad = client.post(f"/sessions/{session.pk}/adverse/", {"kind": "bruising", "grade": "awful", "action_taken": "x"})
    assert bad.status_code == 400 and session.adverse_events.count() == 1


def test_a_thoracic_insertion_makes_a_next_day_follow_up_on_today(world: World, session: TreatmentSession) -> None:
    client = world.client("alice")
    insert(client, session, step="", muscle="rhomboid major", side="right")
    assert Insertion.objects.get().thoracic
    task = FollowUp.objects.get()
    assert task.due_on > task.session.started_at.date()
    FollowUp.objects.filter(pk=task.pk).update(
        due_on=task.due_on.replace(day=task.due_on.day) - (task.due_on - task.session.started_at.date())
    )
    today = client.get("/")
    assert b"Follow-up calls due" in today.content and b"breathlessness" in today.content
    assert b"Follow-up calls due" not in world.client("dana").get("/").content
    assert b"Follow-up calls due" not in world.client("charlie").get("/").content
    page = client.get(f"/sessions/{session.pk}/")
    assert b"Aftercare advice given" in page.content


# Needles in and out: signing waits until they match (and for the rest of the closing).
@pytest.mark.parametrize(
    ("inserted", "out", "signed"),
    [
        (2, None, False),
        (2, 1, False),
        (2, 3, False),
        (2, 2, True),
        (0, 0, True),
    ],
)
def test_needle_reconciliation(world: World, session: TreatmentSession, inserted: int, out: int | None, signed: bool) -> None:
    client = world.client("alice")
    for _ in range(inserted):
        insert(client, session, response="grasp", released="yes")
    if out is not None:
        client.post(f"/sessions/{session.pk}/field/", {"field": "needles_out", "value": str(out), "base": ""})
    client.post(f"/sessions/{session.pk}/field/", {"field": "left_at", "value": "now", "base": ""})
    response = client.post(f"/sessions/{session.pk}/sign/", follow=True)
    session.refresh_from_db()
    assert session.is_signed is signed
    if not signed:
        assert b"Count the needles out" in response.content or b"differ" in response.content


def test_front_desk_see_the_code_and_the_count_not_the_clinical_content(world: World, session: TreatmentSession) -> None:
    client = world.client("alice")
    insert(client, session, response="grasp", released="yes", note="very tight band")
    for step in list(session.steps.all())[1:3]:
        insert(client, session, step=step.pk, response="grasp")
    page = world.client("dana").get(f"/sessions/{session.pk}/")
    assert page.status_code == 200
    assert b"20561" in page.content and b'class="muscle-count">3<' in page.content
    for clinical in (b"very tight band", b"Grasp", session.steps.first().muscle_name.encode(), b"anticoagulants"):  # type: ignore[union-attr]
        assert clinical not in page.content
    assert world.client("charlie").get(f"/sessions/{session.pk}/").status_code == 404


def test_every_view_is_audited(world: World, session: TreatmentSession) -> None:
    world.client("alice").get(f"/sessions/{session.pk}/")
    world.client("dana").get(f"/sessions/{session.pk}/")
    world.client("charlie").get(f"/sessions/{session.pk}/")
    rows = AuditEvent.objects.filter(record_type="treatmentsession", record_id=str(session.pk))
    assert {(r.username, r.action) for r in rows} >= {("alice", "view"), ("dana", "view"), ("charlie", "denied")}
    assert rows.get(username="dana").detail == "billing view (code and count)"


def test_sign_in_required(world: World, session: TreatmentSession) -> None:
    for url in (f"/sessions/{session.pk}/", f"/exams/{session.exam_id}/session/"):
        assert world.client(None).get(url).status_code == 302
    assert world.client(None).post(f"/sessions/{session.pk}/insertions/", {"key": key()}).status_code == 302
    assert not Insertion.objects.exists()


def test_signing_waits_for_the_leaving_time(world: World, session: TreatmentSession) -> None:
    client = world.client("alice")
    client.post(f"/sessions/{session.pk}/field/", {"field": "needles_out", "value": "0", "base": ""})
    response = client.post(f"/sessions/{session.pk}/sign/", follow=True)
    assert b"Record when the patient left" in response.content
    session.refresh_from_db()
    assert not session.is_signed and session.left_at is None  # never filled in for the clinician
