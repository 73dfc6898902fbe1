"""The authenticator app (TOTP, RFC 6238, by pyotp): enrolment, the QR code, and checking codes.

device = pending_device(user)              # a new secret until the user confirms it
qr_data_uri(provisioning_uri(device))      # an <img src> the app's CSP allows (img-src data:)
confirm(device, "123456")                  # True: the device is now asked for at sign-in
verify(device, "654321")                   # a code works once, within ±30 s of its time
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pyotp
import segno
from django.db import transaction
from django.utils import timezone

from myotome.clinic.mfa import sealing
from myotome.clinic.mfa.models import RecoveryCode, TotpDevice
from myotome.clinic.prepared import Prepared

ISSUER = "Myotome"
# One step either way: a phone's clock may be half a minute off, and a code typed as it
# changes must still work. Wider windows give guessers more codes to hit.
DRIFT_STEPS = 1

log = logging.getLogger(__name__)


def _now() -> float:
    """The clock codes are checked against (tests replace it to make codes deterministic)."""
    return time.time()


# Looked up on every request (compiled once: myotome.clinic.prepared).
_CONFIRMED = Prepared(lambda user_id: TotpDevice.objects.filter(user_id=user_id, confirmed_at__isnull=False).order_by("pk")[:1], int)


def confirmed_device(user: Any) -> TotpDevice | None:
    if user is None or not user.is_authenticated:
        return None
    return _CONFIRMED.first(user.pk)


def pending_device(user: Any) -> TotpDevice:
    """The user's unconfirmed device, created with a new random secret if there is none."""
    device, _ = TotpDevice.objects.get_or_create(user=user, defaults={"sealed_secret": sealing.seal(pyotp.random_base32())})
    return device


def secret(device: TotpDevice) -> str:
    return sealing.unseal(device.sealed_secret)


def grouped(text: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(device: TotpDevice) -> str:
    return pyotp.TOTP(secret(device)).provisioning_uri(name=device.user.get_username(), issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """An SVG QR code as a data: URI (dark on white, so phone cameras read it in dark mode too)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff"))


def verify(device: TotpDevice, code: str, at: float | None = None) -> bool:
    """Whether ``code`` is the device's code for now (±1 step) and that step was not used before."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return False
    try:
        totp = pyotp.TOTP(secret(device))
    except sealing.SealError:
        log.warning("the TOTP secret of user id %s cannot be opened with the current secret key", device.user_id)
        return False
    now_step = totp.timecode(_now() if at is None else at)
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if step <= device.last_used_step:
            continue
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            # Claim the step in the database: the same code sent twice at once succeeds once.
            claimed = TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(last_used_step=step)
            return claimed == 1
    return False


def confirm(device: TotpDevice, code: str) -> bool:
    """Confirm a pending device with a code from the app; False if the code is wrong."""
    if not verify(device, code):
        return False
    TotpDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
    device.refresh_from_db()
    return True


def remove(user: Any) -> bool:
    """Delete the user's authenticator app and recovery codes; whether there was a confirmed one."""
    with transaction.atomic():
        had = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
    return had
