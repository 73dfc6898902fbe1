"""`myotome serve` on every core: worker processes, their restart on SIGHUP, and the access log.

Each test runs a real server in a subprocess with a fresh MYOTOME_HOME on SQLite (the
load test on both databases is test_serve_load.py). Worker processes are found through
Linux's /proc, as an operator would with `ps`.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from myotome.clinic import serving

from .test_commands import MYOTOME, _free_port, _home_env

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds worker processes through Linux's /proc")


def _read(path: str) -> bytes:
    """A /proc file, or nothing if its thread or process ended since it was listed (workers come and go on SIGHUP)."""
    try:
        return Path(path).read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return b""


def _workers(master: int) -> list[int]:
    """The master's worker processes (granian spawns them; multiprocessing's resource tracker is not one)."""
    children = b" ".join(_read(f"/proc/{master}/task/{task}/children") for task in os.listdir(f"/proc/{master}/task"))
    return [int(pid) for pid in children.split() if b"spawn_main" in _read(f"/proc/{int(pid)}/cmdline")]


def _open_files(pid: int) -> list[str]:
    folder = Path(f"/proc/{pid}/fd")
    names = []
    for fd in folder.iterdir():
        try:
            names.append(os.readlink(fd))
        except OSError:  # closed meanwhile
            continue
    return names


class Served:
    """`myotome serve` with its output in a file (a pipe nobody reads would fill and stall the server)."""

    def __init__(self, environment: dict[str, str], *args: str):
        self.log = Path(environment["MYOTOME_HOME"]).with_name("serve.log")
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen([*MYOTOME, "serve", "--port", str(port), *args], env=environment, stdout=log, stderr=log)
        deadline = time.monotonic() + 90
        while "running at" not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError(f"serve did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> str:
        """Stop the server (SIGTERM: workers finish their requests); its whole output."""
        self.process.terminate()
        self.process.wait(timeout=60)
        return self.log.read_text()


@pytest.mark.parametrize(
    ("windows", "cores", "workers", "threads", "sqlite", "expected"),
    [
        (False, 2, None, None, True, (2, 1, None)),  # SQLite: a page is all CPU in the worker; threads only contend
        (False, 8, None, None, True, (8, 1, None)),
        (False, 1, None, None, True, (1, 4, None)),  # one worker: threads, so one slow page does not hold the rest
        (False, 4, 1, None, True, (1, 4, None)),
        (False, 2, None, None, False, (2, 4, None)),  # PostgreSQL: threads overlap the waits for the server
        (False, 2, 3, 2, True, (3, 2, None)),  # what the operator asked for
        (True, 4, None, None, True, (1, 4, "granian runs one worker process on Windows; 4 were asked for")),
        (True, 4, 2, 6, False, (1, 6, "granian runs one worker process on Windows; 2 were asked for")),
    ],
)
def test_workers_and_threads_default_to_what_serves_the_database_best(
    monkeypatch: pytest.MonkeyPatch, windows: bool, cores: int, workers: int | None, threads: int | None, sqlite: bool, expected: tuple
) -> None:
    monkeypatch.setattr(serving, "WINDOWS", windows)
    monkeypatch.setattr(serving, "cores", lambda: cores)
    served = serving.plan(workers, threads, sqlite=sqlite)
    assert (served.workers, served.threads, served.note) == expected


def test_serve_runs_a_worker_per_core_and_the_master_keeps_no_database_open(tmp_path: Path) -> None:
    environment = _home_env(tmp_path / "home")
    server = Served(environment, "--demo")  # --demo: the master migrates and loads data, so it did open the database
    try:
        assert urllib.request.urlopen(f"{server.base}/healthz").status == 200  # a worker opens it
        workers = _workers(server.pid)
        assert len(workers) == serving.cores()
        database = str(tmp_path / "home" / "myotome.sqlite3")
        assert not [name for name in _open_files(server.pid) if name.startswith(database)]
        assert any(name == database for pid in workers for name in _open_files(pid))
    finally:
        output = server.stop()
    cores = serving.cores()
    threads = "1 thread" if cores > 1 else "4 threads"  # SQLite: a thread a worker, unless there is one worker
    assert f"Serving with granian, {cores} worker process{'es' if cores > 1 else ''} with {threads} each; logs to standard error" in output


def test_workers_and_threads_are_chosen_on_the_command_line(tmp_path: Path) -> None:
    server = Served(_home_env(tmp_path / "home"), "--workers", "3", "--threads", "2")
    try:
        assert urllib.request.urlopen(f"{server.base}/accounts/login/").status == 200
        assert len(_workers(server.pid)) == 3
    finally:
        output = server.stop()
    assert "Serving with granian, 3 worker processes with 2 threads each" in output


def test_the_access_log_names_the_path_and_never_the_query_string(tmp_path: Path) -> None:
    server = Served(_home_env(tmp_path / "home"))
    try:
        page = urllib.request.urlopen(f"{server.base}/accounts/login/?next=/patients/&name=Quennell+Ottoline")
        assert page.status == 200
        deadline = time.monotonic() + 30  # the worker writes the line once the response has gone out
        while "granian.access" not in server.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        output = server.stop()
    [line] = [line for line in output.splitlines() if "granian.access" in line]
    assert line.endswith(" ms") and '"GET /accounts/login/ HTTP/1.1" 200 ' in line
    assert "Quennell" not in output and "?" not in line and "next=" not in output


def test_sighup_replaces_every_worker_while_the_server_keeps_answering(tmp_path: Path) -> None:
    server = Served(_home_env(tmp_path / "home"), "--workers", "2")
    statuses: list[int] = []
    dropped: list[str] = []
    try:
        before = set(_workers(server.pid))
        assert len(before) == 2
        os.kill(server.pid, signal.SIGHUP)
        # Ask throughout the replacement (each new worker starts, then the old one stops); bounded in count and time.
        deadline = time.monotonic() + 60
        after: set[int] = set()
        while time.monotonic() < deadline and len(statuses) + len(dropped) < 2000:
            try:
                statuses.append(urllib.request.urlopen(f"{server.base}/healthz", timeout=30).status)
            except (http.client.RemoteDisconnected, ConnectionResetError) as exc:
                dropped.append(type(exc).__name__)  # see below
            after = set(_workers(server.pid))
            if len(after) == 2 and not after & before:
                break
            time.sleep(0.02)
        assert len(after) == 2 and not after & before  # both replaced
        statuses.append(urllib.request.urlopen(f"{server.base}/healthz", timeout=30).status)
    finally:
        output = server.stop()
    assert "HUP signal received, gracefully respawning workers" in output
    # Every answer is a 200: no request was refused (a worker was always listening) and none failed.
    # (How many were asked depends on the machine: a new worker's first answer takes seconds on a busy one.)
    assert set(statuses) == {200} and len(statuses) > 3, output
    # A connection an old worker accepts in the instant it is told to stop can be closed unanswered
    # (docs/deployment.md, "Graceful restart"): at most one per replaced worker, however hard it is pressed.
    assert len(dropped) <= 2, (dropped, output)


def test_idle_keep_alive_connections_do_not_keep_other_clinicians_out(tmp_path: Path) -> None:
    """Browsers keep a connection open between pages (Chromium up to six per site, for minutes). Twenty
    clinicians' idle connections must not use up what a worker accepts: a new one is still answered."""
    server = Served(_home_env(tmp_path / "home"), "--workers", "2", "--threads", "2")
    kept: list[http.client.HTTPConnection] = []
    answers = []
    try:
        port = int(server.base.rsplit(":", 1)[1])
        for _ in range(24):  # three times what the workers have threads for
            # 15 s: far more than /healthz takes, and less than the 30 s after which granian closes an idle connection.
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            try:
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
                answers.append(response.status)
            except TimeoutError:
                answers.append(0)  # accepted by the kernel, never served: every slot was held by an idle connection
            kept.append(connection)  # left open and idle, as a browser leaves it
    finally:
        for connection in kept:
            connection.close()
        server.stop()
    assert answers == [200] * 24
