"""A real clinic server for the concurrency tests: waitress with worker threads on a real database.

The test process's own database cannot serve here: pytest-django's SQLite test database lives
in memory, and its live server shares one connection between all request threads, which
serialises them. This module runs in a separate process, configured from the environment as
``myotome serve`` is (so SQLite is a file in WAL mode with IMMEDIATE transactions)::

    MYOTOME_HOME=/tmp/x [DATABASE_URL=postgres://...] python -m tests.clinic.live_clinic

It migrates the database, creates a clinic with one clinician (signed in: the session and
CSRF cookies are printed), then serves on a free port and prints one JSON line with the
address. The tests read the database directly, with ``LiveClinic.count``.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

THREADS = 8


@dataclass
class LiveClinic:
    url: str
    cookies: dict[str, str]
    database: dict[str, Any]  # Django's settings for the server's database
    user_id: int  # the signed-in clinician

    def get(self, path: str) -> str:
        request = urllib.request.Request(self.url + path)
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        with urllib.request.urlopen(request, timeout=60) as response:
            return str(response.read().decode())

    def post(self, path: str, data: dict[str, Any]) -> tuple[int, str]:
        """POST a form as a signed-in browser does; (status, Location or body). Redirects are not followed."""
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.cookies["csrftoken"]}, doseq=True).encode()
        request = urllib.request.Request(self.url + path, data=body, method="POST")
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location") or exc.read().decode()

    def post_together(self, path: str, data: dict[str, Any], times: int = THREADS) -> list[tuple[int, str]]:
        """The same POST from ``times`` threads released at once: a double (or octuple) click."""
        return together([lambda: self.post(path, data)] * times)

    def count(self, sql: str, *params: Any) -> int:
        """One number from the server's database, read directly (``%s`` placeholders)."""
        if self.database["ENGINE"].endswith("sqlite3"):
            with sqlite3.connect(self.database["NAME"]) as connection:
                return int(connection.execute(sql.replace("%s", "?"), params).fetchone()[0])
        import psycopg

        with psycopg.connect(**_postgres_arguments(self.database)) as connection:
            row = connection.execute(sql, params).fetchone()  # type: ignore[arg-type]
            assert row is not None
            return int(row[0])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` on their own threads, released by one barrier; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as exc:  # the test reports it with the others
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _postgres_arguments(database: dict[str, Any]) -> dict[str, Any]:
    arguments = {"dbname": database["NAME"], "user": database.get("USER") or None, "password": database.get("PASSWORD") or None}
    arguments.update(host=database.get("HOST") or None, port=database.get("PORT") or None, autocommit=True)
    return {k: v for k, v in arguments.items() if v is not None}


# -- in the test process ------------------------------------------------------------------------


def start(home: Path, test_database: dict[str, Any]) -> tuple[subprocess.Popen[str], LiveClinic]:
    """Start the server next to the test database: a SQLite file in ``home``, or a new PostgreSQL
    database named after the test database. Stop it with ``stop``."""
    env = {**os.environ, "MYOTOME_HOME": str(home)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if test_database["ENGINE"].endswith("postgresql"):
        name = f"{test_database['NAME']}_live"
        _recreate_postgres(test_database, name)
        auth = test_database.get("USER") or "postgres"
        if test_database.get("PASSWORD"):
            auth += ":" + urllib.parse.quote(test_database["PASSWORD"])
        host = test_database.get("HOST") or "127.0.0.1"
        env["DATABASE_URL"] = f"postgres://{auth}@{host}:{test_database.get('PORT') or 5432}/{name}"
    else:
        env.pop("DATABASE_URL", None)
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.clinic.live_clinic"], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=30)
        raise RuntimeError(f"the live clinic did not start:\n{process.stderr.read() if process.stderr else ''}")
    started = json.loads(line)
    return process, LiveClinic(started["url"], started["cookies"], started["database"], started["user_id"])


def stop(process: subprocess.Popen[str], clinic: LiveClinic) -> str:
    """Stop the server (this process started it) and drop its PostgreSQL database; its stderr."""
    process.terminate()
    try:
        _, errors = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, errors = process.communicate()
    if clinic.database["ENGINE"].endswith("postgresql"):
        _drop_postgres(clinic.database)
    return errors


def _recreate_postgres(test_database: dict[str, Any], name: str) -> None:
    import psycopg

    with psycopg.connect(**_postgres_arguments({**test_database, "NAME": "postgres"})) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]


def _drop_postgres(database: dict[str, Any]) -> None:
    import psycopg

    with psycopg.connect(**_postgres_arguments({**database, "NAME": "postgres"})) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database["NAME"]}" WITH (FORCE)')  # type: ignore[arg-type]


# -- in the server process ----------------------------------------------------------------------


def _serve() -> None:
    from myotome.clinic import config

    home = config.home_dir()
    config.prepare_home(home)
    config.ensure_secret_key(home)
    (home / "static").mkdir(exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "myotome.clinic.settings"
    import django

    django.setup()
    import waitress
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from myotome.clinic.accounts.models import Clinic, Membership, Role
    from myotome.clinic.wsgi import application

    call_command("migrate", interactive=False, verbosity=0)
    clinic = Clinic.objects.create(name="Live clinic")
    user = get_user_model().objects.create(username="alice", first_name="Alice", last_name="Live")
    Membership.objects.create(user=user, clinic=clinic, role=Role.CLINICIAN)
    client = Client()
    client.force_login(user)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": secrets.token_hex(16)}  # a 32-character CSRF secret
    server = waitress.create_server(application, host="127.0.0.1", port=0, threads=THREADS)
    database = {k: connection.settings_dict[k] for k in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")}
    database["NAME"] = str(database["NAME"])
    started = {"url": f"http://127.0.0.1:{server.effective_port}", "cookies": cookies, "database": database, "user_id": user.pk}
    print(json.dumps(started), flush=True)
    server.run()


if __name__ == "__main__":
    _serve()
