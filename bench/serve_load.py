"""Requests per second and latency of a real `myotome serve` under a clinic's load mix.

    python bench/serve_load.py [--clients 20] [--seconds 30] [--patients 200] [--workers N] [--threads N]
                               [--database-url postgres://postgres@127.0.0.1:5432/x] [--serve-args "..."]

Loads the demo practice into a new MYOTOME_HOME (SQLite, or a scratch PostgreSQL database
made from --database-url's server and dropped afterwards), starts `myotome serve` on a free
loopback port, signs `--clients` simulated clinicians in and has each loop without think time
over a day's reading and writing: the day page, the patient list, a patient's page and an
episode's page (both audited: each view writes an audit row), and every eighth time a new
patient saved. It prints requests/s and p50/p95/p99 per kind and overall, the failures, and,
on SQLite, how long writers waited for the write lock (from the server's log, written with
MYOTOME_SQLITE_LOCK_LOG_MS=0), and whether "database is locked" appeared. With `--pin` the
load generator runs on the last core only and says so. Prints numbers; asserts nothing
(tests/clinic/test_serve_load.py drives the same mix and asserts).

`--python-path DIR` runs the server from another checkout's src (e.g. the previous release,
to measure "before"); `--serve-args` replaces the worker options, e.g. "--threads 8".
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

DEMO_LOGIN = {"username": "demo", "password": "demo"}
NEW_PATIENT = {"given_name": "Load", "date_of_birth": "1980-02-03", "sex": "female", "phone": "", "email": ""}
SAVE_EVERY = 8
LOCK_WAIT = re.compile(r"myotome\.sqlite: write lock waited (\d+) ms")


# -- a browser on one keep-alive connection -------------------------------------------------------


class Browser:
    """One simulated clinician: a keep-alive HTTP connection and the session's cookies."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile is opened again, once
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                if attempt == 2:
                    raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        text = response.read().decode(errors="replace")
        return response.status, response.headers.get("Location") or text

    def sign_in(self) -> None:
        self.request("GET", "/accounts/login/")
        status, _ = self.request("POST", "/accounts/login/", DEMO_LOGIN)
        if status != 302:
            raise RuntimeError(f"signing in as demo answered {status}")


# -- the load ---------------------------------------------------------------------------------------


@dataclass
class Results:
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: int, elapsed: float) -> None:
        with self.lock:
            self.latencies[kind].append(elapsed)
            self.statuses[status] += 1

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)


def discover(url: str) -> tuple[list[int], list[int]]:
    """Patient and episode ids the demo clinician can open."""
    browser = Browser(url)
    browser.sign_in()
    _, listing = browser.request("GET", "/patients/")
    patients = sorted({int(n) for n in re.findall(r'href="/patients/(\d+)/"', listing)})
    episodes: set[int] = set()
    for pk in patients[:40]:
        _, page = browser.request("GET", f"/patients/{pk}/")
        episodes |= {int(n) for n in re.findall(r'href="/episodes/(\d+)/"', page)}
    if not patients or not episodes:
        raise RuntimeError("the demo practice shows no patients or episodes to the demo clinician")
    return patients, sorted(episodes)


def drive(url: str, clients: int, seconds: float, *, requests: int | None = None) -> Results:
    """``clients`` signed-in clinicians, no think time, for ``seconds`` (or ``requests`` each)."""
    patients, episodes = discover(url)
    results = Results()
    browsers = [Browser(url) for _ in range(clients)]
    for browser in browsers:
        browser.sign_in()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def work(index: int, browser: Browser) -> None:
        start.wait()
        step = 0
        while (requests is None and time.perf_counter() < deadline[0]) or (requests is not None and step < requests):
            kind, method, path, form = _next(step, index, patients, episodes)
            began = time.perf_counter()
            try:
                status, _ = browser.request(method, path, form)
            except OSError as exc:
                results.errors.append(f"{kind}: {exc}")
                status = 0
            results.add(kind, status, time.perf_counter() - began)
            step += 1

    threads = [threading.Thread(target=work, args=(i, b)) for i, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    results.seconds = time.perf_counter() - began
    return results


def _next(step: int, index: int, patients: list[int], episodes: list[int]) -> tuple[str, str, str, dict[str, str] | None]:
    """The clinician's next request: reading mostly, a save every SAVE_EVERY steps."""
    n = step * 7 + index * 13
    if step % SAVE_EVERY == SAVE_EVERY - 1:
        return "save patient", "POST", "/patients/new/", {**NEW_PATIENT, "family_name": f"Load{index}x{step}"}
    kind = ("day page", "patient list", "patient page", "episode page")[step % 4]
    path = {
        "day page": "/",
        "patient list": "/patients/",
        "patient page": f"/patients/{patients[n % len(patients)]}/",
        "episode page": f"/episodes/{episodes[n % len(episodes)]}/",
    }[kind]
    return kind, "GET", path, None


# -- the server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(
    *,
    patients: int,
    serve_args: list[str],
    database_url: str | None = None,
    python_path: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[tuple[str, Path]]:
    """A demo practice served by `myotome serve` on a free port: (its URL, its log file). Stopped on leaving."""
    home = Path(tempfile.mkdtemp(prefix="myotome-load-"))
    drop = {"DJANGO_SETTINGS_MODULE", "MYOTOME_SECRET_KEY", "DATABASE_URL", "MYOTOME_HTTPS", "MYOTOME_TRUSTED_PROXY", "MYOTOME_LOG_FILE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(MYOTOME_HOME=str(home), MYOTOME_SQLITE_LOCK_LOG_MS="0", **(extra_env or {}))
    if python_path:
        env["PYTHONPATH"] = python_path
    with _scratch_database(database_url) as url:
        if url:
            env["DATABASE_URL"] = url
        command = [sys.executable, "-m", "myotome"]
        subprocess.run([*command, "demo", "--patients", str(patients)], env=env, check=True, capture_output=True, timeout=600)
        port = free_port()
        log_path = home / "serve.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen([*command, "serve", "--port", str(port), *serve_args], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, process, log_path)
            yield base, log_path
        finally:
            process.terminate()
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"myotome serve exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            status, _ = Browser(base).request("GET", "/accounts/login/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"myotome serve did not answer within {timeout} s:\n{log_path.read_text()}")


@contextmanager
def _scratch_database(base: str | None) -> Iterator[str | None]:
    """A new PostgreSQL database on the server of ``base``, dropped afterwards; None for SQLite."""
    if not base:
        yield None
        return
    import psycopg

    parts = urllib.parse.urlsplit(base)
    name = f"myotome_load_{os.getpid()}"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def lock_waits(log_text: str) -> list[int]:
    """Each SQLite write's wait for the lock, in ms, from a server log written with MYOTOME_SQLITE_LOCK_LOG_MS=0."""
    return [int(ms) for ms in LOCK_WAIT.findall(log_text)]


# -- the report -------------------------------------------------------------------------------------


def _ms(values: list[float], q: int) -> str:
    if len(values) < 2:
        return "-"
    return f"{statistics.quantiles(values, n=100, method='inclusive')[q - 1] * 1000:.0f}"


def report(results: Results, log_text: str, label: str) -> str:
    rows = [f"{label}: {results.requests} requests in {results.seconds:.1f} s = {results.requests / results.seconds:.1f} requests/s"]
    rows.append(f"  {'kind':<14} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    everything: list[float] = []
    for kind, values in sorted(results.latencies.items()):
        everything += values
        rows.append(f"  {kind:<14} {len(values):>6} {_ms(values, 50):>7} {_ms(values, 95):>7} {_ms(values, 99):>7}")
    rows.append(f"  {'all':<14} {len(everything):>6} {_ms(everything, 50):>7} {_ms(everything, 95):>7} {_ms(everything, 99):>7}")
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(results.statuses.items()))
    rows.append(f"  statuses {statuses}; server errors (5xx) {results.server_errors}; connection errors {len(results.errors)}")
    waits = lock_waits(log_text)
    if waits:
        waited = [w for w in waits if w >= 1]
        quantiles = statistics.quantiles(waits, n=100, method="inclusive") if len(waits) > 1 else [waits[0]] * 99
        rows.append(
            f"  SQLite write-lock waits: {len(waits)} writes, {len(waited)} waited 1 ms or more; "
            f"p50 {quantiles[49]:.0f} ms, p95 {quantiles[94]:.0f} ms, p99 {quantiles[98]:.0f} ms, max {max(waits)} ms"
        )
    rows.append(f"  'database is locked' in the server log: {log_text.count('database is locked')}")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--serve-args", default=None, help="options for `myotome serve` instead of --workers/--threads")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server to make a scratch database on")
    parser.add_argument("--python-path", default=None, help="run the server from this src directory")
    parser.add_argument("--pin", action="store_true", help="run the load generator on the last core only")
    args = parser.parse_args()
    serve_args = shlex.split(args.serve_args) if args.serve_args is not None else []
    if args.serve_args is None:
        serve_args += ["--workers", str(args.workers)] if args.workers else []
        serve_args += ["--threads", str(args.threads)] if args.threads else []
    with served(patients=args.patients, serve_args=serve_args, database_url=args.database_url, python_path=args.python_path) as (url, log):
        if args.pin and hasattr(os, "sched_setaffinity"):
            core = max(os.sched_getaffinity(0))
            os.sched_setaffinity(0, {core})
            print(f"load generator pinned to core {core} (the server's processes may use every core)")
        results = drive(url, args.clients, args.seconds)
        database = "PostgreSQL" if args.database_url else "SQLite"
        label = f"{database}, {args.patients} patients, {args.clients} clients, serve {' '.join(serve_args) or '(defaults)'}"
        print(report(results, log.read_text(errors="replace"), label))


if __name__ == "__main__":
    main()
