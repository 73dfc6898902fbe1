"""Recovery codes: ten single-use codes shown once, stored as SHA-256 digests.

Each code is 16 random characters of Crockford's base32 (80 bits), written in groups of
four. That is far beyond guessing, so a plain digest is enough (a slow password hash would
only slow the sign-in page down); lower case, spaces, dashes and look-alike letters are
forgiven when typed::

    codes = issue(user)          # ["7k2m-…", …]: show them once
    use(user, "7K2M …")          # True once, False afterwards
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from myotome.clinic.mfa.models import RecoveryCode

COUNT = 10
LENGTH = 16
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32: no i, l, o, u
_LOOK_ALIKES = str.maketrans({"i": "1", "l": "1", "o": "0"})


def normalise(typed: str) -> str:
    return "".join(typed.lower().split()).replace("-", "").translate(_LOOK_ALIKES)


def looks_like_a_recovery_code(typed: str) -> bool:
    code = normalise(typed)
    return len(code) == LENGTH and all(c in ALPHABET for c in code)


def _digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def issue(user: Any) -> list[str]:
    """Replace the user's recovery codes with :data:`COUNT` new ones; the only time they are readable."""
    codes = [_new_code() for _ in range(COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create([RecoveryCode(user=user, digest=_digest(code)) for code in codes])
    return codes


def use(user: Any, typed: str) -> bool:
    """Spend one unused code; two requests with the same code cannot both succeed."""
    if not looks_like_a_recovery_code(typed):
        return False
    spent = RecoveryCode.objects.filter(user=user, digest=_digest(typed), used_at__isnull=True).update(used_at=timezone.now())
    return spent == 1


def remaining(user: Any) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
