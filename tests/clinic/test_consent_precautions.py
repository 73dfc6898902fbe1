"""Consent to needling and precautions from the knowledge base's vocabulary."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.patients.models import Consent, Precaution, active_consent

from .conftest import World


def _consent(world: World, **changes: str) -> object:
    data = {"given_on": date.today().isoformat(), "taken_by": str(world.bob.pk), "method": "verbal", "risks_explained": "on", **changes}
    return world.client("alice").post(reverse("patients:consent_new", args=[world.patient.pk]), data)


def test_consent_records_date_and_who_took_it(world: World) -> None:
    assert _consent(world).status_code == 302
    consent = world.patient.active_consent()
    assert consent is not None and consent.taken_by == world.bob and consent.recorded_by == world.alice and consent.given_on == date.today()
    assert AuditEvent.objects.filter(action=Action.CREATE, record_type="consent", record_id=str(consent.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"risks_explained": ""}, "tick the box to confirm"),
        ({"given_on": "2999-12-31"}, "Date given 31 Dec 2999 is in the future"),
        ({"taken_by": "999999"}, "Select a valid choice"),
        ({"taken_by": str(2**70)}, "Select a valid choice"),
        ({"given_on": "0001-01-01"}, "Date given 01 Jan 0001 is before 1900; check the year."),
        ({"given_on": "1899-12-31"}, "Date given 31 Dec 1899 is before 1900"),
        ({"notes": "x" * 100_000}, "Notes &#x27;xxxx"),
        ({"notes": "x" * 100_000}, "is 100,000 characters long; the limit is 10,000, so shorten it."),
        ({"notes": "verbal\x00"}, "Notes &#x27;verbal\\x00&#x27; contains a control character (U+0000)"),
    ],
)
def test_bad_consent_is_refused(world: World, changes: dict[str, str], message: str) -> None:
    response = _consent(world, **changes)
    assert response.status_code == 422 and message in response.content.decode()
    assert Consent.objects.filter(patient=world.patient).count() == 1


def test_consent_cannot_be_taken_by_front_desk_or_another_clinic(world: World) -> None:
    for who in (world.dana, world.charlie):
        assert _consent(world, taken_by=str(who.pk)).status_code == 422


def test_withdrawing_consent_blocks_until_new_consent(world: World) -> None:
    url = reverse("patients:consent_withdraw", args=[world.patient.pk, world.consent.pk])
    assert world.client("bob").post(url).status_code == 302
    world.consent.refresh_from_db()
    assert world.consent.withdrawn_on == date.today() and world.consent.withdrawn_by == world.bob
    assert world.patient.active_consent() is None
    assert AuditEvent.objects.get(action=Action.UPDATE, record_type="consent").detail == "withdrawn"
    assert (
        "No consent to needling is on file"
        in world.client("alice").get(reverse("patients:detail", args=[world.patient.pk])).content.decode()
    )


def test_precautions_are_added_annotated_ended_and_reopened_with_an_audit_row_each(world: World) -> None:
    url = reverse("patients:precautions", args=[world.patient.pk])
    client = world.client("alice")
    # Keep anticoagulants with a new dose, add pregnancy.
    client.post(
        url, {"on_anticoagulants": "on", "note_anticoagulants": "apixaban 2.5 mg", "on_pregnancy": "on", "note_pregnancy": "20 weeks"}
    )
    active = {p.kind: p.note for p in world.patient.active_precautions()}
    assert active == {"anticoagulants": "apixaban 2.5 mg", "pregnancy": "20 weeks"}
    # Untick anticoagulants: ended, not deleted.
    client.post(url, {"on_pregnancy": "on", "note_pregnancy": "20 weeks"})
    ended = Precaution.objects.get(kind="anticoagulants")
    assert ended.ended_at is not None and ended.ended_by == world.alice
    assert [p.kind for p in world.patient.active_precautions()] == ["pregnancy"]
    # Tick it again: the same row comes back.
    client.post(url, {"on_pregnancy": "on", "note_pregnancy": "20 weeks", "on_anticoagulants": "on"})
    assert Precaution.objects.get(kind="anticoagulants").ended_at is None
    details = list(AuditEvent.objects.filter(record_type="precaution").order_by("id").values_list("action", "detail"))
    assert details == [("update", "details changed"), ("create", ""), ("update", "ended"), ("update", "recorded again")]


def test_a_note_without_its_box_ticked_is_refused(world: World) -> None:
    url = reverse("patients:precautions", args=[world.patient.pk])
    response = world.client("alice").post(url, {"on_anticoagulants": "on", "note_epilepsy": "seizure 2019"})
    page = response.content.decode()
    assert response.status_code == 422 and "There are details for &#x27;Epilepsy or seizure disorder&#x27; but it is not ticked" in page
    assert 'value="seizure 2019"' in page
    assert not Precaution.objects.filter(kind="epilepsy").exists()


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("x" * 301, "Details for anticoagulant or antiplatelet medication &#x27;xxxx"),
        ("x" * 301, "is 301 characters long; the limit is 300"),
        (
            "apixaban\x005 mg",
            "Details for anticoagulant or antiplatelet medication &#x27;apixaban\\x005 mg&#x27; contains a control character (U+0000)",
        ),
    ],
)
def test_a_bad_precaution_note_is_refused_naming_the_precaution(world: World, note: str, message: str) -> None:
    url = reverse("patients:precautions", args=[world.patient.pk])
    response = world.client("alice").post(url, {"on_anticoagulants": "on", "note_anticoagulants": note})
    assert response.status_code == 422 and message in response.content.decode()
    assert Precaution.objects.get(kind="anticoagulants").note == "apixaban 5 mg"


def test_the_chart_shows_the_kb_warning_for_each_precaution(world: World) -> None:
    page = world.client("alice").get(reverse("patients:detail", args=[world.patient.pk])).content.decode()
    assert "Bleeding and haematoma risk" in page


@pytest.mark.parametrize(
    ("consents", "expected"),
    [
        ([], None),
        ([("2026-01-05", None)], 0),
        ([("2026-01-05", "2026-02-01")], None),  # withdrawn: nothing on file
        ([("2026-01-05", "2026-02-01"), ("2026-03-01", None)], 1),  # given again after withdrawing
        ([("2026-03-01", None), ("2026-01-05", None)], 0),  # the latest given, whatever the order written
        ([("2026-03-01", None), ("2026-03-01", None)], 1),  # the same day: the later row
        ([("2026-03-01", "2026-03-02"), ("2026-01-05", None)], 1),  # the latest withdrawn: an older one still stands
    ],
)
def test_the_chart_shows_the_consent_the_model_calls_active(
    world: World, consents: list[tuple[str, str | None]], expected: int | None
) -> None:
    # The chart picks it from the consents it lists (active_consent) rather than asking again.
    Consent.objects.filter(patient=world.patient).delete()
    rows = [
        Consent.objects.create(
            patient=world.patient,
            given_on=date.fromisoformat(given),
            taken_by=world.bob,
            recorded_by=world.alice,
            method="verbal",
            risks_explained=True,
            withdrawn_on=date.fromisoformat(withdrawn) if withdrawn else None,
            withdrawn_by=world.bob if withdrawn else None,
        )
        for given, withdrawn in consents
    ]
    want = rows[expected] if expected is not None else None
    assert world.patient.active_consent() == want
    assert active_consent(Consent.objects.filter(patient=world.patient)) == want
    page = world.client("alice").get(reverse("patients:detail", args=[world.patient.pk])).content.decode()
    if want is None:
        assert "No consent to needling is on file" in page
    else:
        assert "On file: given" in page and reverse("patients:consent_withdraw", args=[world.patient.pk, want.pk]) in page
