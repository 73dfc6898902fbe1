"""Online, consistent backups of the clinic's database, and restoring one.

A backup is a file in the database's own format, so that the usual tools read it too:

- SQLite: a copy made with SQLite's backup API (a consistent snapshot while the app keeps
  serving), in rollback-journal mode so that it is one self-contained file, with one extra
  table, ``myotome_backup``, saying when it was taken and by which version.
- PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot as of its start); when it
  was taken is read back from the archive's header.

Both are written owner-only (0600) under a temporary name beside the target and renamed into
place once complete, so a failed backup leaves no file that looks like a good one; an existing
file is never overwritten.

Restoring replaces the whole database with the backup's content: whatever happened after the
backup was taken (the audit trail of it included) is gone, which the command says before it
starts. It refuses a backup whose schema is newer than this version knows, brings an older one
up to date with the migrations, and records an audit event saying what was restored and from
when. On SQLite it uses the backup API in the other direction (one atomic replacement, even
while the app runs); on PostgreSQL it replays the archive with ``psql --single-transaction``
after dropping the schema in that same transaction, so a failure changes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
INFO_TABLE = "myotome_backup"


class BackupError(Exception):
    """A backup or restore that cannot be done, said in words."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    vendor: str  # "sqlite" or "postgresql"
    taken_at: datetime
    version: str  # the Myotome version that wrote it ("" when unknown)
    migrations: frozenset[tuple[str, str]]  # (app, migration) applied in it

    def describe(self) -> str:
        return f"{self.path.name}, taken {self.taken_at:%Y-%m-%d %H:%M:%S %Z}"


# -- the PostgreSQL tools ------------------------------------------------------------------------


@dataclass(frozen=True)
class PgTools:
    pg_dump: str
    pg_restore: str
    psql: str
    major: int  # pg_dump's major version


def pg_tools() -> PgTools:
    """pg_dump, pg_restore and psql from MYOTOME_PG_BIN or the PATH, all of one major version."""
    folder = os.environ.get("MYOTOME_PG_BIN", "").strip()
    found = {}
    for name in ("pg_dump", "pg_restore", "psql"):
        path = shutil.which(name, path=folder) if folder else shutil.which(name)
        if path is None:
            where = f"in MYOTOME_PG_BIN={folder}" if folder else "on the PATH"
            raise BackupError(
                f"{name} was not found {where}: install PostgreSQL's client programs of the server's major version "
                "(Debian: apt-get install postgresql-client) or set MYOTOME_PG_BIN to their folder, e.g. /usr/lib/postgresql/16/bin"
            )
        found[name] = path
    majors = {name: _major(path) for name, path in found.items()}
    if len(set(majors.values())) != 1:
        raise BackupError(
            f"the PostgreSQL client programs are of different versions ({majors}); set MYOTOME_PG_BIN to one version's folder"
        )
    return PgTools(found["pg_dump"], found["pg_restore"], found["psql"], majors["pg_dump"])


def _major(program: str) -> int:
    out = subprocess.run([program, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"\) (\d+)", out) or re.search(r"(\d+)\.", out)
    if not match:
        raise BackupError(f"cannot tell the version of {program} from {out.strip()!r}")
    return int(match.group(1))


def server_major() -> int:
    from django.db import connection

    return int(connection.pg_version) // 10000


def pg_tools_for_server() -> PgTools:
    """The tools, checked against the server: pg_dump cannot dump a server newer than itself."""
    tools = pg_tools()
    server = server_major()
    if tools.major < server:
        raise BackupError(
            f"pg_dump {tools.major} cannot back up PostgreSQL {server}: install the PostgreSQL {server} client programs "
            f"(Debian: postgresql-client-{server}) and set MYOTOME_PG_BIN to their folder, e.g. /usr/lib/postgresql/{server}/bin"
        )
    return tools


def _libpq_environment(db: dict[str, Any]) -> dict[str, str]:
    """Connection settings for pg_dump, pg_restore and psql: in the environment, so the password is on no command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    pairs = {"PGDATABASE": db["NAME"], "PGUSER": db["USER"], "PGPASSWORD": db["PASSWORD"], "PGHOST": db["HOST"], "PGPORT": db["PORT"]}
    env.update({k: str(v) for k, v in pairs.items() if v})
    for option, value in db.get("OPTIONS", {}).items():
        if option in {"sslmode", "sslrootcert", "sslcert", "sslkey", "application_name", "connect_timeout"}:
            env[f"PG{option.upper().replace('_', '')}" if option != "application_name" else "PGAPPNAME"] = str(value)
    return env


# -- writing a backup ----------------------------------------------------------------------------


@contextmanager
def _private_file(target: Path) -> Iterator[Path]:
    """A new owner-only file beside ``target``, renamed to it when the block succeeds and removed when it fails."""
    if target.exists():
        raise BackupError(f"{target} already exists: give a new file name (e.g. with the date in it); a backup never overwrites a file")
    if not target.parent.is_dir():
        raise BackupError(f"cannot write {target}: the folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise BackupError(f"cannot write {target}: {exc.strerror}") from None
    try:
        yield partial
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def backup(target: Path, version: str) -> BackupInfo:
    """Write a backup of the configured database to ``target`` (a new file, mode 0600)."""
    from django.db import connection

    taken_at = datetime.now(UTC).replace(microsecond=0)
    with _private_file(target) as partial:
        if connection.vendor == "sqlite":
            _sqlite_backup(Path(connection.settings_dict["NAME"]), partial, taken_at, version)
        else:
            tools = pg_tools_for_server()
            _run(
                [tools.pg_dump, "--format=custom", "--no-owner", f"--file={partial}"],
                env=_libpq_environment(connection.settings_dict),
                what="pg_dump",
            )
    return read_info(target)


def _sqlite_backup(database: Path, partial: Path, taken_at: datetime, version: str) -> None:
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=60)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)  # one step: a consistent snapshot, while other processes keep writing to the WAL
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        copy.execute(f"CREATE TABLE {INFO_TABLE} (taken_at TEXT NOT NULL, version TEXT NOT NULL)")
        copy.execute(f"INSERT INTO {INFO_TABLE} VALUES (?, ?)", (taken_at.isoformat(), version))
        copy.commit()
    except sqlite3.Error as exc:
        raise BackupError(f"the SQLite backup of {database} failed: {exc}") from None
    finally:
        copy.close()
        source.close()


def _run(command: list[str], *, env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit status {result.returncode}): {result.stderr.strip()[:2000]}")
    return result.stdout


# -- reading one -------------------------------------------------------------------------------------


def read_info(path: Path) -> BackupInfo:
    """What a backup file holds: its database, when it was taken, its schema."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    if head.startswith(SQLITE_MAGIC):
        return _sqlite_info(path)
    if head.startswith(PGDUMP_MAGIC):
        return _pgdump_info(path)
    raise BackupError(f"{path} is neither a SQLite database nor a pg_dump archive (--format=custom): not a Myotome backup")


def _sqlite_info(path: Path) -> BackupInfo:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            migrations = frozenset((app, name) for app, name in db.execute("SELECT app, name FROM django_migrations"))
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            row = db.execute(f"SELECT taken_at, version FROM {INFO_TABLE}").fetchone() if INFO_TABLE in tables else None
    except sqlite3.Error as exc:
        raise BackupError(f"{path} is not a readable Myotome database: {exc}") from None
    if row is None:
        # A copy made another way (sqlite3's .backup): the file's time is the best there is.
        taken_at, version = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(microsecond=0), ""
    else:
        taken_at, version = datetime.fromisoformat(row[0]), row[1]
    return BackupInfo(path, "sqlite", taken_at, version, migrations)


def _pgdump_info(path: Path) -> BackupInfo:
    tools = pg_tools()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    listing = _run([tools.pg_restore, "--list", str(path)], env=env, what="pg_restore --list")
    created = re.search(r"Archive created at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (\S+)", listing)
    if created is None:
        raise BackupError(f"{path}: pg_restore --list shows no creation time")
    taken_at = datetime.strptime(created.group(1), "%Y-%m-%d %H:%M:%S")
    taken_at = taken_at.replace(tzinfo=UTC) if created.group(2) in {"UTC", "GMT"} else taken_at.astimezone()
    data = _run([tools.pg_restore, "--data-only", "--table=django_migrations", "--file=-", str(path)], env=env, what="pg_restore")
    rows = re.search(r"COPY public\.django_migrations \([^)]*\) FROM stdin;\n(.*?)\n\\\.", data, re.S)
    if rows is None:
        raise BackupError(f"{path} holds no django_migrations table: not a Myotome backup")
    migrations = frozenset((cols[1], cols[2]) for cols in (line.split("\t") for line in rows.group(1).splitlines()))
    return BackupInfo(path, "postgresql", taken_at, "", migrations)


# -- restoring ------------------------------------------------------------------------------------


def check_restorable(info: BackupInfo) -> None:
    """Refuse a backup of another kind of database, or with a schema newer than this version knows."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    if info.vendor != connection.vendor:
        kinds = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"{info.path} is a {kinds[info.vendor]} backup but DATABASE_URL names a {kinds[connection.vendor]} database: "
            "restore it into the kind of database it came from"
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(info.migrations - known)
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:3])
        raise BackupError(
            f"{info.path} was made by a newer Myotome: its schema has {len(unknown)} migration{'s' if len(unknown) != 1 else ''} "
            f"this version does not know ({names}{', ...' if len(unknown) > 3 else ''}); install that version or a newer one to restore it"
        )


def restore(info: BackupInfo) -> None:
    """Replace the configured database with the backup's content (checked with ``check_restorable`` first)."""
    from django.db import connection, connections

    settings = dict(connection.settings_dict)
    connections.close_all()
    if info.vendor == "sqlite":
        _sqlite_restore(info.path, Path(settings["NAME"]), timeout=settings["OPTIONS"].get("timeout", 20))
    else:
        _pg_restore(info.path, settings)


def _sqlite_restore(backup_file: Path, database: Path, timeout: float) -> None:
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    target = sqlite3.connect(database, timeout=timeout)
    try:
        source.backup(target)  # one atomic replacement: the app's connections see the old database or the restored one
        target.execute(f"DROP TABLE IF EXISTS {INFO_TABLE}")
        target.commit()
    except sqlite3.Error as exc:
        raise BackupError(f"restoring into {database} failed, nothing was changed: {exc}") from None
    finally:
        target.close()
        source.close()


def _pg_restore(backup_file: Path, settings: dict[str, Any]) -> None:
    import tempfile

    tools = pg_tools_for_server()
    env = _libpq_environment(settings)
    # pg_restore writes the archive as SQL (to a private temporary file, checked complete before use);
    # psql runs it after dropping the schema, all in one transaction: a failure changes nothing.
    with tempfile.TemporaryDirectory(prefix="myotome-restore-") as folder:
        script = Path(folder) / "restore.sql"
        _run([tools.pg_restore, "--no-owner", f"--file={script}", str(backup_file)], env=env, what="pg_restore (nothing was changed)")
        _run(
            [
                tools.psql,
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                "--command=DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
                f"--file={script}",
            ],
            env=env,
            what="restoring with psql (nothing was changed)",
        )


# -- the audit trail and its age ------------------------------------------------------------------


def record(action: str, command: str, detail: str) -> None:
    """An audit event for a backup or a restore, by the system user running the command."""
    import getpass

    from myotome.clinic.audit.record import record_event

    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    record_event(
        None,
        action,
        user=None,
        username=f"system user {who}",
        clinic=None,
        record_type="database",
        path=f"myotome {command}",
        detail=detail,
    )


def last_backup() -> datetime | None:
    """When the last `myotome backup` finished, from the audit log (None: never)."""
    from myotome.clinic.audit.models import Action, AuditEvent

    latest = AuditEvent.objects.filter(record_type="database", action=Action.EXPORT).order_by("-at").values_list("at", flat=True).first()
    return latest
