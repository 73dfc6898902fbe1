"""``/healthz`` for load balancers, and a plain 503 page when the database cannot answer.

``/healthz`` needs no sign-in and shows no data: 200 when the database takes a query (on
SQLite, also its write lock, so a locked or read-only file fails it), 503 when not; the cause
goes to the log, not to whoever asks.

Any page whose request meets an unavailable database (a closed port, PostgreSQL stopped or
refusing connections, SQLite locked past its timeout, a full disk) answers 503 with a plain
page and ``Retry-After``, never a traceback. Nothing is half-written: every view that writes
several rows does so in one transaction, which the database rolls back, and Django closes a
connection that failed, so the next request opens a new one and pages come back by themselves
when the cause goes.
"""

from __future__ import annotations

import errno
import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as django_server_error

log = logging.getLogger("myotome.health")

RETRY_AFTER_SECONDS = 30
# Errors of the machine rather than of the code: a full disk, a read-only file system, a quota.
FULL_OR_READ_ONLY = {errno.ENOSPC, errno.EROFS, errno.EDQUOT}


def is_unavailable(exc: BaseException | None) -> bool:
    """Whether an exception means "the database or the disk cannot serve now", not a bug."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, OSError) and exc.errno in FULL_OR_READ_ONLY


def unavailable_page() -> HttpResponse:
    """The 503 page: a static template, no context processors (they would query the database)."""
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 for an unavailable database or disk, Django's plain 500 page for anything else.

    Django calls it from inside its ``except`` block for any exception in a view or a
    middleware, so the exception is the one being handled.
    """
    if is_unavailable(sys.exc_info()[1]):
        return unavailable_page()
    return django_server_error(request)


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 {"status": "ok"} when the database answers; 503 {"status": "unavailable"} when it does not."""
    try:
        check_database()
    except DatabaseError as exc:
        log.warning("health check: the database does not answer (%s: %s)", type(exc).__name__, exc)
        response = JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok", "database": "ok"})


def check_database() -> None:
    """Query the database; on SQLite also take and give back the write lock. Raises DatabaseError."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite" and connection.get_autocommit():
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("ROLLBACK")
        cursor.execute("SELECT 1")
