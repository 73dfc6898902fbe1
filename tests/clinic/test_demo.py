"""The demo practice: who is in it, the one known login, refusal of a non-empty database, and its step API."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Model
from django.test import Client

from myotome import batch
from myotome.clinic.accounts.models import Clinic, Membership, Role
from myotome.clinic.audit.models import AuditEvent
from myotome.clinic.demo import STEPS, DemoError, DemoPractice, Step, load_demo
from myotome.clinic.exams.models import Exam, ExamAddendum, ExamStatus
from myotome.clinic.outcomes.models import OutcomeScore
from myotome.clinic.patients.models import Consent, Episode, Patient, Precaution
from myotome.kb import load_kb


@pytest.fixture
def practice(db: None) -> DemoPractice:
    return load_demo(patients=25, seed=1)


def test_two_clinics_with_every_role(practice: DemoPractice) -> None:
    assert Clinic.objects.count() == 2
    for clinic in Clinic.objects.all():
        assert set(Membership.objects.filter(clinic=clinic).values_list("role", flat=True)) == set(Role.values)


def test_demo_is_the_only_known_login(practice: DemoPractice) -> None:
    demo = authenticate(username="demo", password="demo")
    assert demo is not None
    assert Membership.objects.get(user=demo).clinic == practice.clinics[0]
    assert Membership.objects.get(user=demo).role == Role.CLINICIAN
    others = get_user_model().objects.exclude(username="demo")
    assert others.exists() and not any(u.has_usable_password() for u in others)


def test_patients_episodes_consents_and_precautions_are_realistic(practice: DemoPractice) -> None:
    kb = load_kb()
    assert Patient.objects.count() == 25
    assert Patient.objects.filter(clinic=practice.clinics[1]).exists()
    assert Episode.objects.count() >= 25
    assert set(Episode.objects.values_list("condition", flat=True)) == set(kb.conditions)  # every KB condition appears
    for episode in Episode.objects.all():
        assert episode.regions and all(r in kb.regions for r in episode.regions)
        assert 0 <= episode.pain <= 10
    assert set(Precaution.objects.values_list("kind", flat=True)) <= set(kb.precautions)
    consented = Consent.objects.values("patient").distinct().count()
    assert 0 < consented < 25  # some patients wait for consent, so the gate can be seen


# These two empty the database between two loads. flush runs TRUNCATE, which PostgreSQL refuses inside
# a transaction that still holds deferred foreign-key checks, so they run outside the test transaction.
def test_the_same_seed_gives_the_same_practice(transactional_db: None) -> None:
    load_demo(patients=8, seed=7)
    first = list(Patient.objects.order_by("pk").values_list("family_name", "given_name", "date_of_birth"))
    first_exams = [e.document["findings"] for e in Exam.objects.order_by("pk")]
    first_scores = list(OutcomeScore.objects.order_by("pk").values_list("episode_id", "measure", "taken_on", "score", "responses"))
    # empty the practice: signed sessions can go only under audit maintenance, which flush opens
    call_command("flush", interactive=False, verbosity=0)
    load_demo(patients=8, seed=7)
    assert list(Patient.objects.order_by("pk").values_list("family_name", "given_name", "date_of_birth")) == first
    assert [e.document["findings"] for e in Exam.objects.order_by("pk")] == first_exams
    assert list(OutcomeScore.objects.order_by("pk").values_list("episode_id", "measure", "taken_on", "score", "responses")) == first_scores
    assert first_scores  # the measure histories are part of the practice


def test_some_saved_exams_have_an_addendum_by_their_clinician(practice: DemoPractice) -> None:
    notes = list(ExamAddendum.objects.select_related("exam"))
    assert 0 < len(notes) < Exam.objects.filter(status=ExamStatus.SAVED).count()
    assert {n.exam.status for n in notes} == {ExamStatus.SAVED}  # saved, and so signed: never a draft
    assert all(n.written_by_id == n.exam.saved_by_id and n.written_at > n.exam.saved_at for n in notes)  # type: ignore[operator]


def test_it_refuses_a_database_that_has_users(practice: DemoPractice) -> None:
    with pytest.raises(DemoError, match="already has 7 users"):
        load_demo()


def test_a_step_adds_rows_for_each_patient_inserted_in_bulk(db: None) -> None:
    def notes(practice: DemoPractice, number: int) -> Iterable[Model]:
        patient = practice.patients[number]
        if number in practice.consented:
            yield Precaution(patient=patient, kind="epilepsy", note=f"step saw {len(practice.episodes_of[number])} episodes")

    practice = load_demo(patients=30, steps=[*STEPS[:2], STEPS[3], Step("notes", notes, weight=0.1)])
    added = Precaution.objects.filter(note__startswith="step saw")
    assert added.count() == len(practice.consented) > 0
    assert all(p.pk is not None for p in practice.patients)


def test_a_failing_step_leaves_nothing_behind(db: None) -> None:
    def broken(practice: DemoPractice, number: int) -> Iterable[Model]:
        raise RuntimeError("step failed")

    with pytest.raises(RuntimeError, match="step failed"):
        load_demo(patients=3, steps=[*STEPS, Step("broken", broken)])
    assert not get_user_model().objects.exists() and not Patient.objects.exists()


def test_progress_is_reported_step_by_step_up_to_the_total(db: None) -> None:
    seen: list[tuple[str, float, float]] = []
    load_demo(patients=120, progress=lambda step, done, total: seen.append((step, done, total)))
    assert [s for s, _, _ in seen if _ == seen[-1][1]][-1] == STEPS[-1].name  # the last step reports the total
    dones = [done for _, done, _ in seen]
    assert dones == sorted(dones) and dones[-1] == seen[-1][2] > 0
    assert {s for s, _, _ in seen} == {step.name for step in STEPS}


def test_the_demo_writes_no_audit_events(practice: DemoPractice) -> None:
    # It is made by a command, not by a user of the clinic: nobody viewed or changed a record.
    assert not AuditEvent.objects.exists()


def test_records_made_after_the_demo_get_new_ids(practice: DemoPractice) -> None:
    # The demo gives ids itself; the database's own counters (PostgreSQL sequences) must have moved past them.
    episode = Episode.objects.filter(status="active").first()
    assert episode is not None
    exam = Exam.objects.create(episode=episode, document={}, kb_version="x", created_by=episode.clinician)
    patient = Patient.objects.create(clinic=practice.clinics[0], family_name="New", given_name="Pat", date_of_birth="1980-01-01")
    assert exam.pk > max(e.pk for e in Exam.objects.exclude(pk=exam.pk))
    assert patient.pk == len(practice.patients) + 1


def test_parallel_engine_gives_the_same_practice(transactional_db: None) -> None:
    load_demo(patients=40, seed=5)
    first = list(Exam.objects.order_by("pk").values_list("pk", "copied_from", "status", "document", "result"))
    call_command("flush", interactive=False, verbosity=0)  # signed sessions go only under audit maintenance
    with _parallel_from(1):
        load_demo(patients=40, seed=5, workers=2)
    again = list(Exam.objects.order_by("pk").values_list("pk", "copied_from", "status", "document", "result"))
    assert [row[1:] for row in again] == [row[1:] for row in first]
    assert any(row[2] == ExamStatus.SAVED for row in again) and any(row[1] for row in again)  # copy-forward chains


@contextmanager
def _parallel_from(size: int) -> Iterator[None]:
    saved, batch.PARALLEL_FROM = batch.PARALLEL_FROM, size
    try:
        yield
    finally:
        batch.PARALLEL_FROM = saved


def test_the_demo_user_sees_a_full_day(practice: DemoPractice) -> None:
    client = Client()
    assert client.post("/accounts/login/", {"username": "demo", "password": "demo"}).status_code == 302
    page = client.get("/").content.decode()
    assert "My active episodes" in page and "/episodes/" in page
