"""Sessions for the session tests: a needling credential, a consent taken after the exam, and a
session started from the C6 exam's plan the way the start view starts one."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.test import Client
from django.utils import timezone

from myotome.clinic.exams.models import Exam
from myotome.clinic.patients.models import Consent
from myotome.clinic.treatments import service
from myotome.clinic.treatments.models import NeedlingCredential, Profession, TreatmentSession, TreatmentSettings
from myotome.kb import load_kb
from tests.clinic.conftest import World
from tests.clinic.exam_data import make_exam


def credential(world: World, user: Any) -> NeedlingCredential:
    return NeedlingCredential.objects.create(
        user=user, clinic=world.clinic_a, profession=Profession.PHYSIOTHERAPIST, registration="PT-1234", recorded_by=world.erin
    )


def consent_today(world: World, user: Any) -> Consent:
    return Consent.objects.create(patient=world.patient, given_on=timezone.localdate(), taken_by=user, risks_explained=True)


def ready_exam(world: World, user: Any | None = None) -> Exam:
    """Alice's saved C6 exam, Alice credentialed and her consent taken today (after the exam)."""
    user = user or world.alice
    exam = make_exam(world.episode, user)
    credential(world, user)
    consent_today(world, user)
    return exam


def started(world: World, user: Any | None = None) -> TreatmentSession:
    exam = ready_exam(world, user)
    return service.start_session(exam, user or world.alice, TreatmentSettings(clinic=world.clinic_a), load_kb())


def key() -> str:
    return uuid.uuid4().hex


def insert(client: Client, session: TreatmentSession, **fields: Any) -> Any:
    body = {"key": key(), **fields}
    if "step" not in body and "muscle" not in body:
        body["step"] = session.steps.first().pk  # type: ignore[union-attr]
    return client.post(f"/sessions/{session.pk}/insertions/", body)


TODAY = date.today()
