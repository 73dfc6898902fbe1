"""A real `myotome serve` whose database or disk goes away: 503 with a plain page, nothing half-written,
and pages back by themselves when the cause goes; a read-only or full MYOTOME_HOME at start.

Each test runs the server in a subprocess with its own MYOTOME_HOME, as an operator would:
- a closed port (DATABASE_URL pointing where nothing listens);
- PostgreSQL stopped while the server runs, and started again: a private, throwaway cluster
  made with Debian's initdb and pg_ctl on a free port in a temporary folder (the shared server
  the suite may use is never touched);
- SQLite held by another writer past MYOTOME_SQLITE_TIMEOUT;
- the disk full while running, and at start, and a read-only MYOTOME_HOME at start: a tiny
  tmpfs mount (mounting needs root, which CI has; elsewhere these tests skip and say so).
The in-process versions (a monkeypatched health check, SQLite's max_page_count) are in test_health.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.cookiejar
import json
import os
import pwd
import re
import shutil
import sqlite3
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from .test_commands import _free_port, _home_env, _run
from .test_serve_workers import Served

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
needs_root = pytest.mark.skipif(not ROOT, reason="mounts a tiny tmpfs, which needs root (CI runs as root)")
UNAVAILABLE = "Myotome is unavailable for a moment"
NEW_PATIENT = {"given_name": "Perpetua", "date_of_birth": "1988-07-14", "sex": "female", "phone": "", "email": ""}


class Browser:
    """A signed-in clinician: cookies kept, redirects not followed (their status is the answer)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str, Message]:
        data = None
        if form is not None:
            token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
            data = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": token or ""}).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as answer:
                return answer.status, answer.read().decode(), answer.headers
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode(errors="replace"), answer.headers

    def sign_in(self, username: str = "demo", password: str = "demo") -> None:
        self.request("/accounts/login/")
        status, body, _ = self.request("/accounts/login/", {"username": username, "password": password})
        assert status == 302, body

    def a_patient(self) -> int:
        status, page, _ = self.request("/patients/")
        assert status == 200
        return int(re.findall(r'href="/patients/(\d+)/"', page)[0])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def assert_plain_503(status: int, body: str, headers: Message) -> None:
    assert status == 503, body[:500]
    assert headers.get("Retry-After") == "30"
    assert UNAVAILABLE in body and "Nothing half-done was saved" in body
    for leak in ("Traceback", "OperationalError", "psycopg", "sqlite", 'File "'):
        assert leak not in body


def save(browser: Browser, family_name: str) -> int:
    return browser.request("/patients/new/", {**NEW_PATIENT, "family_name": family_name})[0]


@contextlib.contextmanager
def serving(environment: dict[str, str], *args: str) -> Iterator[Served]:
    server = Served(environment, *args)
    try:
        yield server
    finally:
        server.stop()


# -- a closed port ------------------------------------------------------------------------------------


def test_a_database_on_a_closed_port_answers_503_plainly_and_healthz_says_so(tmp_path: Path) -> None:
    closed = f"postgres://postgres@127.0.0.1:{_free_port()}/myotome"  # nothing listens there
    environment = _home_env(tmp_path / "home", DATABASE_URL=closed)
    with serving(environment, "--no-migrate", "--workers", "1") as server:
        browser = Browser(server.base)
        status, body, _ = browser.request("/accounts/login/")  # the sign-in form needs no database
        assert status == 200
        assert_plain_503(*browser.request("/accounts/login/", {"username": "demo", "password": "demo"}))
        status, body, headers = Browser(server.base).request("/healthz")
        assert status == 503 and json.loads(body) == {"status": "unavailable", "database": "unavailable"}
        assert headers["Retry-After"] == "30"
    log = server.log.read_text()
    assert "health check: the database does not answer" in log  # the cause is in the log
    # The failed sign-in in one line (every request fails alike while the database is away), no traceback.
    assert re.search(
        r"ERROR django.request: Service Unavailable: /accounts/login/: the database or the disk is unavailable \(OperationalError: [^\n]+\)\n",
        log,
    )
    assert "Traceback" not in log


# -- PostgreSQL stopped while running ------------------------------------------------------------------


class PrivateCluster:
    """A throwaway PostgreSQL cluster on a free port, run by a non-root user when the tests run as root
    (PostgreSQL refuses to run as root); it lives in a temporary folder and is removed afterwards."""

    def __init__(self) -> None:
        self.bin = self._bin()
        self.folder = Path(tempfile.mkdtemp(prefix="myotome-pg-"))
        self.data, self.port = self.folder / "data", _free_port()
        self.user = ("postgres" if _exists("postgres") else "nobody") if ROOT else None
        if self.user:
            shutil.chown(self.folder, self.user)
        self._as_owner("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    @staticmethod
    def _bin() -> Path:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
        if not found:
            pytest.fail("PostgreSQL's server programs are not installed (Debian: apt-get install postgresql)")
        return found[-1].parent

    def _as_owner(self, program: str, *args: str) -> None:
        ran = subprocess.run([str(self.bin / program), *args], user=self.user, capture_output=True, text=True, timeout=120, check=False)
        assert ran.returncode == 0, f"{program}: {ran.stdout}{ran.stderr}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_owner("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._as_owner("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        subprocess.run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"], user=self.user, capture_output=True, check=False
        )
        shutil.rmtree(self.folder, ignore_errors=True)

    def count(self, sql: str, *params: Any) -> int:
        import psycopg

        with psycopg.connect(self.url) as connection:
            row = connection.execute(sql, params).fetchone()  # type: ignore[arg-type]
            assert row is not None
            return int(row[0])


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


@pytest.fixture
def cluster() -> Iterator[PrivateCluster]:
    made = PrivateCluster()
    try:
        made.start()
        yield made
    finally:
        made.remove()


@pytest.mark.database("postgresql")
def test_postgresql_stopped_while_running_answers_503_writes_nothing_and_pages_come_back(tmp_path: Path, cluster: PrivateCluster) -> None:
    environment = _home_env(tmp_path / "home", DATABASE_URL=cluster.url)
    assert _run(environment, "demo", "--patients", "3").returncode == 0
    with serving(environment, "--workers", "2") as server:
        browser = Browser(server.base)
        browser.sign_in()
        patient = browser.a_patient()
        assert browser.request(f"/patients/{patient}/")[0] == 200
        cluster.stop()
        assert_plain_503(*browser.request(f"/patients/{patient}/"))
        assert_plain_503(*browser.request("/patients/new/", {**NEW_PATIENT, "family_name": "Duringstop"}))
        assert Browser(server.base).request("/healthz")[0] == 503
        cluster.start()
        # Each worker thread finds its old connection broken, drops it and opens a new one: no error page.
        assert [browser.request(f"/patients/{patient}/")[0] for _ in range(12)] == [200] * 12
        assert save(browser, "Afterstart") == 302
        assert Browser(server.base).request("/healthz")[0] == 200
    assert cluster.count("SELECT count(*) FROM patients_patient WHERE family_name = %s", "Duringstop") == 0
    assert cluster.count("SELECT count(*) FROM patients_patient WHERE family_name = %s", "Afterstart") == 1


# -- SQLite locked by another writer ------------------------------------------------------------------------


def test_sqlite_held_by_another_writer_past_the_timeout_answers_503_and_recovers(tmp_path: Path) -> None:
    environment = _home_env(tmp_path / "home", MYOTOME_SQLITE_TIMEOUT="1")
    assert _run(environment, "demo", "--patients", "3").returncode == 0
    database = tmp_path / "home" / "myotome.sqlite3"
    with serving(environment, "--workers", "2") as server:
        browser = Browser(server.base)
        browser.sign_in()
        patient = browser.a_patient()
        holder = sqlite3.connect(database, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another writer (a script, a stuck process) keeps the write lock
            assert_plain_503(*browser.request(f"/patients/{patient}/"))  # its audit row cannot be written
            assert_plain_503(*browser.request("/patients/new/", {**NEW_PATIENT, "family_name": "Duringlock"}))
            assert Browser(server.base).request("/healthz")[0] == 503
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert browser.request(f"/patients/{patient}/")[0] == 200
        assert save(browser, "Afterlock") == 302
    with sqlite3.connect(database) as connection:
        counts = dict(connection.execute("SELECT family_name, count(*) FROM patients_patient GROUP BY family_name").fetchall())
    assert "Duringlock" not in counts and counts["Afterlock"] == 1


# -- the disk full, and MYOTOME_HOME unusable at start -------------------------------------------------


@contextlib.contextmanager
def tiny_disk(where: Path, megabytes: int) -> Iterator[Path]:
    """A tmpfs of ``megabytes`` mounted at ``where`` (owner-only, as MYOTOME_HOME should be)."""
    where.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0700", "tmpfs", str(where)], check=True)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk has no room left; remove it to free the space."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as handle:
        for chunk in (1 << 20, 4096, 512):
            try:
                while True:
                    handle.write(b"\0" * chunk)
            except OSError as exc:
                assert exc.errno == 28  # ENOSPC
    return filler


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@needs_root
def test_the_disk_full_while_running_answers_503_keeps_each_save_whole_and_recovers(tmp_path: Path) -> None:
    with tiny_disk(tmp_path / "disk", 48) as home:
        environment = _home_env(home)
        assert _run(environment, "demo", "--patients", "3").returncode == 0
        with serving(environment, "--workers", "2") as server:  # its log is beside the disk, not on it
            browser = Browser(server.base)
            browser.sign_in()
            filler = fill(home)
            statuses = []
            for number in range(400):  # saves use the room left in the database's pages, until one needs more
                statuses.append(save(browser, f"Full{number}"))
                if statuses[-1] != 302:
                    break
            assert set(statuses[:-1]) <= {302} and statuses[-1] == 503, statuses
            assert_plain_503(*browser.request("/patients/new/", {**NEW_PATIENT, "family_name": "Fullagain"}))
            filler.unlink()
            assert save(browser, "Afterfull") == 302
            assert browser.request(f"/patients/{browser.a_patient()}/")[0] == 200
        with sqlite3.connect(home / "myotome.sqlite3") as connection:
            saved = [pk for (pk,) in connection.execute("SELECT id FROM patients_patient WHERE family_name LIKE 'Full%'")]
            audited = connection.execute(
                "SELECT count(*) FROM audit_auditevent WHERE action = 'create' AND record_type = 'patient' AND record_id IN "
                f"({','.join('?' * len(saved)) or 'NULL'})",
                [str(pk) for pk in saved],
            ).fetchone()[0]
            integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
    assert len(saved) == statuses.count(302)  # every save that answered 302 is there, the others are not
    assert audited == len(saved)  # each with its audit row: saved whole or not at all
    assert integrity == "ok"


@needs_root
def test_a_full_myotome_home_at_start_is_said_in_words_and_nothing_is_changed(tmp_path: Path) -> None:
    with tiny_disk(tmp_path / "disk", 48) as home:
        environment = _home_env(home)
        assert _run(environment, "demo", "--patients", "3").returncode == 0
        before = _digest(home / "myotome.sqlite3")
        fill(home)
        for command in (["serve", "--port", str(_free_port())], ["demo", "--patients", "3"]):
            result = _run(environment, *command)
            said = " ".join(result.stderr.split())
            assert result.returncode == 2, result.stdout + result.stderr
            assert f"MYOTOME_HOME {home} cannot be written: the disk is full" in said and "(nothing was changed)" in said
            assert "Traceback" not in result.stderr
        assert _digest(home / "myotome.sqlite3") == before
        assert not list(home.glob(".write-test-*"))


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """Make ``folder`` read-only: a read-only bind mount as root (who ignores file modes), chmod otherwise.
    Yields the cause the command should name."""
    if ROOT:
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)
            yield "the file system is read-only"
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
    else:
        folder.chmod(0o500)
        try:
            yield "permission denied"
        finally:
            folder.chmod(0o700)


def test_a_read_only_myotome_home_at_start_is_said_in_words_and_nothing_is_changed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    environment = _home_env(home)
    assert _run(environment, "demo", "--patients", "3").returncode == 0
    before = _digest(home / "myotome.sqlite3")
    with read_only(home) as cause:
        for command in (["serve", "--port", str(_free_port())], ["demo", "--patients", "3"], ["backup", "-o", str(tmp_path / "b")]):
            result = _run(environment, *command)
            said = " ".join(result.stderr.split())
            if command[0] == "backup":  # SQLite cannot open a database in write-ahead-log mode on a read-only folder
                assert result.returncode == 1 and "failed: unable to open database file" in said, said
                assert "Traceback" not in result.stderr and not (tmp_path / "b").exists()
                continue
            assert result.returncode == 2, result.stdout + result.stderr
            assert f"MYOTOME_HOME {home} cannot be written: {cause}" in said and "(nothing was changed)" in said
            assert "Traceback" not in result.stderr
    assert _digest(home / "myotome.sqlite3") == before
