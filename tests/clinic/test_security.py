"""Headers, CSRF, and keeping patient data out of URLs and logs."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from myotome.clinic.patients.models import Patient

from .conftest import OUTSIDE_ADDRESS, World

PAGES = ["day", "patients:list", "patients:detail", "patients:episode", "audit:log", "accounts:login"]


def _url(world: World, name: str) -> str:
    if name == "patients:detail":
        return reverse(name, args=[world.patient.pk])
    if name == "patients:episode":
        return reverse(name, args=[world.episode.pk])
    return reverse(name)


@pytest.mark.parametrize("name", PAGES)
def test_security_headers_and_no_store_on_every_page(world: World, name: str) -> None:
    client = world.client("erin") if name != "accounts:login" else Client()
    response = client.get(_url(world, name))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("status_url", ["/patients/999999/", "/no-such-page/"])
def test_error_pages_are_not_cached_either(world: World, status_url: str) -> None:
    response = world.client("alice").get(status_url)
    assert response.status_code == 404 and response["Cache-Control"] == "no-store"


def _csrf_client(world: World, who: str) -> Client:
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=OUTSIDE_ADDRESS)
    client.force_login(getattr(world, who))
    return client


@pytest.mark.parametrize(
    "url_name",
    [
        "patients:new",
        "patients:search",
        "patients:edit",
        "patients:episode_new",
        "patients:consent_new",
        "patients:precautions",
        "accounts:switch_clinic",
    ],
)
def test_csrf_is_enforced_on_every_form(world: World, url_name: str) -> None:
    args = (
        [world.patient.pk] if url_name in {"patients:edit", "patients:episode_new", "patients:consent_new", "patients:precautions"} else []
    )
    data = {
        "family_name": "Forged",
        "given_name": "Forged",
        "date_of_birth": "1970-01-01",
        "sex": "male",
        "q": "x",
        "clinic": world.clinic_a.pk,
    }
    response = _csrf_client(world, "alice").post(reverse(url_name, args=args), data)
    assert response.status_code == 403
    assert "could not be accepted" in response.content.decode()
    assert not Patient.objects.filter(family_name="Forged").exists()


def test_login_needs_a_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "alice", "password": "x"})
    assert response.status_code == 403


def test_a_form_with_its_token_is_accepted(world: World) -> None:
    client = _csrf_client(world, "alice")
    client.get(reverse("patients:new"))
    token = client.cookies["csrftoken"].value
    data = {"family_name": "Tokened", "given_name": "Ann", "date_of_birth": "1970-01-01", "sex": "female", "csrfmiddlewaretoken": token}
    assert client.post(reverse("patients:new"), data).status_code == 302


def test_no_patient_data_in_the_logs(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = world.client("alice")
    client.post(reverse("patients:search"), {"q": "Quennell"})
    client.get(reverse("patients:list"))
    client.post(
        reverse("patients:new"), {"family_name": "Ashdown", "given_name": "Perpetua", "date_of_birth": "2999-01-01"}
    )  # refused: logged
    world.client("charlie").get(reverse("patients:detail", args=[world.patient.pk]))  # 404: logged
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Unprocessable Entity: /patients/new/" in logged and "Not Found: /patients/" in logged
    for secret in ("Quennell", "Ottoline", "Ashdown", "Perpetua", "2999"):
        assert secret not in logged
    assert all(getattr(r, "request", None) is None for r in caplog.records if r.name.startswith("django"))


def test_sql_is_not_logged_with_its_parameters() -> None:
    assert logging.getLogger("django.db.backends").getEffectiveLevel() >= logging.WARNING
