"""Retention: ``myotome audit-prune --before DATE --export FILE`` exports what it removes,
to a new owner-only file, in one transaction, and audits itself; anything wrong removes
nothing and leaves no file.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from myotome.clinic.audit.models import Action, AnonymousCount, AuditEvent
from myotome.clinic.audit.retention import PruneError, prune

from .conftest import World

OLD = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
CUTOFF = date(2025, 6, 1)


def _old_events(world: World) -> list[AuditEvent]:
    return [
        AuditEvent.objects.create(at=OLD, user=world.alice, username="alice", clinic=world.clinic_a, action=Action.VIEW, record_type="patient", record_id=str(world.patient.pk), path=f"/patients/{world.patient.pk}/", remote_addr="203.0.113.9"),
        AuditEvent.objects.create(at=OLD + timedelta(days=60), username="bob", action=Action.LOGIN_FAILED, detail="failure 1 of 5"),
    ]  # fmt: skip


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_it_exports_then_removes_what_is_older_than_the_date_and_audits_itself(world: World, tmp_path: Path) -> None:
    old = _old_events(world)
    recent = AuditEvent.objects.create(at=timezone.now(), action=Action.VIEW, record_type="patient")
    burst = AnonymousCount.objects.create(address="198.51.100.4", hour=OLD, action=Action.DENIED, count=500)
    export = tmp_path / "audit-2025.jsonl"

    pruned = prune(CUTOFF, export, actor="root")

    assert (pruned.events, pruned.counts) == (2, 1)
    lines = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    assert [(x["table"], x["id"]) for x in lines] == [("audit_event", old[0].pk), ("audit_event", old[1].pk), ("anonymous_count", burst.pk)]
    first = lines[0]
    assert first["username"] == "alice" and first["path"] == f"/patients/{world.patient.pk}/" and first["remote_addr"] == "203.0.113.9"
    assert datetime.fromisoformat(first["at"]) == OLD
    assert lines[2]["count"] == 500 and lines[2]["address"] == "198.51.100.4"
    assert _mode(export) == 0o600
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    assert not AnonymousCount.objects.exists()
    itself = AuditEvent.objects.get(action=Action.DELETE, record_type="audit_log")
    assert (itself.username, itself.path, itself.user, itself.clinic) == ("root", "myotome audit-prune", None, None)
    assert "2 events and 1 anonymous counts before 2025-06-01" in itself.detail and export.name in itself.detail


def test_the_export_is_owner_only_whatever_the_umask(world: World, tmp_path: Path) -> None:
    _old_events(world)
    previous = os.umask(0o277)  # would leave the file read-only, even for its owner
    try:
        prune(CUTOFF, tmp_path / "export.jsonl", actor="root")
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "export.jsonl") == 0o600


def test_it_never_overwrites_a_file_and_then_removes_nothing(world: World, tmp_path: Path) -> None:
    _old_events(world)
    export = tmp_path / "keep.jsonl"
    export.write_text("precious\n", encoding="utf-8")
    with pytest.raises(PruneError, match=r"--export .*keep\.jsonl already exists; give a new file name"):
        prune(CUTOFF, export, actor="root")
    assert export.read_text(encoding="utf-8") == "precious\n"
    assert AuditEvent.objects.filter(at__lt=timezone.now() - timedelta(days=30)).count() == 2


@pytest.mark.parametrize(
    ("before", "folder", "message"),
    [
        (date(2999, 1, 1), "", r"--before 2999-01-01 is in the future; give a date up to today \(\d{4}-\d\d-\d\d\)"),
        (CUTOFF, "no/such/folder", r"--export .*no/such/folder/x\.jsonl: the folder .*no/such/folder does not exist"),
    ],
)
def test_bad_arguments_are_refused_in_words(world: World, tmp_path: Path, before: date, folder: str, message: str) -> None:
    _old_events(world)
    export = tmp_path / folder / "x.jsonl"
    with pytest.raises(PruneError, match=message):
        prune(before, export, actor="root")
    assert not export.exists()
    assert AuditEvent.objects.count() == 2


@pytest.fixture
def poisoned_delete(db: None) -> Iterator[None]:
    """A real database failure during the DELETE: a trigger refusing one row (dropped with the test's transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER poison BEFORE DELETE ON audit_auditevent WHEN OLD.detail = 'poison' "
                "BEGIN SELECT RAISE(ABORT, 'poisoned row'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN IF OLD.detail = 'poison' THEN "
                "RAISE EXCEPTION 'poisoned row'; END IF; RETURN OLD; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute("CREATE TRIGGER poison BEFORE DELETE ON audit_auditevent FOR EACH ROW EXECUTE FUNCTION poison()")
    yield


def test_a_failure_while_deleting_removes_nothing_and_no_file_is_left(world: World, tmp_path: Path, poisoned_delete: None) -> None:
    _old_events(world)
    AuditEvent.objects.create(at=OLD, action=Action.VIEW, detail="poison")
    export = tmp_path / "x.jsonl"
    with pytest.raises(DatabaseError, match="poisoned row"):
        prune(CUTOFF, export, actor="root")
    assert not export.exists()
    assert AuditEvent.objects.count() == 3
    assert not AuditEvent.objects.filter(record_type="audit_log").exists()


# -- the command, as an operator runs it ---------------------------------------------------------

MYOTOME = [sys.executable, "-c", "from myotome.cli import main; main()"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated SQLite home, as `myotome serve` leaves it (whatever DATABASE_URL the suite runs on)."""
    folder = tmp_path_factory.mktemp("home")
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "MYOTOME_SECRET_KEY", "DATABASE_URL"}}
    env["MYOTOME_HOME"] = str(folder)
    created = subprocess.run([*MYOTOME, "demo", "--patients", "0"], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert created.returncode == 0, created.stderr
    with sqlite3.connect(folder / "myotome.sqlite3") as db:
        db.executemany(
            "INSERT INTO audit_auditevent (at, username, action, record_type, record_id, path, detail) VALUES (?, '', 'view', 'patient', ?, '', '')",
            [("2024-02-03 10:00:00", str(n)) for n in range(5)],
        )
    return env


def _prune(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MYOTOME, "audit-prune", *args], env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--before", "2024-13-01", "--export", "x"], 2, "--before must be a date written YYYY-MM-DD, e.g. 2024-01-01; got '2024-13-01'"),
        (["--before", "yesterday", "--export", "x"], 2, "got 'yesterday'"),
        (["--export", "x"], 2, "Missing option '--before'"),
    ],
)
def test_the_command_refuses_bad_arguments_in_words(home: dict[str, str], args: list[str], code: int, message: str) -> None:
    result = _prune(home, *args)
    assert result.returncode == code
    assert message in " ".join(result.stderr.split()), result.stderr
    assert "Traceback" not in result.stderr


def test_the_command_exports_and_removes(home: dict[str, str], tmp_path: Path) -> None:
    export = tmp_path / "audit-2024.jsonl"
    result = _prune(home, "--before", "2025-01-01", "--export", str(export))
    assert result.returncode == 0, result.stderr
    assert "Exported and removed 5 audit events and 0 anonymous-event counts from before 2025-01-01" in " ".join(result.stdout.split())
    assert len(export.read_text(encoding="utf-8").splitlines()) == 5 and _mode(export) == 0o600
    again = _prune(home, "--before", "2025-01-01", "--export", str(export))
    assert again.returncode == 1 and "already exists" in again.stderr
    with sqlite3.connect(Path(home["MYOTOME_HOME"]) / "myotome.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM audit_auditevent WHERE at < '2025-01-01'").fetchone() == (0,)
        assert (
            db.execute("SELECT username, path FROM audit_auditevent WHERE record_type = 'audit_log'").fetchall()[0][1]
            == "myotome audit-prune"
        )


def test_the_command_refuses_a_home_without_a_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env["MYOTOME_HOME"] = str(tmp_path)
    result = _prune(env, "--before", "2025-01-01", "--export", str(tmp_path / "x.jsonl"))
    assert result.returncode == 1 and "no database at" in result.stderr and "there is no audit log to prune" in result.stderr
    assert not (tmp_path / "myotome.sqlite3").exists()
