"""Before the first needle: who may record needling, consent for this practitioner, re-consent
triggers, the red-flag gate and the clinic's thoracic setting."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from myotome import needling
from myotome.clinic.audit.models import AuditEvent
from myotome.clinic.exams.models import Exam
from myotome.clinic.patients.models import Consent, Precaution
from myotome.clinic.treatments.models import NeedlingCredential, SessionStep, TreatmentSession, TreatmentSettings
from tests.clinic.conftest import World
from tests.clinic.exam_data import make_exam
from tests.clinic.session_data import consent_today, credential, insert, ready_exam, started

D = date


def facts(**changes: Any) -> needling.SessionFacts:
    base = {
        "first_assessed_on": D(2026, 3, 1),
        "exam_on": D(2026, 3, 1),
        "episode_started_on": D(2026, 2, 20),
        "episode_regions": "neck",
        "cleared": True,
        "thoracic_planned": False,
        "thoracic_needled_since": None,
        "precautions": (),
    }
    return needling.SessionFacts(**{**base, **changes})


ALICE = needling.ConsentOnFile(D(2026, 3, 1), "1", "Alice")


# Consent and re-consent rules, as a physiotherapist would read them (reference file (c)).
@pytest.mark.parametrize(
    ("consents", "changes", "expected"),
    [
        ([ALICE], {}, []),
        ([], {}, ["No valid consent"]),
        # consent is specific to the practitioner: Bob's consent does not let Alice needle
        ([needling.ConsentOnFile(D(2026, 3, 1), "2", "Bob")], {}, ["No valid consent", "New practitioner"]),
        # taken at intake, before the first assessment: not valid
        ([needling.ConsentOnFile(D(2026, 2, 28), "1", "Alice")], {}, ["predates the first assessment", "No valid consent"]),
        # on the day of the first assessment: valid (given after it)
        ([needling.ConsentOnFile(D(2026, 3, 1), "1", "Alice")], {}, []),
        # a new episode (region) began after the consent
        ([ALICE], {"episode_started_on": D(2026, 3, 5)}, ["New region"]),
        # the plan needles over the thorax, the exam is newer than the consent, no thoracic needling since
        ([ALICE], {"thoracic_planned": True, "exam_on": D(2026, 3, 8)}, ["the thorax"]),
        # ...but thoracic needling after the consent means the patient already consented to it
        ([ALICE], {"thoracic_planned": True, "exam_on": D(2026, 3, 8), "thoracic_needled_since": D(2026, 3, 2)}, []),
        # a precaution recorded after the consent (pregnancy, an anticoagulant)
        ([ALICE], {"precautions": [needling.NewPrecaution("pregnancy", D(2026, 3, 4))]}, ["New precaution"]),
        ([ALICE], {"precautions": [needling.NewPrecaution("anticoagulants", D(2026, 2, 1))]}, []),
        # red flags not cleared: never ready
        ([ALICE], {"cleared": False}, ["red flags are not cleared"]),
    ],
)
def test_consent_and_reconsent_rules(consents: list[needling.ConsentOnFile], changes: dict[str, Any], expected: list[str]) -> None:
    ready = needling.readiness(needling.Practice("1", credentialed=True), consents, facts(**changes))
    assert len(ready.blockers) == len(expected), ready.blockers
    for words in expected:
        assert any(words in b for b in ready.blockers), (words, ready.blockers)


def test_no_credential_is_a_blocker() -> None:
    ready = needling.readiness(needling.Practice("1", credentialed=False), [ALICE], facts())
    assert [b for b in ready.blockers if "needling credential" in b]


@pytest.mark.parametrize(
    ("muscles", "count_sides", "count", "code"),
    [
        ([], False, 0, None),
        ([("ecrb", "right")], False, 1, "20560"),
        ([("ecrb", "right"), ("ecrb", "right")], False, 1, "20560"),  # two needles, one muscle
        ([("ecrb", "right"), ("ecrb", "left")], False, 1, "20560"),  # both sides of one muscle count once by default
        ([("ecrb", "right"), ("ecrb", "left")], True, 2, "20560"),
        ([("ecrb", "right"), ("supinator", "right"), ("multifidus", "right")], False, 3, "20561"),
        ([("ecrb", "right"), ("ecrb", "left"), ("supinator", "right")], True, 3, "20561"),
    ],
)
def test_cpt_code_counts_distinct_muscles(muscles: list[tuple[str, str]], count_sides: bool, count: int, code: str | None) -> None:
    assert needling.distinct_muscles(muscles, count_sides=count_sides) == count
    assert needling.cpt_code(count) == code


# -- the start view ------------------------------------------------------------------------------


def test_a_ready_clinician_starts_a_session_with_the_plans_steps_in_order(world: World) -> None:
    exam = ready_exam(world)
    client = world.client("alice")
    panel = client.get(f"/exams/{exam.pk}/session/")
    assert panel.status_code == 200
    assert b"Ready to start" in panel.content and b"anticoagulants" in panel.content
    response = client.post(f"/exams/{exam.pk}/session/")
    session = TreatmentSession.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/sessions/{session.pk}/"
    plan = [(s["muscle"]["id"], s["side"]) for s in exam.result["plan"]["steps"]]
    assert [(s.muscle_id, s.side) for s in session.steps.all()] == plan
    assert session.ranges.filter(movement="shoulder_abduction", side="right").exists()
    assert AuditEvent.objects.filter(action="create", record_type="treatmentsession", record_id=str(session.pk)).exists()
    assert AuditEvent.objects.filter(action="view", record_type="exam", detail="session start panel").exists()


@pytest.mark.parametrize(
    ("setup", "blocker"),
    [
        ("no_credential", "needling credential"),
        ("ended_credential", "needling credential"),
        ("consent_by_bob", "New practitioner"),
        ("consent_at_intake", "predates the first assessment"),
        ("consent_withdrawn", "No valid consent"),
        ("new_precaution", "New precaution"),
        ("red_flag", "red flags are not cleared"),
    ],
)
def test_the_start_panel_refuses_and_says_why(world: World, setup: str, blocker: str) -> None:

    def as_saved(exam: Exam) -> None:
        if setup == "new_precaution":
            exam.saved_at = timezone.now() - timedelta(days=2)
        if setup == "red_flag":
            exam.result = {**exam.result, "cleared": False}

    exam = make_exam(world.episode, world.alice, stored=as_saved)
    if setup != "no_credential":
        cred = credential(world, world.alice)
        if setup == "ended_credential":
            cred.ended_at, cred.ended_by = timezone.now(), world.erin
            cred.save()
    consent = consent_today(world, world.bob if setup == "consent_by_bob" else world.alice)
    if setup == "consent_at_intake":
        Consent.objects.filter(pk=consent.pk).update(given_on=timezone.localdate() - timedelta(days=3))
    if setup == "consent_withdrawn":
        Consent.objects.filter(pk=consent.pk).update(withdrawn_on=timezone.localdate(), withdrawn_by=world.alice)
    if setup == "new_precaution":
        Consent.objects.filter(pk=consent.pk).update(given_on=timezone.localdate() - timedelta(days=1))
        Precaution.objects.create(patient=world.patient, kind="pregnancy")
    client = world.client("alice")
    assert blocker.encode() in client.get(f"/exams/{exam.pk}/session/").content
    response = client.post(f"/exams/{exam.pk}/session/")
    assert response.status_code == 409
    assert blocker.encode() in response.content
    assert not TreatmentSession.objects.exists()


def test_front_desk_cannot_open_the_start_panel(world: World) -> None:
    exam = ready_exam(world)
    assert world.client("dana").get(f"/exams/{exam.pk}/session/").status_code == 403
    assert world.client("charlie").get(f"/exams/{exam.pk}/session/").status_code == 404


def test_a_clinic_that_forbids_thoracic_needling_is_offered_no_lung_zone_step(world: World) -> None:
    exam = ready_exam(world)
    steps = exam.result["plan"]["steps"]
    lung = [s for s in steps if any(c["kind"] == "lung" for c in s["cautions"])]
    assert lung, "the C6 plan needs a lung-zone step for this test to mean anything"
    TreatmentSettings.objects.create(clinic=world.clinic_a, forbid_thoracic=True)
    world.client("alice").post(f"/exams/{exam.pk}/session/")
    session = TreatmentSession.objects.get()
    assert session.steps.count() == len(steps) - len(lung)
    assert not session.steps.filter(muscle_id__in=[s["muscle"]["id"] for s in lung]).exists()
    # nor can one be added by name
    response = world.client("alice").post(f"/sessions/{session.pk}/steps/add/", {"muscle": lung[0]["muscle"]["name"], "side": "right"})
    assert response.status_code == 400 and b"does not needle lung-zone muscles" in response.content


# Who may record insertions: credential, clinical role, the session's own practitioner.
@pytest.mark.parametrize(
    ("who", "credentialed", "status"),
    [
        ("alice", True, 201),  # the session's practitioner, credentialed
        ("bob", True, 403),  # credentialed colleague: consent is for Alice
        ("bob", False, 403),
        ("erin", False, 403),  # clinic admin without a credential
        ("dana", False, 403),  # front desk
        ("charlie", False, 404),  # another clinic
    ],
)
def test_who_may_record_insertions(world: World, who: str, credentialed: bool, status: int) -> None:
    session = started(world)
    if credentialed and who != "alice":
        credential(world, getattr(world, who))
    response = insert(world.client(who), session, response="grasp", released="yes")
    assert response.status_code == status
    assert session.insertions.count() == (1 if status == 201 else 0)


def test_an_ended_credential_stops_recording(world: World) -> None:
    session = started(world)
    NeedlingCredential.objects.filter(user=world.alice).update(ended_at=timezone.now(), ended_by=world.erin)
    assert insert(world.client("alice"), session).status_code == 403


def test_a_clinic_admin_records_a_credential_audited(world: World) -> None:
    client = world.client("erin")
    assert client.get("/needling/credentials/").status_code == 200
    response = client.post(
        "/needling/credentials/",
        {"user": world.bob.pk, "profession": "physiotherapist", "registration": "BC-77", "training": "UBC Gunn IMS 2019"},
    )
    assert response.status_code == 302
    cred = NeedlingCredential.objects.get(user=world.bob)
    assert (cred.registration, cred.recorded_by) == ("BC-77", world.erin)
    assert AuditEvent.objects.filter(action="create", record_type="needlingcredential", record_id=str(cred.pk)).exists()
    # front desk and other clinicians cannot
    assert world.client("alice").get("/needling/credentials/").status_code == 403
    assert (
        world.client("alice")
        .post("/needling/credentials/", {"user": world.alice.pk, "profession": "physiotherapist", "registration": "X"})
        .status_code
        == 403
    )
    # a front-desk member cannot be credentialed
    response = client.post("/needling/credentials/", {"user": world.dana.pk, "profession": "physiotherapist", "registration": "X-1"})
    assert response.status_code == 400 and not NeedlingCredential.objects.filter(user=world.dana).exists()


def test_copy_the_last_session_copies_steps_not_responses(world: World) -> None:
    first = started(world)
    client = world.client("alice")
    insert(client, first, response="grasp", released="yes", resistance_before="8")
    SessionStep.objects.filter(pk=first.steps.last().pk).update(skipped="declined")  # type: ignore[union-attr]
    response = client.post(f"/exams/{first.exam_id}/session/", {"copy": "last"})
    assert response.status_code == 302
    copy = TreatmentSession.objects.exclude(pk=first.pk).get()
    assert copy.copied_from == first
    assert [(s.muscle_id, s.side) for s in copy.steps.all()] == [(s.muscle_id, s.side) for s in first.steps.all()]
    assert not copy.insertions.exists()
    assert not copy.steps.exclude(skipped="").exists()
