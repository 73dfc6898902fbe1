"""Saving a create form once: the second post of the same form finds the first save.

A create form carries a one-time token (a hidden ``submission`` input). The first post
that saves stores the token beside the new record; a repeat of the same post (a double
click, a browser resending) finds it and answers with the record already made, and a
post of *different* content under a used token (the Back button, an edit, Save again)
is refused rather than guessed at::

    token = submissions.posted_token(request) or submissions.new_token()   # for the page
    saved = submissions.save_once(request, token, "consent", lambda: _create(...))
    if saved.conflict: ...re-render with a fresh token and saved.conflict as the message
    return redirect(..., pk=saved.record_id)

Concurrent posts are safe on both databases: SQLite's IMMEDIATE transactions run one at a
time, so the second sees the first's token; on PostgreSQL the token's unique index makes
the later insert wait for the first and fail, and its whole transaction (record and audit
row) is rolled back before the first save is looked up.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, models, transaction
from django.http import HttpRequest

from myotome.clinic.patients.models import Submission

FIELD = "submission"
ALREADY_SAVED = "This form had already been saved: here is what it saved. Nothing was added."
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
# What a browser posts that is not the content: the CSRF token may be rotated between clicks.
_NOT_CONTENT = frozenset({FIELD, "csrfmiddlewaretoken"})


@dataclass(frozen=True)
class Saved:
    record_id: int
    repeated: bool = False  # the same form and content was saved before: nothing new was added
    conflict: str = ""  # the token was used before for different content: nothing was saved


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 32 characters


def posted_token(request: HttpRequest) -> str | None:
    """The token the form carried, or None (a form without one, or a value no page ever issued)."""
    raw = request.POST.get(FIELD, "") if request.method == "POST" else ""
    return raw if _TOKEN.fullmatch(raw) else None


def fingerprint(request: HttpRequest) -> str:
    """A hash of the posted content, so that a repeat can be told from a changed form."""
    digest = hashlib.sha256()
    for name in sorted(set(request.POST) - _NOT_CONTENT):
        for value in request.POST.getlist(name):
            digest.update(f"{len(name)}:{name}={len(value)}:{value};".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def save_once(request: HttpRequest, token: str | None, record_type: str, create: Callable[[], models.Model]) -> Saved:
    """Run ``create`` (which writes the record and its audit row) unless ``token`` was saved before."""
    if token is None:
        with transaction.atomic():
            return Saved(create().pk)
    content = fingerprint(request)
    try:
        with transaction.atomic():
            first = Submission.objects.filter(token=token).first()
            if first is None:
                record = create()
                Submission.objects.create(token=token, user=request.user, record_type=record_type, record_id=record.pk, fingerprint=content)
                return Saved(record.pk)
    except IntegrityError:
        # Another post of this token committed while this one ran: this one was rolled back.
        first = Submission.objects.filter(token=token).first()
        if first is None:
            raise
    if first.user_id != request.user.pk or first.record_type != record_type:
        return Saved(first.record_id, conflict="This form was already used; reload the page and enter it again.")
    if first.fingerprint != content:
        return Saved(
            first.record_id,
            conflict="This form was already saved, with different details; nothing was changed. "
            "To change the saved record, open it and edit it; to add another, save this form again.",
        )
    return Saved(first.record_id, repeated=True)
