"""Login and logout, idle timeout and the clinic switcher (throttling: test_throttle*.py; second factor: test_mfa.py)."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client, override_settings
from django.urls import reverse

from myotome.clinic.accounts.clinics import SESSION_KEY
from myotome.clinic.accounts.middleware import LAST_SEEN
from myotome.clinic.accounts.models import Membership, Role
from myotome.clinic.audit.models import Action, AuditEvent

from .conftest import OUTSIDE_ADDRESS, PASSWORD, World

LOGIN = "/accounts/login/"


def _login(client: Client, username: str, password: str) -> object:
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_page_uses_djangos_standard_fields(world: World) -> None:
    page = Client().get(LOGIN).content.decode()
    assert 'name="username"' in page and 'name="password"' in page and 'name="csrfmiddlewaretoken"' in page


def test_passwords_are_hashed_with_argon2(world: World) -> None:
    assert identify_hasher(world.alice.password).algorithm == "argon2"


def test_login_succeeds_chooses_the_clinic_and_is_audited_with_the_address(world: World) -> None:
    client = Client(REMOTE_ADDR=OUTSIDE_ADDRESS)
    response = _login(client, "alice", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("day")
    assert client.session[SESSION_KEY] == world.clinic_a.pk
    event = AuditEvent.objects.get(action=Action.LOGIN)
    assert (event.user, event.username, event.remote_addr, event.path) == (world.alice, "alice", OUTSIDE_ADDRESS, LOGIN)
    assert client.get(reverse("day")).status_code == 200


def test_failed_login_is_refused_and_audited_with_the_typed_username(world: World) -> None:
    response = _login(Client(REMOTE_ADDR=OUTSIDE_ADDRESS), "alice", "wrong password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert (event.user, event.username, event.remote_addr) == (None, "alice", OUTSIDE_ADDRESS)
    assert event.detail == "failure 1 of 5"


def test_logout_is_post_only_and_audited(world: World) -> None:
    client = world.client("alice")
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert AuditEvent.objects.filter(action=Action.LOGOUT, user=world.alice).exists()
    assert client.get(reverse("day")).status_code == 302


@override_settings(IDLE_MINUTES=30)
def test_an_idle_session_is_signed_out_and_sent_to_login(world: World) -> None:
    client = world.client("alice")
    assert client.get(reverse("day")).status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    url = reverse("patients:detail", args=[world.patient.pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == f"{LOGIN}?next={url}"
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action=Action.LOGOUT)
    assert (event.user, event.detail) == (world.alice, "idle timeout")
    assert "without activity" in client.get(LOGIN).content.decode()


@override_settings(IDLE_MINUTES=30)
def test_an_active_session_stays_signed_in(world: World) -> None:
    client = world.client("alice")
    client.get(reverse("day"))
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 29 * 60
    session.save()
    assert client.get(reverse("day")).status_code == 200
    assert client.session[LAST_SEEN] >= int(time.time()) - 5


def test_a_member_of_two_clinics_switches_between_them(world: World) -> None:
    Membership.objects.create(user=world.alice, clinic=world.clinic_b, role=Role.FRONT_DESK)
    client = world.client("alice")
    assert "Quennell" in client.get(reverse("patients:list")).content.decode()
    response = client.post(reverse("accounts:switch_clinic"), {"clinic": world.clinic_b.pk})
    assert response.status_code == 302 and response["Location"] == reverse("day")
    listing = client.get(reverse("patients:list")).content.decode()
    assert "Zabriskie" in listing and "Quennell" not in listing
    # In clinic B Alice is front desk: the role follows the active clinic.
    assert client.get(reverse("patients:episode", args=[world.other_episode.pk])).status_code == 403
    assert client.get(reverse("patients:detail", args=[world.patient.pk])).status_code == 404


@pytest.mark.parametrize("clinic", ["b", "missing", "junk"])
def test_switching_to_a_clinic_one_is_not_a_member_of_is_a_404(world: World, clinic: str) -> None:
    value = {"b": str(world.clinic_b.pk), "missing": "999999", "junk": "x"}[clinic]
    client = world.client("alice")
    assert client.post(reverse("accounts:switch_clinic"), {"clinic": value}).status_code == 404
    assert client.session[SESSION_KEY] == world.clinic_a.pk


def test_a_revoked_membership_takes_effect_on_the_next_request(world: World) -> None:
    client = world.client("bob")
    assert client.get(reverse("patients:detail", args=[world.patient.pk])).status_code == 200
    Membership.objects.filter(user=world.bob).delete()
    assert client.get(reverse("patients:detail", args=[world.patient.pk])).status_code == 403
