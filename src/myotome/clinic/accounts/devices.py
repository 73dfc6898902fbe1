"""Device cookies (OWASP's defence against lock-out abuse): a browser where a user has
signed in before is recognised at their next sign-in, and is not held by the lock that
guesses from unknown browsers put on the account.

The cookie is signed with the secret key (Django's signing), names the users it was
issued to with a random nonce each, and expires. One browser may be shared by a clinic's
staff, so it holds up to :data:`MAX_ENTRIES` users::

    nonce = recognised_nonce(request, user)   # None: an unknown browser for this user
    remember(request, response, user)         # after a completed sign-in
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "myotome_device"
SALT = "myotome.clinic.accounts.devices"
MAX_ENTRIES = 10

Entry = tuple[int, str, int]  # user id, nonce, issued at (Unix time)


def _max_age() -> int:
    return int(settings.DEVICE_COOKIE_DAYS) * 24 * 60 * 60


def entries(request: HttpRequest) -> list[Entry]:
    """The unexpired entries of the request's device cookie; none if it is missing, forged or stale."""
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return []
    try:
        data: Any = signing.loads(raw, salt=SALT, max_age=_max_age())
    except (signing.BadSignature, ValueError):
        return []
    oldest = time.time() - _max_age()
    found: list[Entry] = []
    for item in data if isinstance(data, list) else []:
        if (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], int)
            and isinstance(item[1], str)
            and isinstance(item[2], int)
            and item[2] >= oldest
        ):
            found.append((item[0], item[1], item[2]))
    return found


def recognised_nonce(request: HttpRequest | None, user: Any) -> str | None:
    """The nonce this browser holds for ``user``, or None if it was never issued one (or it expired)."""
    if request is None or user is None or user.pk is None:
        return None
    return next((nonce for user_id, nonce, _ in entries(request) if user_id == user.pk), None)


def remember(request: HttpRequest, response: HttpResponse, user: Any) -> None:
    """Issue (or renew, with a fresh nonce) this browser's entry for ``user``."""
    kept = [e for e in entries(request) if e[0] != user.pk][-(MAX_ENTRIES - 1) :]
    kept.append((user.pk, secrets.token_urlsafe(16), int(time.time())))
    response.set_cookie(
        COOKIE_NAME,
        signing.dumps([list(e) for e in kept], salt=SALT, compress=True),
        max_age=_max_age(),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
