"""Sealing TOTP secrets, so that a database dump or backup alone does not hand them out.

Fernet (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package), with a key derived
by HKDF from the Django secret key. Django's SECRET_KEY_FALLBACKS are tried when opening, so
the secret key can be rotated; a secret sealed under a key that is gone cannot be opened and
its owner signs in with a recovery code or has the second factor reset::

    token = seal("JBSWY3DPEHPK3PXP")
    unseal(token)   # "JBSWY3DPEHPK3PXP"
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"myotome.clinic.mfa: TOTP secrets"


class SealError(ValueError):
    """A sealed secret that none of the configured secret keys opens."""


def _fernet_for(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(k) for k in keys])


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode("ascii")


def unseal(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise SealError("this authenticator app's secret cannot be opened with the current secret key") from exc
