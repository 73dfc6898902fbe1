"""The demo practice: who is in it, the one known login, and refusal of a non-empty database."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.test import Client

from myotome.clinic.accounts.models import Clinic, Membership, Role
from myotome.clinic.demo import STEPS, DemoError, DemoPractice, load_demo
from myotome.clinic.exams.models import Exam
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


def test_the_same_seed_gives_the_same_practice(db: None) -> None:
    load_demo(patients=8, seed=7)
    first = list(Patient.objects.order_by("pk").values_list("family_name", "given_name", "date_of_birth"))
    first_exams = [e.document["findings"] for e in Exam.objects.order_by("pk")]
    # empty the practice, dependants first (every clinical foreign key protects its target)
    for model in (Exam, Consent, Precaution, Episode, Patient, Membership, get_user_model(), Clinic):
        model.objects.all().delete()
    load_demo(patients=8, seed=7)
    assert list(Patient.objects.order_by("pk").values_list("family_name", "given_name", "date_of_birth")) == first
    assert [e.document["findings"] for e in Exam.objects.order_by("pk")] == first_exams


def test_it_refuses_a_database_that_has_users(practice: DemoPractice) -> None:
    with pytest.raises(DemoError, match="already has 7 users"):
        load_demo()


def test_steps_can_be_added(db: None) -> None:
    seen: list[int] = []
    load_demo(patients=3, steps=[*STEPS, lambda p: seen.append(len(p.patients))])
    assert seen == [3]


def test_a_failing_step_leaves_nothing_behind(db: None) -> None:
    def broken(practice: DemoPractice) -> None:
        raise RuntimeError("step failed")

    with pytest.raises(RuntimeError, match="step failed"):
        load_demo(patients=3, steps=[*STEPS, broken])
    assert not get_user_model().objects.exists() and not Patient.objects.exists()


def test_the_demo_user_sees_a_full_day(practice: DemoPractice) -> None:
    client = Client()
    assert client.post("/accounts/login/", {"username": "demo", "password": "demo"}).status_code == 302
    page = client.get("/").content.decode()
    assert "My active episodes" in page and "/episodes/" in page
