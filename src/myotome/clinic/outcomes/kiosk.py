"""Kiosk links: one questionnaire of one episode, handed to the patient on a clinic device.

    token, link = make_link(episode, "nprs", user, clinic)   # the token is shown once, never stored
    state = find(token)                                      # (link, "open" | "expired" | "used") or None
    spend(link)                                              # True once: the caller then saves the score

The URL holds the token alone (32 random bytes, URL-safe): no patient, episode or measure. Only its
SHA-256 is stored, so a copy of the database cannot open a kiosk.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.utils import timezone

from myotome.clinic.outcomes import service
from myotome.clinic.outcomes.models import KioskLink
from myotome.clinic.patients.models import Episode

State = Literal["open", "expired", "used"]
TOKEN_BYTES = 32
TOKEN_CHARS = 43  # base64url of 32 bytes, unpadded: a path that is not this shape is refused unread


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def make_link(episode: Episode, measure: str, user: Any, clinic: Any) -> tuple[str, KioskLink]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = KioskLink.objects.create(
        token_hash=token_hash(token),
        clinic=clinic,
        episode=episode,
        measure=measure,
        timepoint=service.suggested_timepoint(episode, measure),
        created_by=user,
        expires_at=timezone.now() + timedelta(minutes=settings.KIOSK_LINK_MINUTES),
    )
    return token, link


def well_formed(token: str) -> bool:
    return len(token) == TOKEN_CHARS and all(c.isascii() and (c.isalnum() or c in "-_") for c in token)


def find(token: str) -> tuple[KioskLink, State] | None:
    if not well_formed(token):
        return None
    link = KioskLink.objects.select_related("episode").filter(token_hash=token_hash(token)).first()
    if link is None:
        return None
    if link.used_at is not None:
        return link, "used"
    if link.expires_at <= timezone.now():
        return link, "expired"
    return link, "open"


def spend(link: KioskLink) -> bool:
    """Mark the link used, if it is still open: one conditional UPDATE, so only one submission wins."""
    now = timezone.now()
    return KioskLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now) == 1
