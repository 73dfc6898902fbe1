"""The second factor: enrolment with a QR code, the code step at sign-in, recovery codes,
the requirement for clinic admins, resets, and the secret sealed at rest.

Codes come from pyotp for a fixed clock (``clock`` fixture), so no test depends on when it runs.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from typer.testing import CliRunner

from myotome.clinic.accounts import devices
from myotome.clinic.accounts.signin import PENDING_KEY
from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.mfa import recovery, sealing, totp
from myotome.clinic.mfa.models import RecoveryCode, TotpDevice

from .conftest import ERIN_TOTP_SECRET, OUTSIDE_ADDRESS, PASSWORD, World

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
SETUP = "/accounts/second-factor/set-up/"
NOW = 1_800_000_000.0  # a fixed instant for the codes' clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(totp, "_now", lambda: NOW)
    return NOW


@pytest.fixture(autouse=True)
def _fast(fast_passwords: None) -> None:
    """Sign-ins here are many (see conftest.fast_passwords)."""


def _code(secret: str, steps_from_now: int = 0) -> str:
    return pyotp.TOTP(secret).at(NOW + 30 * steps_from_now)


def _enrol(world: World, who: str, clock: float) -> tuple[Client, str, list[str]]:
    """Set up an authenticator app as ``who`` (code of the previous step); the secret and recovery codes."""
    client = world.client(who)
    page = client.get(SETUP).content.decode()
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")  # type: ignore[union-attr]
    shown = client.post(SETUP, {"code": _code(secret, -1)})
    assert shown.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-z-]{19})</code></li>", shown.content.decode())
    return client, secret, codes


def _password_step(username: str, client: Client | None = None) -> Client:
    client = client or Client(REMOTE_ADDR=OUTSIDE_ADDRESS)
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == CODE
    return client


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# -- enrolment ------------------------------------------------------------------------------


def test_enrolment_shows_an_inline_svg_qr_code_and_the_secret_as_text(world: World, clock: float) -> None:
    response = world.client("alice").get(SETUP)
    page = response.content.decode()
    device = TotpDevice.objects.get(user=world.alice)
    secret = totp.secret(device)
    assert device.confirmed_at is None  # pending until a code proves it
    assert '<img src="data:image/svg+xml;' in page
    assert f'<code id="totp-secret">{totp.grouped(secret)}</code>' in page
    # The app's CSP forbids inline script and style; data: images are allowed.
    assert "<script" not in page and "style=" not in page and "img-src 'self' data:" in response["Content-Security-Policy"]
    assert totp.provisioning_uri(device).startswith("otpauth://totp/Myotome:alice?secret=")


def test_a_right_code_turns_it_on_and_shows_ten_recovery_codes_once(world: World, clock: float) -> None:
    client, _, codes = _enrol(world, "alice", clock)
    assert TotpDevice.objects.get(user=world.alice).confirmed_at is not None
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=world.alice).values_list("digest", flat=True))
    assert len(stored) == 10 and not set(stored) & ({c.replace("-", "") for c in codes} | set(codes))  # hashed, not readable
    event = AuditEvent.objects.get(record_type="second_factor", action=Action.CREATE)
    assert (event.user, event.record_id) == (world.alice, str(world.alice.pk))
    account = client.get(reverse("accounts:account")).content.decode()
    assert "10 unused recovery codes" in account and not any(code in account for code in codes)


def test_a_wrong_code_does_not_turn_it_on(world: World, clock: float) -> None:
    client = world.client("alice")
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert response.status_code == 200 and "That code does not match" in response.content.decode()
    assert TotpDevice.objects.get(user=world.alice).confirmed_at is None


def test_the_secret_is_sealed_in_the_database(world: World, clock: float) -> None:
    _, secret, _ = _enrol(world, "alice", clock)
    sealed = TotpDevice.objects.get(user=world.alice).sealed_secret
    assert secret not in sealed and sealing.unseal(sealed) == secret
    assert not any(secret in str(s.get_decoded()) for s in Session.objects.all())


def test_a_sealed_secret_opens_after_the_secret_key_is_rotated_and_not_with_another_key(world: World, settings: Any) -> None:
    sealed = sealing.seal("JBSWY3DPEHPK3PXP")
    old_key = settings.SECRET_KEY
    with override_settings(SECRET_KEY="n" * 50, SECRET_KEY_FALLBACKS=[old_key]):
        assert sealing.unseal(sealed) == "JBSWY3DPEHPK3PXP"
    with override_settings(SECRET_KEY="n" * 50, SECRET_KEY_FALLBACKS=[]), pytest.raises(sealing.SealError, match="cannot be opened"):
        sealing.unseal(sealed)


# -- signing in -----------------------------------------------------------------------------


def test_after_the_password_the_session_holds_no_user_until_the_code(world: World, clock: float) -> None:
    _, secret, _ = _enrol(world, "alice", clock)
    client = _password_step("alice")
    assert not _signed_in(client)
    assert client.get(reverse("patients:detail", args=[world.patient.pk])).status_code == 302  # to the login page
    assert not AuditEvent.objects.filter(action=Action.LOGIN, user=world.alice, path=LOGIN).exists()
    response = client.post(CODE, {"code": _code(secret)})
    assert response.status_code == 302 and response["Location"] == reverse("day")
    assert _signed_in(client) and PENDING_KEY not in client.session
    assert client.get(reverse("patients:detail", args=[world.patient.pk])).status_code == 200
    event = AuditEvent.objects.filter(action=Action.LOGIN, user=world.alice).latest("id")
    assert (event.path, event.detail) == (CODE, "second factor: authenticator app")
    assert devices.COOKIE_NAME in client.cookies


def test_a_code_works_once(world: World, clock: float) -> None:
    _, secret, _ = _enrol(world, "alice", clock)
    _password_step("alice").post(CODE, {"code": _code(secret)})
    second = _password_step("alice")
    response = second.post(CODE, {"code": _code(secret)})
    assert response.status_code == 200 and "That code is not right" in response.content.decode()
    assert not _signed_in(second)


def test_a_wrong_code_is_refused_and_audited(world: World, clock: float) -> None:
    _enrol(world, "alice", clock)
    client = _password_step("alice")
    response = client.post(CODE, {"code": "123456"})
    assert response.status_code == 200 and not _signed_in(client)
    event = AuditEvent.objects.get(action=Action.LOGIN_FAILED, record_type="second_factor")
    assert (event.username, event.detail) == ("alice", "wrong code; failure 1 of 5")


def test_code_guesses_are_throttled_and_a_right_password_does_not_reset_the_count(world: World, clock: float) -> None:
    _, secret, _ = _enrol(world, "alice", clock)
    client = _password_step("alice")
    for _ in range(4):
        client.post(CODE, {"code": "123456"})
    # Someone who knows the password signs in again, hoping for a fresh count: there is one guess left.
    client = _password_step("alice", client)
    assert client.post(CODE, {"code": "654321"}).status_code == 200
    locked = client.post(CODE, {"code": _code(secret)})
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "Too many failed sign-ins" in locked.content.decode() and not _signed_in(client)
    assert PENDING_KEY not in client.session


def test_a_recovery_code_signs_in_once_and_is_audited(world: World, clock: float) -> None:
    _, _, codes = _enrol(world, "alice", clock)
    client = _password_step("alice")
    response = client.post(CODE, {"code": codes[3].upper().replace("-", " ")})  # typed loosely
    assert response.status_code == 302 and _signed_in(client)
    used = AuditEvent.objects.get(record_type="recovery_code")
    assert (used.action, used.user, used.detail) == (Action.UPDATE, world.alice, "recovery code used at sign-in; 9 left")
    assert AuditEvent.objects.filter(action=Action.LOGIN, detail="second factor: recovery code, 9 left").exists()
    again = _password_step("alice")
    assert again.post(CODE, {"code": codes[3]}).status_code == 200 and not _signed_in(again)
    assert recovery.remaining(world.alice) == 9


def test_the_code_step_waits_only_a_few_minutes(world: World, clock: float) -> None:
    _, secret, _ = _enrol(world, "alice", clock)
    client = _password_step("alice")
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "at": int(time.time()) - 6 * 60}
    session.save()
    response = client.post(CODE, {"code": _code(secret)})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login") and not _signed_in(client)


def test_the_code_step_without_a_password_first_goes_back_to_the_login_page(world: World) -> None:
    response = Client().post(CODE, {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")


def test_a_session_that_skipped_the_code_step_is_signed_out(world: World) -> None:
    """No path to login() can skip the second factor: a session without the proof is ended."""
    client = Client(REMOTE_ADDR=OUTSIDE_ADDRESS)
    client.force_login(world.erin)  # login() without the code step
    response = client.get(reverse("day"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not _signed_in(client)
    assert AuditEvent.objects.filter(action=Action.LOGOUT, user=world.erin, detail="second factor not verified in this session").exists()


def test_the_admin_login_asks_for_the_second_factor_too(world: World, clock: float) -> None:
    world.erin.is_staff = True
    world.erin.save()
    client = Client(REMOTE_ADDR=OUTSIDE_ADDRESS)
    response = client.post("/admin/login/", {"username": "erin", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == CODE and not _signed_in(client)
    done = client.post(CODE, {"code": _code(ERIN_TOTP_SECRET)})
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# -- who must have it -------------------------------------------------------------------------


def test_a_clinic_admin_without_an_app_must_set_one_up_before_anything_else(world: World, clock: float) -> None:
    TotpDevice.objects.filter(user=world.erin).delete()
    client = Client(REMOTE_ADDR=OUTSIDE_ADDRESS)
    signed_in = client.post(LOGIN, {"username": "erin", "password": PASSWORD})
    assert signed_in.status_code == 302 and _signed_in(client)
    for url in [reverse("day"), reverse("patients:list"), reverse("audit:log"), reverse("accounts:members"), reverse("accounts:account")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == SETUP, url
    page = client.get(SETUP).content.decode()
    assert "Your role needs a second factor" in page
    secret = totp.secret(TotpDevice.objects.get(user=world.erin))
    client.post(SETUP, {"code": _code(secret)})
    assert client.get(reverse("audit:log")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_staff_must_have_a_second_factor_too(world: World) -> None:
    world.alice.is_staff = True
    world.alice.save()
    response = world.client("alice").get(reverse("day"))
    assert response.status_code == 302 and response["Location"] == SETUP


def test_a_clinician_need_not_have_one(world: World) -> None:
    assert world.client("alice").get(reverse("day")).status_code == 200
    page = world.client("alice").get(reverse("accounts:account")).content.decode()
    assert "Off: you sign in with your password alone." in page and reverse("mfa:setup") in page


def test_the_account_page_is_linked_from_the_header(world: World) -> None:
    page = world.client("alice").get(reverse("day")).content.decode()
    assert f'href="{reverse("accounts:account")}"' in page


# -- renewing, turning off, resetting ---------------------------------------------------------


def test_new_recovery_codes_need_a_code_and_replace_the_old_ones(world: World, clock: float) -> None:
    client, secret, old = _enrol(world, "alice", clock)
    refused = client.post(reverse("mfa:recovery_codes"), {"code": "000000"})
    assert refused.status_code == 302 and recovery.remaining(world.alice) == 10
    assert AuditEvent.objects.filter(action=Action.DENIED, record_type="second_factor").exists()
    page = client.post(reverse("mfa:recovery_codes"), {"code": _code(secret)}).content.decode()
    new = re.findall(r"<li><code>([0-9a-z-]{19})</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert not recovery.use(world.alice, old[0]) and recovery.use(world.alice, new[0])
    assert AuditEvent.objects.filter(action=Action.UPDATE, record_type="second_factor", user=world.alice).exists()


def test_a_clinician_turns_it_off_with_a_code(world: World, clock: float) -> None:
    client, secret, _ = _enrol(world, "alice", clock)
    response = client.post(reverse("mfa:turn_off"), {"code": _code(secret)})
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(user=world.alice).exists() and not RecoveryCode.objects.filter(user=world.alice).exists()
    event = AuditEvent.objects.get(action=Action.DELETE, record_type="second_factor")
    assert (event.user, event.detail) == (world.alice, "second factor turned off by its owner")
    assert Client(REMOTE_ADDR=OUTSIDE_ADDRESS).post(LOGIN, {"username": "alice", "password": PASSWORD})["Location"] == reverse("day")


def test_a_clinic_admin_cannot_turn_it_off(world: World, clock: float) -> None:
    client = world.client("erin")
    response = client.post(reverse("mfa:turn_off"), {"code": _code(ERIN_TOTP_SECRET)}, follow=True)
    assert "cannot be turned off" in response.content.decode()
    assert TotpDevice.objects.filter(user=world.erin).exists()


def test_a_clinic_admin_resets_a_members_lost_phone(world: World, clock: float) -> None:
    _enrol(world, "bob", clock)
    client = world.client("erin")
    page = client.get(reverse("accounts:members")).content.decode()
    assert reverse("accounts:reset_second_factor", args=[world.bob.pk]) in page
    response = client.post(reverse("accounts:reset_second_factor", args=[world.bob.pk]))
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(user=world.bob).exists() and not RecoveryCode.objects.filter(user=world.bob).exists()
    event = AuditEvent.objects.get(action=Action.DELETE, record_type="second_factor")
    assert (event.user, event.record_id, event.clinic) == (world.erin, str(world.bob.pk), world.clinic_a)


def test_a_clinic_admin_cannot_reset_someone_outside_the_clinic(world: World) -> None:
    TotpDevice.objects.create(user=world.charlie, sealed_secret=sealing.seal(ERIN_TOTP_SECRET))
    assert world.client("erin").post(reverse("accounts:reset_second_factor", args=[world.charlie.pk])).status_code == 404
    assert world.client("alice").post(reverse("accounts:reset_second_factor", args=[world.bob.pk])).status_code == 403
    assert TotpDevice.objects.filter(user=world.charlie).exists()


def test_myotome_reset_second_factor_removes_it_and_is_audited(world: World) -> None:
    from myotome.cli.commands import app

    result = CliRunner().invoke(app, ["reset-second-factor", "erin"])
    assert result.exit_code == 0, result.output
    assert "erin's authenticator app and recovery codes are removed" in result.output
    assert not TotpDevice.objects.filter(user=world.erin).exists()
    event = AuditEvent.objects.get(action=Action.DELETE, record_type="second_factor")
    assert event.record_id == str(world.erin.pk) and "myotome reset-second-factor" in event.detail
