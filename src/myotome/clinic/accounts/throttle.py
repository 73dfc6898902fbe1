"""Sign-in throttling that parallel requests cannot beat.

Every guess (a password, a second-factor code) first reserves a slot in its counters, in
one transaction that locks the counter rows (``SELECT ... FOR UPDATE`` on PostgreSQL; an
``IMMEDIATE`` transaction on SQLite). Only then is the guess checked, with no lock held.
A right guess gives its slot back; a wrong one leaves it counted. So however many
requests arrive at once, no more guesses are checked than the limit allows::

    attempt = begin(request, user)   # raises Locked, saying until when, before any check
    if right:
        attempt.release()
    signed_in(request, user)         # a completed sign-in clears the account's count

Which counters a guess reserves (OWASP's device-cookie scheme):

- from a browser holding this user's device cookie (see devices.py): that device's own
  counter only, so lock-outs caused by others never keep a user out of their own computer,
  while a stolen cookie still gets only a few guesses;
- from any other browser: the account's counter (guesses from everywhere add up, however
  many addresses an attacker has) and the client address's counter (across all accounts,
  sized for a whole clinic behind one NAT).

A username that does not exist gets no account counter (the table must not grow with
every name an attacker types); its guesses still count against the address. A device
counter that reached its limit makes that browser unknown again until the lock ends.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from myotome.clinic.accounts import devices
from myotome.clinic.accounts.models import Scope, SignInCounter
from myotome.clinic.audit.record import client_address

Key = tuple[str, str]  # (scope, key)


class Locked(Exception):
    """A guess refused without being checked: one of its counters is locked."""

    def __init__(self, scope: str, until: datetime, now: datetime):
        self.scope = scope
        self.until = until
        self.retry_after = max(1, math.ceil((until - now).total_seconds()))
        super().__init__(self.message)

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))

    @property
    def message(self) -> str:
        wait = f"Try again in {self.minutes} minute{'s' if self.minutes != 1 else ''}"
        if self.scope == Scope.ADDRESS:
            return f"Too many failed sign-ins from this network address. {wait}."
        return (
            "Too many failed sign-ins for this account from computers it has not signed in on before. "
            f"{wait}, sign in on a computer you have used before, or ask your clinic admin to unlock it."
        )


@dataclass
class Attempt:
    """One reserved guess: the counters it holds a slot in, and their counts after reserving."""

    keys: list[Key]
    counts: dict[str, int] = field(default_factory=dict)
    locked_now: bool = False  # this guess used the last slot of some counter
    released: bool = False

    @property
    def recognised_device(self) -> bool:
        return any(scope == Scope.DEVICE for scope, _ in self.keys)

    def release(self) -> None:
        """The guess was right: give its slots back (a row that falls to zero is deleted)."""
        if self.released:
            return
        self.released = True
        with transaction.atomic():
            for scope, key in self.keys:
                row = SignInCounter.objects.select_for_update().filter(scope=scope, key=key).first()
                if row is None:  # unlocked by an admin meanwhile
                    continue
                if row.failures <= 1:
                    row.delete()
                    continue
                row.failures -= 1
                if row.failures < limit(scope):
                    row.locked_until = None
                row.save(update_fields=["failures", "locked_until"])

    def describe(self) -> str:
        """For the audit log: where this guess stands, e.g. 'failure 3 of 5'."""
        if Scope.DEVICE in self.counts:
            text = f"failure {self.counts[Scope.DEVICE]} of {limit(Scope.DEVICE)} on a recognised browser"
        elif Scope.ACCOUNT in self.counts:
            text = f"failure {self.counts[Scope.ACCOUNT]} of {limit(Scope.ACCOUNT)}"
        else:
            text = f"unknown username; failure {self.counts.get(Scope.ADDRESS, 0)} of {limit(Scope.ADDRESS)} from this address"
        return text + ("; locked" if self.locked_now else "")


def limit(scope: str) -> int:
    if scope == Scope.ADDRESS:
        return int(settings.LOGIN_ADDRESS_FAILURE_LIMIT)
    return int(settings.LOGIN_FAILURE_LIMIT)


def _window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


def address_key(request: HttpRequest | None) -> str:
    """The client address; for IPv6 its /64, since one host may hold the whole prefix."""
    raw = client_address(request)
    if raw is None:
        return "unknown"
    address = ipaddress.ip_address(raw)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _account_key(user: Any) -> Key:
    return (Scope.ACCOUNT, str(user.pk))


def _device_key(user: Any, nonce: str) -> Key:
    return (Scope.DEVICE, f"{user.pk}:{nonce}")


def _row_for_update(scope: str, key: str, now: datetime) -> SignInCounter:
    """The counter row, locked until the transaction ends; created if missing (race-safe:
    a concurrent insert of the same row is ignored, then waited for by the lock)."""
    SignInCounter.objects.bulk_create([SignInCounter(scope=scope, key=key, last_failure_at=now)], ignore_conflicts=True)
    return SignInCounter.objects.select_for_update().get(scope=scope, key=key)


def _is_locked(row: SignInCounter, now: datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


def begin(request: HttpRequest | None, user: Any) -> Attempt:
    """Reserve one guess for ``user`` (None: the username does not exist) from this request's browser and address."""
    now = timezone.now()
    expire(now)
    nonce = devices.recognised_nonce(request, user)
    with transaction.atomic():
        if user is not None and nonce is not None:
            device_row = _row_for_update(*_device_key(user, nonce), now)
            if not _is_locked(device_row, now):
                return _reserve([device_row], now)
        # Always account before address: a fixed lock order, so two requests never deadlock.
        keys = ([_account_key(user)] if user is not None else []) + [(Scope.ADDRESS, address_key(request))]
        rows = [_row_for_update(scope, key, now) for scope, key in keys]
        locked = [row for row in rows if _is_locked(row, now)]
        if locked:
            worst = max(locked, key=lambda row: row.locked_until or now)
            raise Locked(worst.scope, worst.locked_until or now, now)  # rolls back: a refused guess is not counted
        return _reserve(rows, now)


def _reserve(rows: list[SignInCounter], now: datetime) -> Attempt:
    attempt = Attempt(keys=[(row.scope, row.key) for row in rows])
    for row in rows:
        # Failures older than the lock period are forgotten: an occasional typo never locks anyone out.
        if row.last_failure_at < now - _window() or row.locked_until is not None:
            row.failures, row.locked_until = 0, None
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= limit(row.scope):
            row.locked_until = now + _window()
            attempt.locked_now = True
        row.save(update_fields=["failures", "last_failure_at", "locked_until"])
        attempt.counts[row.scope] = row.failures
    return attempt


def signed_in(request: HttpRequest | None, user: Any) -> None:
    """A completed sign-in: forget the account's failures and those of this browser."""
    keys = [_account_key(user)]
    nonce = devices.recognised_nonce(request, user)
    if nonce is not None:
        keys.append(_device_key(user, nonce))
    for scope, key in keys:
        SignInCounter.objects.filter(scope=scope, key=key).delete()


def expire(now: datetime | None = None) -> int:
    """Delete counters with no failure in the lock period (such a row is never locked)."""
    now = now or timezone.now()
    with transaction.atomic():
        # Skip rows a sign-in holds right now: deleting them in another order could deadlock.
        stale = SignInCounter.objects.filter(last_failure_at__lt=now - _window()).select_for_update(skip_locked=True)
        ids = list(stale.values_list("pk", flat=True)[:1000])
        if not ids:
            return 0
        deleted, _ = SignInCounter.objects.filter(pk__in=ids).delete()
    return deleted


def locked_accounts(user_ids: list[int]) -> dict[int, datetime]:
    """user id -> end of the account's lock, for those of ``user_ids`` that are locked now."""
    rows = SignInCounter.objects.filter(
        scope=Scope.ACCOUNT, key__in=[str(pk) for pk in user_ids], locked_until__gt=timezone.now()
    ).values_list("key", "locked_until")
    return {int(key): until for key, until in rows if until is not None}


def unlock(user: Any) -> int:
    """Forget the account's failures and those of its recognised browsers; how many locks that lifted."""
    rows = SignInCounter.objects.filter(scope=Scope.ACCOUNT, key=str(user.pk)) | SignInCounter.objects.filter(
        scope=Scope.DEVICE, key__startswith=f"{user.pk}:"
    )
    with transaction.atomic():
        lifted = rows.filter(locked_until__gt=timezone.now()).count()
        rows.delete()
    return lifted
