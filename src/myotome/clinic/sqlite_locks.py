"""How long SQLite writers wait for the write lock, in the log.

SQLite lets one process write at a time. Every write of the clinic (the audit row of each
page view included) runs in a transaction that starts with ``BEGIN IMMEDIATE``, which waits
for the lock (up to ``MYOTOME_SQLITE_TIMEOUT`` seconds) instead of failing with "database is
locked". A single write outside a transaction (an audit row) waits inside its INSERT. This module
times both (the INSERT's time includes its own work, well under a millisecond), and logs
each wait of ``MYOTOME_SQLITE_LOCK_LOG_MS`` or more (default 1000 ms: the sign that the clinic
has outgrown SQLite; 0 logs every write, for a load test to measure). The line holds the wait
and the process id, nothing of the request::

    WARNING myotome.sqlite: write lock waited 1350 ms (pid 4242)
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("myotome.sqlite")


def watch() -> None:
    """Time ``BEGIN`` on every SQLite connection opened from now on in this process."""
    from django.db.backends.signals import connection_created

    connection_created.connect(_install, dispatch_uid="myotome.sqlite_locks")


def _install(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite" and _time_begin not in connection.execute_wrappers:
        connection.execute_wrappers.append(_time_begin)


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _time_begin(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    # A transaction waits in its BEGIN IMMEDIATE; a single write outside one waits inside the statement.
    statement = sql.lstrip()[:7].upper()
    if not (statement.startswith("BEGIN") or (statement.startswith(WRITES) and context["connection"].get_autocommit())):
        return execute(sql, params, many, context)
    from django.conf import settings

    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        waited = (time.perf_counter() - started) * 1000
        if waited >= settings.SQLITE_LOCK_LOG_MS:
            log.warning("write lock waited %.0f ms (pid %d)", waited, os.getpid())
