"""``/healthz`` and the 503 page: no sign-in, no data, and a plain answer when the database cannot serve.

The tests of a real server whose database goes away (a closed port, PostgreSQL refusing
connections, a SQLite lock) are in test_unavailable.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from myotome.clinic.audit.models import AuditEvent
from myotome.clinic.patients.models import Patient

from .conftest import World
from .test_patients import VALID


def test_healthz_answers_without_sign_in_and_shows_no_data(world: World) -> None:
    before = AuditEvent.objects.count()
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response  # a load balancer polling every few seconds makes no sessions
    assert AuditEvent.objects.count() == before  # ...and no audit rows


def test_healthz_takes_only_get_and_head(world: World) -> None:
    assert Client().head("/healthz").status_code == 200
    assert Client().post("/healthz").status_code in {403, 405}  # CSRF or method: never a change


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_cannot_be_queried(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from myotome.clinic import health

    def refused() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "check_database", refused)
    response = Client().get("/healthz")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert json.loads(response.content) == {"status": "unavailable", "database": "unavailable"}
    assert b"refused" not in response.content  # the cause goes to the log, not to whoever asks


@contextmanager
def sqlite_page_limit() -> Iterator[None]:
    """Hold the SQLite database at its present size: a write that needs a new page then fails with
    "database or disk is full" (SQLite's SQLITE_FULL, as on a full disk); one that fits in free
    space still succeeds, as it would on a full disk. On leaving, the limit is lifted."""
    with connection.cursor() as cursor:
        # Free pages left by earlier tests' flushes would take hundreds of saves: drop them first.
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA page_count")
        cursor.execute(f"PRAGMA max_page_count = {cursor.fetchone()[0]}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")


@pytest.mark.database("sqlite")
@pytest.mark.django_db(transaction=True)
def test_a_full_database_answers_503_writes_nothing_half_and_recovers(world: World) -> None:
    client = world.client("alice", raise_request_exception=False)
    statuses = []
    with sqlite_page_limit():
        for number in range(300):  # saves fill the free space, until one needs a page there is no room for
            response = client.post(reverse("patients:new"), {**VALID, "family_name": f"Full{number}"})
            statuses.append(response.status_code)
            if response.status_code != 302:
                break
        body = response.content.decode()
        assert response.status_code == 503 and response["Retry-After"] == "30"
        assert "Myotome is unavailable for a moment" in body and "Nothing half-done was saved" in body
        assert "Traceback" not in body and "OperationalError" not in body
    assert set(statuses[:-1]) == {302}
    # Each save wrote its patient and its audit row together, or neither.
    saved = Patient.objects.filter(family_name__startswith="Full")
    assert saved.count() == len(statuses) - 1
    assert AuditEvent.objects.filter(action="create", record_type="patient").count() == saved.count()
    assert client.post(reverse("patients:new"), VALID).status_code == 302  # the cause gone, saving works again
    detail = client.get(reverse("patients:detail", args=[world.patient.pk]))
    assert detail.status_code == 200, detail.content.decode()[-600:]


def test_other_server_errors_keep_the_plain_500_page(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from myotome.clinic.patients import views

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr(views, "get_patient_for", broken)
    response = world.client("alice", raise_request_exception=False).get(reverse("patients:detail", args=[world.patient.pk]))
    assert response.status_code == 500 and b"Something went wrong" in response.content
