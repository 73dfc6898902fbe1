"""How ``myotome serve`` runs the clinic: granian, one worker process per core.

Why granian (docs/deployment.md, "Workers", says the same for operators): one Python process
serves on one core at a time (the interpreter lock), so a clinic on a 2-core machine needs
two processes to use both. gunicorn would do on Linux and macOS but does not run on Windows
at all, which would leave a second code path (waitress) untested here; granian runs on all
three from one code path, answers HTTP in Rust outside the interpreter lock, replaces its
workers one at a time on SIGHUP, writes an access log whose format we choose (the path
without its query string), and has no C toolchain to install (wheels on PyPI). On Windows
granian runs one worker (its own limitation, said at start), with threads as waitress did.

Workers are *spawned*, not forked, on every platform: a fresh interpreter imports the code
that is on disk, so SIGHUP after an upgrade loads the new release, and no worker inherits
the master's database connections, locks or threads (the master closes its connections
anyway before starting them). The same model runs here and on macOS and Windows, where
spawning is the default.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

from myotome.clinic.logs import ACCESS_FORMAT, logging_config

TARGET = "myotome.clinic.wsgi:application"
WINDOWS = sys.platform == "win32"
# Threads per worker, when --threads is not given. On SQLite a page runs in the worker's process from
# start to end, so a second thread only contends for the interpreter lock: one thread a worker answered
# 76-85 requests/s where four answered 68-74 (bench/load.py --until plan, 2 cores, run in turn).
# PostgreSQL answers over a socket and waits for each commit to reach disk: threads overlap those waits
# (with one thread a worker sat idle through them, 20 requests/s while the server wrote). A single worker
# (Windows, or --workers 1) has threads on any database, so one slow page does not hold every other.
SQLITE_THREADS = 1
THREADS = 4
# A worker finishing its requests on SIGTERM or SIGHUP gets this long before it is killed.
KILL_TIMEOUT_SECONDS = 30
# Connections each worker holds at once. granian's "backpressure" counts accepted connections, not requests
# in flight, and a browser keeps its connection open between pages (idle, for minutes): sized by the threads,
# eight idle browsers would keep every other clinician out until granian dropped one 30 s later.
CONNECTIONS_PER_WORKER = 256
# After SIGHUP a new worker starts this long before the old one is told to stop: time for Django to load.
RESPAWN_SECONDS = 3.5


def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Plan:
    """What ``serve`` will run: said to the operator before it starts, and reported by ``doctor``."""

    workers: int
    threads: int
    note: str | None = None  # why the plan differs from what was asked

    def describe(self) -> str:
        return (
            f"granian, {self.workers} worker process{'es' if self.workers != 1 else ''} "
            f"with {self.threads} thread{'s' if self.threads != 1 else ''} each"
        )


def plan(workers: int | None, threads: int | None, sqlite: bool) -> Plan:
    """The workers and threads to run: ``workers`` (None: one per core), and what Windows allows;
    ``threads`` (None: the default for the database and the number of workers)."""
    wanted = workers if workers is not None else cores()
    run = 1 if WINDOWS else wanted
    if threads is None:
        threads = SQLITE_THREADS if sqlite and run > 1 else THREADS
    if run != wanted:
        return Plan(run, threads, f"granian runs one worker process on Windows; {wanted} were asked for")
    return Plan(wanted, threads)


def run(host: str, port: int, served: Plan, listening: Callable[[], object]) -> None:
    """Serve until stopped (SIGINT or SIGTERM); SIGHUP replaces the workers one at a time.

    ``listening`` is called once the port accepts connections (on Linux each worker binds
    it itself, so that is when the first worker is up), to say that the server is running.
    """
    from django.db import connections
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    # The master only supervises: it must hold no database connection (nor a SQLite file handle) while workers run.
    connections.close_all()
    multiprocessing.set_start_method("spawn", force=True)
    server = Server(
        TARGET,
        address=host.removeprefix("[").removesuffix("]"),
        port=port,
        interface=Interfaces.WSGI,
        workers=served.workers,
        # Each worker runs the app on this many threads; requests beyond them wait in the worker for a free one.
        blocking_threads=served.threads,
        backpressure=CONNECTIONS_PER_WORKER,
        respawn_failed_workers=True,  # a crashed worker is replaced, not the end of the server
        respawn_interval=RESPAWN_SECONDS,
        workers_kill_timeout=KILL_TIMEOUT_SECONDS,
        websockets=False,
        log_level=LogLevels.info,
        log_dictconfig=logging_config(),
        log_access=True,
        log_access_format=ACCESS_FORMAT,
    )
    server.on_startup(lambda: _when_accepting(host, port, listening))
    server.serve()


def _when_accepting(host: str, port: int, then: Callable[[], object], timeout: float = 120) -> None:
    """Call ``then`` from a background thread as soon as a connection to the port succeeds."""
    import socket
    import threading
    import time

    bare = host.removeprefix("[").removesuffix("]")
    target = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(bare, bare)

    def probe() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection((target, port), timeout=1).close()
            except OSError:
                time.sleep(0.05)
                continue
            then()
            return

    threading.Thread(target=probe, name="myotome-listening", daemon=True).start()
