"""Parallel sign-in requests against a real ``myotome serve`` (waitress, several threads) cannot
beat the throttle: no more guesses are checked than the limit allows.

The server runs in a subprocess with its own MYOTOME_HOME, on the database the suite runs
on: a SQLite file, or a scratch PostgreSQL database beside the one DATABASE_URL names.
A checked guess answers 200 (wrong password) or 302 (signed in); a guess refused unchecked
answers 429. The account's failure counter is read from the server's database as well.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from myotome.clinic import config

MYOTOME = [sys.executable, "-c", "from myotome.cli import main; main()"]
THREADS = 12
START_TIMEOUT = 60


@dataclass
class LiveServer:
    url: str
    home: Path
    database_url: str

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Read the server's database directly (SQLite file or PostgreSQL)."""
        if self.database_url:
            import psycopg

            s = config.database_settings(self.database_url)
            with psycopg.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"] or None) as db:
                return [tuple(row) for row in db.execute(sql).fetchall()]
        with sqlite3.connect(self.home / "myotome.sqlite3") as db:
            return db.execute(sql).fetchall()

    def account_failures(self, username: str) -> int:
        """The failures counted against the account (its counter row in the server's database)."""
        sql = (
            "SELECT c.failures FROM accounts_signincounter c JOIN auth_user u ON c.key = CAST(u.id AS VARCHAR(20)) "
            f"WHERE c.scope = 'account' AND u.username = '{username}'"
        )
        rows = self.query(sql)
        return int(rows[0][0]) if rows else 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _scratch_postgres(base: str, name: str) -> str:
    import psycopg

    s = config.database_settings(base)
    with psycopg.connect(
        dbname="postgres", user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"] or None, autocommit=True
    ) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(base)._replace(path=f"/{name}"))


def _drop_postgres(url: str) -> None:
    import psycopg

    s = config.database_settings(url)
    with psycopg.connect(
        dbname="postgres", user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"] or None, autocommit=True
    ) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{s["NAME"]}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("throttle-home")
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "MYOTOME_SECRET_KEY", "DATABASE_URL"}}
    env["MYOTOME_HOME"] = str(home)
    env["MYOTOME_LOGIN_ADDRESS_FAILURES"] = "1000"  # every request comes from 127.0.0.1: test the account limit
    base = os.environ.get("DATABASE_URL", "")
    database_url = (
        _scratch_postgres(base, f"myotome_throttle_test_{os.getpid()}") if base.startswith(("postgres://", "postgresql://")) else ""
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    # The demo practice gives a known login (demo/demo) and staff whose passwords never match.
    demo = subprocess.run([*MYOTOME, "demo", "--patients", "0"], env=env, capture_output=True, text=True, timeout=180, check=False)
    assert demo.returncode == 0, demo.stderr
    port = _free_port()
    log = open(home / "serve.log", "w+b")  # noqa: SIM115 - closed after the server stops
    process = subprocess.Popen(
        [*MYOTOME, "serve", "--port", str(port), "--threads", str(THREADS)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"myotome serve did not start:\n{log.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(url + "/accounts/login/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        yield LiveServer(url, home, database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        if database_url:
            _drop_postgres(database_url)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """A browser with its own cookies (so no device cookie), ready to post the sign-in form."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirects)
        page = self.opener.open(f"{server.url}/accounts/login/", timeout=30).read().decode()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found
        self.token = found.group(1)

    def sign_in(self, username: str, password: str) -> int:
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": self.token, "username": username, "password": password}).encode()
        login = f"{self.server.url}/accounts/login/"
        request = urllib.request.Request(login, data=form, headers={"Referer": login})
        try:
            with self.opener.open(request, timeout=60) as response:
                return int(response.status)
        except urllib.error.HTTPError as answer:  # 302 (not followed) and 429
            return int(answer.code)


def _all_at_once(server: LiveServer, tries: list[tuple[str, str]]) -> list[int]:
    """Post every (username, password) from its own browser, released together by a barrier."""
    browsers = [Browser(server) for _ in tries]
    barrier = threading.Barrier(len(tries))
    statuses: list[int] = [0] * len(tries)

    def go(index: int) -> None:
        barrier.wait()
        statuses[index] = browsers[index].sign_in(*tries[index])

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(tries))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_parallel_guesses_after_four_failures_get_one_check_not_eight(server: LiveServer) -> None:
    for _ in range(4):
        assert Browser(server).sign_in("demo", "wrong password") == 200
    # Eight wrong guesses at once: one slot is left, so exactly one is checked (200) and seven are
    # refused unchecked (429). (A right password in the burst would clear the count when it wins,
    # and a guess a busy machine delays past that moment would rightly be checked.)
    statuses = _all_at_once(server, [("demo", f"guess {n}") for n in range(8)])
    assert sorted(statuses) == [200] + [429] * 7, statuses
    assert server.account_failures("demo") == 5
    # Locked now: the right password is refused unchecked too.
    assert Browser(server).sign_in("demo", "demo") == 429


def test_a_burst_of_twelve_guesses_gets_five_checked(server: LiveServer) -> None:
    statuses = _all_at_once(server, [("sam", f"guess {n}") for n in range(THREADS)])
    assert statuses.count(200) == 5 and statuses.count(429) == THREADS - 5, statuses
    assert server.account_failures("sam") == 5
