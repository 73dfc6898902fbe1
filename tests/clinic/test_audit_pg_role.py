"""On PostgreSQL the app runs as its own role, which cannot delete the audit log.

As docs/deployment.md says: an owner role creates the database and migrates it; the
grants block from the docs, run as written, gives the app role its rights; the app
then serves real requests as that role (`myotome serve --no-migrate`), writing audit
rows, while DELETE, TRUNCATE and UPDATE of the audit table, and the maintenance switch,
are refused to it, and `audit-prune` tells it to use the owner. Skipped on SQLite
runs only (SQLite has no roles); every PostgreSQL run runs it.
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
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.database("postgresql")  # database roles are PostgreSQL's: this runs on every PostgreSQL run

ROOT = Path(__file__).resolve().parents[2]
MYOTOME = [sys.executable, "-c", "from myotome.cli import main; main()"]


def grants_from_the_docs(owner: str, app: str) -> str:
    """The SQL block of docs/deployment.md, with the documented role names replaced by the test's."""
    doc = (ROOT / "docs/deployment.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- app-role-sql[^>]*-->\s*```sql\n(.*?)```", doc, re.S)
    assert found, "docs/deployment.md has no app-role-sql block"
    return re.sub(r"\bmyotome\b", owner, re.sub(r"\bmyotome_app\b", app, found.group(1)))


@dataclass
class Cluster:
    owner: str
    app: str
    database: str
    base: dict[str, str]

    def url(self, role: str) -> str:
        s = self.base
        return f"postgres://{role}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{self.database}"

    def connect(self, role: str, database: str | None = None) -> psycopg.Connection:
        s = self.base
        return psycopg.connect(dbname=database or self.database, user=role, host=s["HOST"], port=s["PORT"] or None, autocommit=True)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """A scratch database owned by a fresh owner role, and a fresh app role (dropped afterwards)."""
    base = connection.settings_dict
    suffix = os.getpid()
    c = Cluster(f"myotome_owner_{suffix}", f"myotome_app_{suffix}", f"myotome_role_test_{suffix}", dict(base))
    with c.connect(base["USER"], "postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{c.database}" WITH (FORCE)')
        for role in (c.owner, c.app):
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')
            admin.execute(f'CREATE ROLE "{role}" LOGIN')
        admin.execute(f'CREATE DATABASE "{c.database}" OWNER "{c.owner}"')
    try:
        yield c
    finally:
        with c.connect(base["USER"], "postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{c.database}" WITH (FORCE)')
            for role in (c.owner, c.app):
                admin.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture(scope="module")
def deployed(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Cluster:
    """Migrated and loaded by the owner, then the documented grants."""
    env = _env(cluster, cluster.owner, tmp_path_factory.mktemp("home"))
    result = subprocess.run([*MYOTOME, "demo", "--patients", "3"], env=env, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr
    with cluster.connect(cluster.owner) as owner:
        owner.execute(grants_from_the_docs(cluster.owner, cluster.app))  # type: ignore[arg-type]
        owner.execute("INSERT INTO audit_auditevent (at, username, action, record_type, record_id, path, detail) "
                      "VALUES ('2020-01-02 10:00+00', 'old', 'view', 'patient', '1', '', '')")  # fmt: skip
    cluster.base["HOME"] = env["MYOTOME_HOME"]
    return cluster


def _env(cluster: Cluster, role: str, home: Path | str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "MYOTOME_SECRET_KEY", "DATABASE_URL"}}
    env.update(MYOTOME_HOME=str(home), DATABASE_URL=cluster.url(role))
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_app_serves_and_audits_as_its_own_role(deployed: Cluster) -> None:
    env = _env(deployed, deployed.app, deployed.base["HOME"])
    port = _free_port()
    server = subprocess.Popen(
        [*MYOTOME, "serve", "--no-migrate", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        _wait_for(server, "running at")
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        for password in ("wrong", "demo"):  # a failed sign-in (an anonymous count, updated in place), then the real one
            login = opener.open(f"{base}/accounts/login/").read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)
            assert token
            form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": "demo", "password": password}).encode()
            page = opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"}))
        assert page.url == f"{base}/" and "My active episodes" in page.read().decode()
        assert opener.open(f"{base}/patients/").status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
    with deployed.connect(deployed.owner) as owner:
        actions = {row[0] for row in owner.execute("SELECT action FROM audit_auditevent WHERE username = 'demo'")}
        assert {"login_failed", "login", "view"} <= actions
        assert owner.execute("SELECT count FROM audit_anonymouscount").fetchall() == [(1,)]


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "UPDATE audit_auditevent SET detail = 'rewritten'",
        "INSERT INTO audit_maintenance (txid) VALUES (txid_current())",
        "DELETE FROM audit_maintenance",
    ],
)
def test_the_app_role_may_not_remove_rewrite_or_unlock_the_audit_log(deployed: Cluster, sql: str) -> None:
    with deployed.connect(deployed.app) as app:
        before = app.execute("SELECT count(*) FROM audit_auditevent").fetchone()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for table audit_"):
            app.execute(sql)
        assert app.execute("SELECT count(*) FROM audit_auditevent").fetchone() == before


def test_the_app_role_reads_and_appends_to_the_audit_log(deployed: Cluster) -> None:
    with deployed.connect(deployed.app) as app:
        app.execute("INSERT INTO audit_auditevent (at, username, action, record_type, record_id, path, detail) "
                    "VALUES (now(), 'appended', 'view', '', '', '', '')")  # fmt: skip
        assert app.execute("SELECT count(*) FROM audit_auditevent WHERE username = 'appended'").fetchone() == (1,)


def test_audit_prune_is_refused_to_the_app_role_and_works_for_the_owner(deployed: Cluster, tmp_path: Path) -> None:
    export = tmp_path / "old.jsonl"
    args = ["audit-prune", "--before", "2021-01-01", "--export", str(export)]
    as_app = subprocess.run([*MYOTOME, *args], env=_env(deployed, deployed.app, deployed.base["HOME"]), capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert as_app.returncode == 1
    message = " ".join(as_app.stderr.split())
    assert f"the database role '{deployed.app}' may not remove audit events" in message
    assert "run audit-prune with the DATABASE_URL of the role that owns the tables" in message and "Nothing was removed." in message
    assert not export.exists()
    as_owner = subprocess.run([*MYOTOME, *args], env=_env(deployed, deployed.owner, deployed.base["HOME"]), capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert as_owner.returncode == 0, as_owner.stderr
    assert "Exported and removed 1 audit event" in as_owner.stdout and export.read_text().count("\n") == 1
    with deployed.connect(deployed.owner) as owner:
        assert owner.execute("SELECT count(*) FROM audit_auditevent WHERE username = 'old'").fetchone() == (0,)


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
