"""The demo's sessions: plans followed, mostly grasp with falling resistance, some adverse events,
signed and draft, addenda, credentials; and the demo clinician can open them."""

from __future__ import annotations

import pytest
from django.db.models import Count, F

from myotome.clinic.demo import DemoPractice, load_demo
from myotome.clinic.treatments.models import (
    Addendum,
    AdverseEvent,
    Insertion,
    NeedlingCredential,
    SessionStatus,
    TreatmentSession,
)
from myotome.clinic.treatments.service import sign_problems
from tests.clinic.conftest import force_login


@pytest.fixture
def practice(db: None) -> DemoPractice:
    return load_demo(patients=30, seed=1)


def test_sessions_follow_plans_with_mostly_grasp_and_falling_resistance(practice: DemoPractice) -> None:
    sessions = TreatmentSession.objects.all()
    assert sessions.count() >= 10
    insertions = Insertion.objects.all()
    grasp = insertions.filter(response="grasp").count()
    assert grasp / insertions.count() > 0.6
    released = insertions.filter(released=True, resistance_after__isnull=False)
    assert released.exists() and not released.filter(resistance_after__gte=F("resistance_before")).exists()
    for session in sessions.filter(status=SessionStatus.SIGNED)[:20]:
        plan = [(s["muscle"]["id"], s["side"]) for s in session.exam.result["plan"]["steps"]]  # type: ignore[union-attr]
        steps = [(s.muscle_id, s.side) for s in session.steps.all()]
        assert steps == plan[: len(steps)]
        assert sign_problems(session) == []  # every signed demo session would pass the signing checks


def test_signed_and_draft_with_addenda_and_adverse_events(practice: DemoPractice) -> None:
    statuses = set(TreatmentSession.objects.values_list("status", flat=True))
    assert statuses == {"signed", "draft"}
    assert Addendum.objects.exists() and not Addendum.objects.filter(session__status="draft").exists()
    assert AdverseEvent.objects.filter(grade="mild").exists()
    per_session = TreatmentSession.objects.annotate(n=Count("insertions")).values_list("n", flat=True)
    assert min(per_session) >= 1


def test_every_demo_clinician_may_needle(practice: DemoPractice) -> None:
    for clinic, clinicians in zip(practice.clinics, practice.clinicians, strict=True):
        for user in clinicians:
            assert NeedlingCredential.objects.filter(user=user, clinic=clinic, ended_at__isnull=True).exists()


def test_the_demo_clinician_opens_a_demo_session(practice: DemoPractice, client: object) -> None:
    demo = practice.users["demo"]
    session = TreatmentSession.objects.filter(practitioner=demo).first()
    assert session is not None
    force_login(client, demo)  # type: ignore[arg-type]
    page = client.get(f"/sessions/{session.pk}/")  # type: ignore[attr-defined]
    assert page.status_code == 200 and b"Insertions" in page.content
