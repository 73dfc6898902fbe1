"""Django for the clinic tests only: the other test directories never import it.

Settings come from the environment as in production, with MYOTOME_HOME in a fresh
temporary directory. DATABASE_URL picks the database: SQLite by default,
PostgreSQL when it is a postgres:// URL (the test database is test_<name>).

Personas (healthchecks' style): Alice and Bob are clinicians in clinic A, Dana is
front desk in clinic A, Erin is clinic A's admin, Charlie is a clinician in clinic B.
Erin, as a clinic admin must, has an authenticator app (secret ERIN_TOTP_SECRET);
``World.client`` marks her session as having passed the code step.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

_HOME = tempfile.mkdtemp(prefix="myotome-test-home-")
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)
os.environ["MYOTOME_HOME"] = _HOME
os.makedirs(os.path.join(_HOME, "static"))  # WhiteNoise warns about a missing STATIC_ROOT
os.environ["DJANGO_SETTINGS_MODULE"] = "myotome.clinic.settings"

from myotome.clinic import config  # noqa: E402

config.ensure_secret_key(config.home_dir())

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from myotome.clinic.accounts.models import Clinic, Membership, Role  # noqa: E402
from myotome.clinic.mfa import second_factor, totp  # noqa: E402
from myotome.clinic.mfa.models import TotpDevice  # noqa: E402
from myotome.clinic.mfa.sealing import seal  # noqa: E402
from myotome.clinic.patients.models import Consent, Episode, Patient, Precaution, Sex  # noqa: E402

PASSWORD = "correct horse battery staple"
OUTSIDE_ADDRESS = "203.0.113.7"  # TEST-NET-3: a documentation address
ERIN_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``database("postgresql")`` test that database's own behaviour: they run on
    PostgreSQL runs (CI makes one) and are deselected, not skipped, on the others."""
    from django.db import connection

    kept, other = [], []
    for item in items:
        marker = item.get_closest_marker("database")
        (other if marker is not None and connection.vendor not in marker.args else kept).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
        items[:] = kept


@pytest.fixture(scope="session")
def password_hash() -> str:
    # Argon2 is deliberately slow: hash the personas' password once per run.
    return make_password(PASSWORD)


@dataclass
class World:
    clinic_a: Clinic
    clinic_b: Clinic
    alice: Any
    bob: Any
    charlie: Any
    dana: Any
    erin: Any
    patient: Patient  # clinic A: Alice's patient
    episode: Episode
    consent: Consent
    precaution: Precaution
    other_patient: Patient  # clinic B: Charlie's patient
    other_episode: Episode
    other_consent: Consent

    def client(self, who: str | None, **defaults: Any) -> Client:
        """A client signed in as a persona (None: anonymous), from a recognisable address."""
        client = Client(REMOTE_ADDR=OUTSIDE_ADDRESS, **defaults)
        if who is not None:
            force_login(client, getattr(self, who))
        return client


def enrol_second_factor(user: Any, secret: str = ERIN_TOTP_SECRET) -> None:
    """Give a user a confirmed authenticator app, as clinic admins and staff must have."""
    TotpDevice.objects.create(user=user, sealed_secret=seal(secret), confirmed_at=timezone.now())


def force_login(client: Client, user: Any) -> None:
    """Client.force_login, and the code step passed for a user with an authenticator app."""
    client.force_login(user)
    device = totp.confirmed_device(user)
    if device is not None:
        session = client.session
        second_factor.mark_verified(session, device)
        session.save()


def _user(username: str, first: str, clinic: Clinic, role: Role, password_hash: str) -> Any:
    user = get_user_model().objects.create(username=username, first_name=first, last_name="Tester", password=password_hash)
    Membership.objects.create(user=user, clinic=clinic, role=role)
    return user


@pytest.fixture
def world(db: None, password_hash: str) -> World:
    clinic_a = Clinic.objects.create(name="Clinic A")
    clinic_b = Clinic.objects.create(name="Clinic B")
    alice = _user("alice", "Alice", clinic_a, Role.CLINICIAN, password_hash)
    bob = _user("bob", "Bob", clinic_a, Role.CLINICIAN, password_hash)
    dana = _user("dana", "Dana", clinic_a, Role.FRONT_DESK, password_hash)
    erin = _user("erin", "Erin", clinic_a, Role.CLINIC_ADMIN, password_hash)
    charlie = _user("charlie", "Charlie", clinic_b, Role.CLINICIAN, password_hash)
    enrol_second_factor(erin)
    patient = Patient.objects.create(
        clinic=clinic_a,
        family_name="Quennell",
        given_name="Ottoline",
        date_of_birth=date(1971, 4, 2),
        sex=Sex.FEMALE,
        phone="+44 20 7946 0123",
    )
    episode = Episode.objects.create(
        patient=patient, clinician=alice, regions=["lateral_elbow"], side="right", condition="tennis_elbow", pain=6
    )
    consent = Consent.objects.create(patient=patient, given_on=date(2026, 1, 5), taken_by=alice, risks_explained=True)
    precaution = Precaution.objects.create(patient=patient, kind="anticoagulants", note="apixaban 5 mg")
    other = Patient.objects.create(
        clinic=clinic_b, family_name="Zabriskie", given_name="Bartholomew", date_of_birth=date(1960, 9, 9), sex=Sex.MALE
    )
    other_episode = Episode.objects.create(
        patient=other, clinician=charlie, regions=["low_back"], side="midline", condition="low_back_pain", pain=4
    )
    other_consent = Consent.objects.create(patient=other, given_on=date(2026, 2, 1), taken_by=charlie, risks_explained=True)
    return World(
        clinic_a, clinic_b, alice, bob, charlie, dana, erin, patient, episode, consent, precaution, other, other_episode, other_consent
    )


@pytest.fixture
def fast_passwords(world: World, settings: Any) -> None:
    """A fast hasher in place of Argon2, for tests that sign in many times: Argon2 is
    deliberately slow, and what they test does not depend on the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for persona in [world.alice, world.bob, world.charlie, world.dana, world.erin]:
        persona.set_password(PASSWORD)
        persona.save(update_fields=["password"])
