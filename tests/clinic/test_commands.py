"""`myotome doctor`, `demo`, `createuser` and `serve`, run as a user would: in a subprocess,
against a fresh MYOTOME_HOME, on the database the suite runs on (SQLite, or a scratch
PostgreSQL database when DATABASE_URL is a postgres:// URL).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from myotome.clinic import config

MYOTOME = [sys.executable, "-c", "from myotome.cli import main; main()"]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("home")
    environment = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "MYOTOME_SECRET_KEY", "DATABASE_URL"}}
    environment["MYOTOME_HOME"] = str(home)
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        with _scratch_postgres(base) as url:
            environment["DATABASE_URL"] = url
            yield environment
    else:
        yield environment


class _scratch_postgres:
    """A throwaway PostgreSQL database beside the one DATABASE_URL names."""

    def __init__(self, base: str):
        self.settings = config.database_settings(base)
        self.name = f"myotome_cli_test_{os.getpid()}"
        parts = urllib.parse.urlsplit(base)
        self.url = urllib.parse.urlunsplit(parts._replace(path=f"/{self.name}"))

    def _admin(self) -> object:
        import psycopg

        s = self.settings
        return psycopg.connect(
            dbname="postgres", user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"] or None, autocommit=True
        )

    def __enter__(self) -> str:
        with self._admin() as conn:  # type: ignore[attr-defined]
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *exc: object) -> None:
        with self._admin() as conn:  # type: ignore[attr-defined]
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MYOTOME, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False)


def test_1_doctor_on_a_fresh_home_says_what_to_do(env: dict[str, str]) -> None:
    result = _run(env, "doctor")
    assert result.returncode == 1
    assert "no secret key" in result.stdout and "run `myotome serve` once" in result.stdout
    if "DATABASE_URL" not in env:
        assert "no database file" in result.stdout
    else:
        assert "not applied" in result.stdout


def test_2_demo_loads_once(env: dict[str, str]) -> None:
    first = _run(env, "demo", "--patients", "4")
    assert first.returncode == 0, first.stderr
    assert "Sign in as demo / demo" in first.stdout
    again = _run(env, "demo")
    assert again.returncode == 1 and "loads only into an empty database" in again.stderr


def test_3_createuser(env: dict[str, str]) -> None:
    ok = _run(
        env,
        "createuser",
        "alice",
        "--clinic",
        "Riverside IMS Clinic",
        "--role",
        "clinic_admin",
        stdin="Stethoscope-Lumbar-42\nStethoscope-Lumbar-42\n",
    )
    assert ok.returncode == 0, ok.stderr
    assert "Created user 'alice': clinic admin in 'Riverside IMS Clinic'" in ok.stdout
    weak = _run(env, "createuser", "bob", "--clinic", "Riverside IMS Clinic", stdin="abc\nabc\n")
    assert weak.returncode == 1 and "too short" in weak.stderr
    nowhere = _run(env, "createuser", "carol", "--clinic", "Nowhere", stdin="Stethoscope-Lumbar-42\nStethoscope-Lumbar-42\n")
    assert nowhere.returncode == 1 and "no clinic named 'Nowhere'" in nowhere.stderr and "--create-clinic" in nowhere.stderr
    made = _run(
        env,
        "createuser",
        "carol",
        "--clinic",
        "Nowhere",
        "--create-clinic",
        "--role",
        "front_desk",
        stdin="Stethoscope-Lumbar-42\nStethoscope-Lumbar-42\n",
    )
    assert made.returncode == 0 and "Created clinic 'Nowhere'" in made.stdout
    twice = _run(env, "createuser", "ALICE", "--clinic", "Nowhere", stdin="Stethoscope-Lumbar-42\nStethoscope-Lumbar-42\n")
    assert twice.returncode == 1 and "already exists" in twice.stderr
    role = _run(
        env, "createuser", "dave", "--clinic", "Nowhere", "--role", "surgeon", stdin="Stethoscope-Lumbar-42\nStethoscope-Lumbar-42\n"
    )
    assert role.returncode == 1 and "role 'surgeon' is not one of clinic_admin, clinician, front_desk" in role.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_4_serve_answers_with_pages_static_files_and_the_demo_login(env: dict[str, str]) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [*MYOTOME, "serve", "--port", str(port), "--demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        output = _wait_for(server, "running at")
        assert f"http://127.0.0.1:{port}/" in output
        assert "already has users" in output  # the demo from test 2 is kept, not loaded twice
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        login = opener.open(f"{base}/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)
        assert token
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": "demo", "password": "demo"}).encode()
        request = urllib.request.Request(f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"})
        day = opener.open(request)
        assert day.url == f"{base}/" and day.headers["Cache-Control"] == "no-store"
        assert "My active episodes" in day.read().decode()
        css = opener.open(f"{base}/static/myotome/clinic.css")
        assert css.status == 200 and "--accent" in css.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(server: subprocess.Popen[str], marker: str, timeout: float = 90) -> str:
    assert server.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line and server.poll() is not None:
            break
        seen += line
        if marker in line:
            time.sleep(0.3)  # let waitress bind
            return seen
    raise AssertionError(f"serve did not start:\n{seen}")


def test_5_doctor_passes_once_served(env: dict[str, str]) -> None:
    result = _run(env, "doctor")
    assert result.returncode == 0, result.stdout
    assert "All checks passed." in result.stdout
    home = Path(env["MYOTOME_HOME"])
    assert oct((home / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_bad_settings_fail_loudly(tmp_path: Path) -> None:
    environment = {**os.environ, "MYOTOME_HOME": str(tmp_path), "DATABASE_URL": "mysql://root@localhost/x"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    result = _run(environment, "demo")
    assert result.returncode == 2 and "DATABASE_URL scheme 'mysql' is not supported" in result.stderr


def test_serve_refuses_to_listen_everywhere_without_allowed_hosts(tmp_path: Path) -> None:
    environment = {**os.environ, "MYOTOME_HOME": str(tmp_path)}
    environment.pop("MYOTOME_ALLOWED_HOSTS", None)
    result = _run(environment, "serve", "--host", "0.0.0.0")
    assert result.returncode == 2 and "set MYOTOME_ALLOWED_HOSTS" in result.stderr
