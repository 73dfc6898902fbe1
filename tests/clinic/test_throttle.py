"""Sign-in throttling: per-account locks for unknown browsers, device cookies, the per-address
limit, a bounded counter table, unlocking, and the admin's login page.

Concurrent requests against a real server: test_throttle_concurrency.py.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from myotome.clinic.accounts import devices
from myotome.clinic.accounts.models import Scope, SignInCounter
from myotome.clinic.audit.models import Action, AuditEvent

from .conftest import OUTSIDE_ADDRESS, PASSWORD, World

LOGIN = "/accounts/login/"
COLLEAGUE_ADDRESS = OUTSIDE_ADDRESS  # the clinic's NAT: everyone there shares it
ATTACKER_ADDRESSES = ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5", "198.51.100.6"]


@pytest.fixture(autouse=True)
def _fast(fast_passwords: None) -> None:
    """These tests sign in hundreds of times (see conftest.fast_passwords)."""


def _login(client: Client, username: str, password: str, path: str = LOGIN) -> Any:
    return client.post(path, {"username": username, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _lock(username: str, addresses: list[str] = ATTACKER_ADDRESSES) -> None:
    """Five wrong passwords, each from a different address: the account is locked to unknown browsers."""
    for address in addresses[:5]:
        _login(Client(REMOTE_ADDR=address), username, "wrong password")


def _recognised_browser(username: str) -> Client:
    """A browser where the user signed in (and out) before: it holds their device cookie."""
    client = Client(REMOTE_ADDR=COLLEAGUE_ADDRESS)
    assert _login(client, username, PASSWORD).status_code == 302
    assert devices.COOKIE_NAME in client.cookies
    client.post("/accounts/logout/")
    return client


def test_five_failures_from_many_addresses_lock_the_account_with_429_and_retry_after(world: World) -> None:
    for number, address in enumerate(ATTACKER_ADDRESSES[:4], start=1):
        response = _login(Client(REMOTE_ADDR=address), "alice", "wrong password")
        assert response.status_code == 200 and "Please enter a correct username and password" in response.content.decode()
        assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, detail=f"failure {number} of 5").exists()
    fifth = _login(Client(REMOTE_ADDR=ATTACKER_ADDRESSES[4]), "alice", "wrong password")
    assert fifth.status_code == 200  # the fifth guess was still checked
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, detail="failure 5 of 5; locked").exists()
    # Now even the right password from a sixth address is refused unchecked, and says until when.
    client = Client(REMOTE_ADDR=ATTACKER_ADDRESSES[5])
    locked = _login(client, "alice", PASSWORD)
    assert locked.status_code == 429
    assert 14 * 60 < int(locked["Retry-After"]) <= 15 * 60
    page = locked.content.decode()
    assert "Too many failed sign-ins for this account" in page and "Try again in 15 minutes" in page and "clinic admin" in page
    assert not _signed_in(client)
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, username="alice", detail="refused: account locked").count() == 1
    # Another account is not affected.
    assert _login(Client(REMOTE_ADDR=ATTACKER_ADDRESSES[5]), "bob", PASSWORD).status_code == 302


def test_the_lock_is_a_429_and_never_a_sleep_that_ties_up_a_worker(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_sleeping(seconds: float) -> None:
        raise AssertionError(f"a sign-in request slept {seconds} s on the server")

    monkeypatch.setattr(time, "sleep", no_sleeping)
    for _ in range(5):
        _login(Client(REMOTE_ADDR=OUTSIDE_ADDRESS), "alice", "nope")
    assert [_login(Client(REMOTE_ADDR=OUTSIDE_ADDRESS), "alice", PASSWORD).status_code for _ in range(3)] == [429, 429, 429]


def test_a_browser_that_signed_in_before_is_not_held_by_the_accounts_lock(world: World) -> None:
    own_computer = _recognised_browser("alice")
    _lock("alice")
    assert _login(Client(REMOTE_ADDR=COLLEAGUE_ADDRESS), "alice", PASSWORD).status_code == 429  # a colleague's browser
    assert _login(own_computer, "alice", PASSWORD).status_code == 302
    assert _signed_in(own_computer)


def test_colleagues_behind_one_nat_cannot_lock_each_other_out_of_their_own_computers(world: World) -> None:
    bobs_computer = _recognised_browser("bob")
    for _ in range(5):  # someone at the next desk, same NAT address, guessing Bob's password
        _login(Client(REMOTE_ADDR=COLLEAGUE_ADDRESS), "bob", "guess")
    assert _login(bobs_computer, "bob", PASSWORD).status_code == 302
    # ... and the address is not locked for the rest of the clinic.
    assert _login(Client(REMOTE_ADDR=COLLEAGUE_ADDRESS), "alice", PASSWORD).status_code == 302


def test_a_stolen_device_cookie_gets_only_its_own_few_guesses(world: World) -> None:
    stolen = _recognised_browser("alice")
    for number in range(1, 6):
        assert _login(stolen, "alice", "guess").status_code == 200
        assert AuditEvent.objects.filter(detail__startswith=f"failure {number} of 5 on a recognised browser").exists()
    # The browser is now unknown again: its guesses count against the account, which locks after 5 more.
    for _ in range(5):
        assert _login(stolen, "alice", "guess").status_code == 200
    assert _login(stolen, "alice", PASSWORD).status_code == 429


def test_a_device_cookie_exempts_only_the_user_it_was_issued_to(world: World) -> None:
    alices_computer = _recognised_browser("alice")
    _lock("bob")
    assert _login(alices_computer, "bob", PASSWORD).status_code == 429


@pytest.mark.parametrize("cookie", ["forged", "expired entry", "other salt"])
def test_a_forged_or_expired_device_cookie_is_ignored(world: World, cookie: str) -> None:
    old = int(time.time()) - 91 * 24 * 60 * 60
    value = {
        "forged": "W1sxLCJ4IiwxXV0:1u:forged",
        "expired entry": signing.dumps([[world.alice.pk, "n", old]], salt=devices.SALT, compress=True),
        "other salt": signing.dumps([[world.alice.pk, "n", int(time.time())]], salt="something else"),
    }[cookie]
    _lock("alice")
    client = Client(REMOTE_ADDR=COLLEAGUE_ADDRESS)
    client.cookies[devices.COOKIE_NAME] = value
    assert _login(client, "alice", PASSWORD).status_code == 429


def test_the_device_cookie_is_signed_httponly_and_expires(world: World) -> None:
    client = Client(REMOTE_ADDR=OUTSIDE_ADDRESS)
    _login(client, "alice", PASSWORD)
    cookie = client.cookies[devices.COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 90 * 24 * 60 * 60
    entries = signing.loads(cookie.value, salt=devices.SALT)
    assert [entry[0] for entry in entries] == [world.alice.pk]


def test_a_shared_browser_remembers_several_colleagues(world: World) -> None:
    front_desk_pc = Client(REMOTE_ADDR=COLLEAGUE_ADDRESS)
    for name in ["alice", "bob"]:
        _login(front_desk_pc, name, PASSWORD)
        front_desk_pc.post("/accounts/logout/")
    _lock("alice")
    _lock("bob")
    assert _login(Client(REMOTE_ADDR=COLLEAGUE_ADDRESS), "bob", PASSWORD).status_code == 429  # locked to other browsers
    assert _login(front_desk_pc, "alice", PASSWORD).status_code == 302
    front_desk_pc.post("/accounts/logout/")
    assert _login(front_desk_pc, "bob", PASSWORD).status_code == 302


@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=3)
def test_the_address_limit_spans_accounts_and_unknown_usernames(world: World) -> None:
    for name in ["alice", "nobody", "bob"]:
        assert _login(Client(REMOTE_ADDR=ATTACKER_ADDRESSES[0]), name, "spray").status_code == 200
    refused = _login(Client(REMOTE_ADDR=ATTACKER_ADDRESSES[0]), "charlie", PASSWORD)
    assert refused.status_code == 429 and "from this network address" in refused.content.decode()
    assert AuditEvent.objects.filter(username="charlie", detail="refused: address locked").exists()
    assert _login(Client(REMOTE_ADDR=ATTACKER_ADDRESSES[1]), "charlie", PASSWORD).status_code == 302


@override_settings(LOGIN_ADDRESS_FAILURE_LIMIT=2)
def test_ipv6_addresses_are_limited_by_their_64_prefix(world: World) -> None:
    _login(Client(REMOTE_ADDR="2001:db8:1:2::1"), "nobody", "x")
    _login(Client(REMOTE_ADDR="2001:db8:1:2::ffff"), "nobody", "x")
    assert _login(Client(REMOTE_ADDR="2001:db8:1:2:aaaa::9"), "alice", PASSWORD).status_code == 429
    assert _login(Client(REMOTE_ADDR="2001:db8:1:3::1"), "alice", PASSWORD).status_code == 302


def test_random_usernames_do_not_grow_the_counter_table(world: World) -> None:
    for _ in range(30):
        _login(Client(REMOTE_ADDR=ATTACKER_ADDRESSES[0]), f"user-{uuid.uuid4().hex}", "x")
    assert list(SignInCounter.objects.values_list("scope", "key", "failures")) == [(Scope.ADDRESS, ATTACKER_ADDRESSES[0], 30)]
    # ... while the attempts are still audited with the name typed.
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, detail__startswith="unknown username").exists()


def test_counters_with_no_recent_failure_are_deleted(world: World) -> None:
    stale = timezone.now() - timedelta(minutes=16)
    SignInCounter.objects.bulk_create(
        [SignInCounter(scope=Scope.ADDRESS, key=f"192.0.2.{n}", failures=3, last_failure_at=stale) for n in range(1, 40)]
    )
    _login(Client(REMOTE_ADDR=ATTACKER_ADDRESSES[0]), "nobody", "x")
    assert list(SignInCounter.objects.values_list("key", flat=True)) == [ATTACKER_ADDRESSES[0]]


def test_the_lock_ends_after_15_minutes_and_success_clears_the_count(world: World) -> None:
    _lock("alice")
    counter = SignInCounter.objects.get(scope=Scope.ACCOUNT, key=str(world.alice.pk))
    assert counter.locked_until - timezone.now() > timedelta(minutes=14)
    SignInCounter.objects.filter(pk=counter.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert _login(Client(REMOTE_ADDR=OUTSIDE_ADDRESS), "alice", PASSWORD).status_code == 302
    assert not SignInCounter.objects.filter(scope=Scope.ACCOUNT).exists()


def test_old_failures_are_forgotten(world: World) -> None:
    for _ in range(4):
        _login(Client(REMOTE_ADDR=OUTSIDE_ADDRESS), "alice", "nope")
    SignInCounter.objects.update(last_failure_at=timezone.now() - timedelta(minutes=14))
    _login(Client(REMOTE_ADDR=OUTSIDE_ADDRESS), "alice", "nope")
    assert SignInCounter.objects.get(scope=Scope.ACCOUNT).failures == 5
    SignInCounter.objects.update(last_failure_at=timezone.now() - timedelta(minutes=16), locked_until=None)
    _login(Client(REMOTE_ADDR=OUTSIDE_ADDRESS), "alice", "nope")
    assert SignInCounter.objects.get(scope=Scope.ACCOUNT).failures == 1


def test_a_right_password_gives_its_slot_back_to_the_address(world: World) -> None:
    for _ in range(3):
        _login(Client(REMOTE_ADDR=OUTSIDE_ADDRESS), "nobody", "x")
    _login(Client(REMOTE_ADDR=OUTSIDE_ADDRESS), "alice", PASSWORD)
    assert SignInCounter.objects.get(scope=Scope.ADDRESS).failures == 3


# -- the admin's login page ---------------------------------------------------------------


def test_the_admin_login_is_the_apps_own_sign_in_throttled_and_audited(world: World) -> None:
    world.alice.is_staff = True
    world.alice.save()
    client = Client(REMOTE_ADDR=OUTSIDE_ADDRESS)
    assert _login(client, "alice", "nope", path="/admin/login/").status_code == 200
    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert (event.username, event.path, event.detail) == ("alice", "/admin/login/", "failure 1 of 5")
    _lock("alice")
    locked = _login(client, "alice", PASSWORD, path="/admin/login/")
    assert locked.status_code == 429 and "Retry-After" in locked and not _signed_in(client)


def test_staff_sign_in_at_the_admin_login_lands_on_the_admin(world: World) -> None:
    world.bob.is_staff = True
    world.bob.save()
    client = Client(REMOTE_ADDR=OUTSIDE_ADDRESS)
    response = _login(client, "bob", PASSWORD, path="/admin/login/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert AuditEvent.objects.filter(action=Action.LOGIN, user=world.bob, path="/admin/login/").exists()


def test_a_signed_in_non_staff_user_at_the_admin_login_is_refused_not_looped(world: World) -> None:
    response = world.client("alice").get("/admin/login/?next=/admin/")
    assert response.status_code == 403


# -- unlocking ------------------------------------------------------------------------------


def test_a_clinic_admin_sees_who_is_locked_and_unlocks_them(world: World) -> None:
    _lock("alice")
    client = world.client("erin")
    page = client.get(reverse("accounts:members")).content.decode()
    assert "alice" in page and "Locked until" in page and "charlie" not in page
    response = client.post(reverse("accounts:unlock", args=[world.alice.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:members")
    assert not SignInCounter.objects.filter(scope=Scope.ACCOUNT).exists()
    event = AuditEvent.objects.get(record_type="login_lock")
    assert (event.action, event.user, event.record_id, event.clinic) == (Action.UPDATE, world.erin, str(world.alice.pk), world.clinic_a)
    assert "1 lock lifted" in event.detail
    assert _login(Client(REMOTE_ADDR=ATTACKER_ADDRESSES[0]), "alice", PASSWORD).status_code == 302


def test_only_members_of_the_admins_own_clinic_can_be_unlocked(world: World) -> None:
    _lock("charlie")
    client = world.client("erin")
    assert client.post(reverse("accounts:unlock", args=[world.charlie.pk])).status_code == 404
    assert client.post(reverse("accounts:unlock", args=[999999])).status_code == 404
    assert client.post(reverse("accounts:unlock", args=[2**70])).status_code == 404  # beyond 64 bits: no OverflowError
    assert AuditEvent.objects.filter(action=Action.DENIED, record_type="user", record_id=str(world.charlie.pk)).exists()
    assert SignInCounter.objects.filter(scope=Scope.ACCOUNT, key=str(world.charlie.pk), locked_until__isnull=False).exists()


@pytest.mark.parametrize("who", ["alice", "dana", "charlie"])
def test_the_members_page_and_unlock_are_for_clinic_admins_only(world: World, who: str) -> None:
    _lock("bob")
    client = world.client(who)
    assert client.get(reverse("accounts:members")).status_code == 403
    assert client.post(reverse("accounts:unlock", args=[world.bob.pk])).status_code in {403, 404}
    assert SignInCounter.objects.filter(scope=Scope.ACCOUNT, key=str(world.bob.pk)).exists()
    assert world.client(None).post(reverse("accounts:unlock", args=[world.bob.pk])).status_code == 302  # to the login page


def test_unlock_is_post_only_and_csrf_protected(world: World) -> None:
    from .conftest import force_login

    _lock("alice")
    url = reverse("accounts:unlock", args=[world.alice.pk])
    assert world.client("erin").get(url).status_code == 405
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=OUTSIDE_ADDRESS)
    force_login(client, world.erin)
    assert client.post(url).status_code == 403
    assert SignInCounter.objects.filter(scope=Scope.ACCOUNT, locked_until__isnull=False).exists()


def test_myotome_unlock_lifts_the_lock_and_is_audited(world: World) -> None:
    from myotome.cli.commands import app

    _lock("alice")
    result = CliRunner().invoke(app, ["unlock", "alice"])
    assert result.exit_code == 0, result.output
    assert "alice can sign in again" in result.output
    assert not SignInCounter.objects.filter(scope=Scope.ACCOUNT).exists()
    event = AuditEvent.objects.get(record_type="login_lock")
    assert event.action == Action.UPDATE and event.record_id == str(world.alice.pk) and "myotome unlock" in event.detail
    missing = CliRunner().invoke(app, ["unlock", "nobody"])
    assert missing.exit_code == 1 and "no user named 'nobody'" in missing.output


def test_a_commands_audit_row_is_kept_when_anonymous_web_requests_are_over_their_limit(world: World, settings: Any) -> None:
    from myotome.cli.commands import app

    settings.AUDIT_ANONYMOUS_PER_HOUR = 0  # every anonymous web event is only counted now
    _lock("alice")
    assert CliRunner().invoke(app, ["unlock", "alice"]).exit_code == 0
    event = AuditEvent.objects.get(record_type="login_lock")
    assert event.path == "myotome unlock" and event.username.startswith("system user ")
