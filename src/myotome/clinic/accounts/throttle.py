"""Login throttling: after N failures for one username from one address, lock that pair.

The lock lives in the authentication backend, so every way in (the login page, the
admin's login) is throttled; the login form only turns it into a clear message::

    record_failure("alice", "10.0.0.5")
    locked_until("alice", "10.0.0.5")   # a datetime once the limit is reached
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from myotome.clinic.accounts.models import LoginThrottle
from myotome.clinic.audit.record import client_address


def _key(username: str | None, remote_addr: str | None) -> tuple[str, str]:
    return (username or "").strip().lower()[:150], (remote_addr or "unknown")[:64]


def locked_until(username: str | None, remote_addr: str | None) -> datetime | None:
    """When the lock on this username and address ends, or None if it is not locked."""
    name, addr = _key(username, remote_addr)
    until = LoginThrottle.objects.filter(username=name, remote_addr=addr).values_list("locked_until", flat=True).first()
    return until if until and until > timezone.now() else None


def record_failure(username: str | None, remote_addr: str | None) -> LoginThrottle:
    """Count one failed login; lock the pair when the limit is reached.

    Failures older than the lock period are forgotten, so an occasional typo over
    weeks never locks anyone out. A failure while locked does not extend the lock.
    """
    name, addr = _key(username, remote_addr)
    now = timezone.now()
    window = timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    with transaction.atomic():
        counter = _counter_for_update(name, addr, now)
        if counter.locked_until and counter.locked_until > now:
            return counter
        if counter.last_failure_at < now - window or counter.locked_until:
            counter.failures, counter.locked_until = 0, None
        counter.failures += 1
        counter.last_failure_at = now
        if counter.failures >= settings.LOGIN_FAILURE_LIMIT:
            counter.locked_until = now + window
        counter.save()
    return counter


def _counter_for_update(name: str, addr: str, now: datetime) -> LoginThrottle:
    """The row for this pair, locked for update; created if missing (race-safe)."""
    rows = LoginThrottle.objects.select_for_update()
    try:
        return rows.get(username=name, remote_addr=addr)
    except LoginThrottle.DoesNotExist:
        pass
    try:
        with transaction.atomic():
            return LoginThrottle.objects.create(username=name, remote_addr=addr, failures=0, last_failure_at=now)
    except IntegrityError:  # another request created it first
        return rows.get(username=name, remote_addr=addr)


def clear(username: str | None, remote_addr: str | None) -> None:
    name, addr = _key(username, remote_addr)
    LoginThrottle.objects.filter(username=name, remote_addr=addr).delete()


class ThrottledModelBackend(ModelBackend):
    """Django's model backend that refuses a locked username+address before checking the password."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any) -> Any:
        if request is not None and locked_until(username, client_address(request)):
            # PermissionDenied stops authenticate() and sends user_login_failed.
            raise PermissionDenied("locked")
        return super().authenticate(request, username=username, password=password, **kwargs)
