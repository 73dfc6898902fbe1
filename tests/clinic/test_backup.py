"""`myotome backup` and `myotome restore`, run as an operator would, on the database the suite runs on
(SQLite in a fresh MYOTOME_HOME, or a scratch PostgreSQL database when DATABASE_URL is a postgres:// URL)."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from myotome.clinic import config

from .test_commands import PASSWORD, _run, env  # noqa: F401 - env is the fixture

NEWER = ("patients", "9999_from_a_newer_release")


def _sql(environment: dict[str, str], sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run one statement on the command's database, directly."""
    db = config.database_settings(environment.get("DATABASE_URL") or f"sqlite:///{Path(environment['MYOTOME_HOME']) / 'myotome.sqlite3'}")
    if db["ENGINE"].endswith("sqlite3"):
        with sqlite3.connect(db["NAME"]) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(environment["DATABASE_URL"], autocommit=True) as connection:
        cursor = connection.execute(sql, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def _users(environment: dict[str, str]) -> set[str]:
    return {name for (name,) in _sql(environment, "SELECT username FROM auth_user")}


def test_1_a_backup_restores_what_was_there_and_the_restore_is_audited(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    assert _run(env, "demo", "--patients", "3").returncode == 0
    before = (_users(env), _sql(env, "SELECT count(*) FROM patients_patient")[0][0])
    target = tmp_path / "clinic.backup"
    made = _run(env, "backup", "-o", str(target))
    assert made.returncode == 0, made.stderr
    assert f"Backed up to {target}" in made.stdout and "mode 600" in made.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["clinic.backup"]  # no partial file left beside it
    # After the backup: a new user, and a patient's name changed.
    added = _run(env, "createuser", "later", "--clinic", "Riverside IMS Clinic", "--password-stdin", stdin=PASSWORD)
    assert added.returncode == 0, added.stderr
    _sql(env, "UPDATE patients_patient SET family_name = %s", "Changed")
    restored = _run(env, "restore", str(target), "--yes")
    assert restored.returncode == 0, restored.stderr
    said = " ".join(restored.stderr.split())
    assert "replaces everything in" in said and "is lost, and so is the audit trail of it" in said
    assert (_users(env), _sql(env, "SELECT count(*) FROM patients_patient")[0][0]) == before
    assert _sql(env, "SELECT count(*) FROM patients_patient WHERE family_name = %s", "Changed") == [(0,)]
    [(username, path, detail)] = _sql(
        env, "SELECT username, path, detail FROM audit_auditevent WHERE action = 'update' AND record_type = 'database'"
    )
    assert username.startswith("system user ") and path == "myotome restore"
    assert detail.startswith("database restored from a backup taken 20") and "(clinic.backup)" in detail
    assert "audit events included, is not in this database" in detail
    doctor = _run(env, "doctor")
    assert "ok   backup: none made with `myotome backup` yet" in doctor.stdout  # the backup's own event came after its snapshot


def test_2_doctor_reports_the_last_backup(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    assert _run(env, "backup", "-o", str(tmp_path / "second.backup")).returncode == 0
    doctor = _run(env, "doctor")
    assert "ok   backup: the last `myotome backup` finished 0 hours ago" in doctor.stdout, doctor.stdout
    assert "ok   server: `myotome serve` runs granian" in doctor.stdout
    if "DATABASE_URL" in env:
        assert "ok   pg_dump: " in doctor.stdout and "for PostgreSQL " in doctor.stdout


def test_2_a_backup_never_overwrites_a_file_and_a_failed_one_leaves_none(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    existing = tmp_path / "existing.backup"
    existing.write_text("keep me")
    refused = _run(env, "backup", "-o", str(existing))
    assert refused.returncode == 1 and "already exists: give a new file name" in refused.stderr
    assert existing.read_text() == "keep me"
    nowhere = _run(env, "backup", "-o", str(tmp_path / "missing" / "x.backup"))
    assert nowhere.returncode == 1 and "the folder" in nowhere.stderr and "does not exist" in nowhere.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.backup"]


def test_3_restore_refuses_a_backup_from_a_newer_release_and_changes_nothing(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    _sql(env, "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, CURRENT_TIMESTAMP)", *NEWER)
    target = tmp_path / "newer.backup"
    try:
        assert _run(env, "backup", "-o", str(target)).returncode == 0
    finally:
        _sql(env, "DELETE FROM django_migrations WHERE app = %s AND name = %s", *NEWER)
    users = _users(env)
    _sql(env, "UPDATE auth_user SET first_name = %s WHERE username = %s", "Kept", "demo")
    refused = _run(env, "restore", str(target), "--yes")
    assert refused.returncode == 1
    message = " ".join(refused.stderr.split())
    assert (
        "was made by a newer Myotome: its schema has 1 migration this version does not know (patients.9999_from_a_newer_release)" in message
    )
    assert "replaces everything" not in message  # refused before the warning: nothing was about to happen
    assert _users(env) == users and _sql(env, "SELECT first_name FROM auth_user WHERE username = 'demo'") == [("Kept",)]


def test_3_restore_asks_first_and_a_script_must_say_yes(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    target = tmp_path / "asked.backup"
    assert _run(env, "backup", "-o", str(target)).returncode == 0
    _sql(env, "UPDATE auth_user SET first_name = %s WHERE username = %s", "Unasked", "demo")
    piped = _run(env, "restore", str(target))
    assert piped.returncode == 2
    assert "is lost, and so is the audit trail of it" in " ".join(piped.stderr.split())  # the warning comes first
    assert "add --yes to restore from a script" in piped.stderr
    assert _sql(env, "SELECT first_name FROM auth_user WHERE username = 'demo'") == [("Unasked",)]


def test_3_restore_refuses_a_file_that_is_not_a_backup(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    refused = _run(env, "restore", str(notes), "--yes")
    assert refused.returncode == 1
    assert "is neither a SQLite database nor a pg_dump archive (--format=custom): not a Myotome backup" in " ".join(refused.stderr.split())


@pytest.mark.database("postgresql")
def test_a_sqlite_backup_is_not_restored_into_postgresql(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    sqlite_file = tmp_path / "from-a-laptop.sqlite3"
    with sqlite3.connect(sqlite_file) as db:
        db.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT, applied TEXT)")
    refused = _run(env, "restore", str(sqlite_file), "--yes")
    assert refused.returncode == 1
    assert "is a SQLite backup but DATABASE_URL names a PostgreSQL database" in " ".join(refused.stderr.split())


def _fake_pg_tools(folder: Path, version: str) -> None:
    """Client programs that only say their version: what an old postgresql-client package would answer."""
    folder.mkdir()
    for name in ("pg_dump", "pg_restore", "psql"):
        program = folder / name
        program.write_text(f'#!/bin/sh\necho "{name} (PostgreSQL) {version}"\n')
        program.chmod(0o755)


@pytest.mark.database("postgresql")
def test_pg_dump_missing_or_older_than_the_server_is_said_plainly(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    missing = _run({**env, "MYOTOME_PG_BIN": str(tmp_path / "nowhere")}, "backup", "-o", str(tmp_path / "a.backup"))
    assert missing.returncode == 1
    assert f"pg_dump was not found in MYOTOME_PG_BIN={tmp_path / 'nowhere'}: install PostgreSQL's client programs" in " ".join(
        missing.stderr.split()
    )
    _fake_pg_tools(tmp_path / "old", "9.6.24")
    old = {**env, "MYOTOME_PG_BIN": str(tmp_path / "old")}
    refused = _run(old, "backup", "-o", str(tmp_path / "b.backup"))
    assert refused.returncode == 1
    assert "pg_dump 9 cannot back up PostgreSQL 1" in refused.stderr and "set MYOTOME_PG_BIN to their folder" in refused.stderr
    doctor = _run(old, "doctor")
    assert doctor.returncode == 1 and "FAIL pg_dump: pg_dump 9 cannot back up PostgreSQL" in doctor.stdout
    assert not list(tmp_path.glob("*.backup")) and not list(tmp_path.glob(".*partial*"))
