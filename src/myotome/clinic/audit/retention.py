"""Retention: export the audit log's oldest events to a file, then remove them.

    prune(date(2020, 1, 1), Path("/backups/audit-before-2020.jsonl"), actor="root")

One transaction under audit maintenance: the events (and anonymous-event counts) from
before the date are written to a new JSON Lines file (mode 0600, never overwriting),
synced to disk, deleted, and the prune itself is recorded as an audit event. If
anything fails, nothing is deleted and the file is removed. A crash between the sync
and the commit leaves the rows in both places, never in neither.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, connection
from django.utils import timezone

from myotome.clinic.audit.maintenance import audit_maintenance
from myotome.clinic.audit.models import Action, AnonymousCount, AuditEvent
from myotome.clinic.audit.record import record_event

COMMAND = "myotome audit-prune"
EVENT_FIELDS = [
    "id",
    "at",
    "user_id",
    "username",
    "clinic_id",
    "owner_clinic_id",
    "action",
    "record_type",
    "record_id",
    "remote_addr",
    "path",
    "detail",
]
COUNT_FIELDS = ["id", "address", "hour", "action", "count"]


class PruneError(Exception):
    """The prune was refused or failed; nothing was removed."""


@dataclass(frozen=True)
class Pruned:
    events: int
    counts: int
    export: Path


def cutoff_for(before: date) -> datetime:
    """Midnight at the start of ``before`` in the clinic's time zone (MYOTOME_TIME_ZONE)."""
    return datetime.combine(before, time.min, tzinfo=timezone.get_current_timezone())


def prune(before: date, export: Path, *, actor: str) -> Pruned:
    """Export and remove audit events and anonymous counts from before ``before`` (see the module's docstring)."""
    today = timezone.localdate()
    if before > today:
        raise PruneError(f"--before {before.isoformat()} is in the future; give a date up to today ({today.isoformat()})")
    cutoff = cutoff_for(before)
    handle = _create(export)
    try:
        with handle, audit_maintenance():
            events = _write(handle, "audit_event", AuditEvent.objects.filter(at__lt=cutoff).order_by("id").values(*EVENT_FIELDS))
            counts = _write(handle, "anonymous_count", AnonymousCount.objects.filter(hour__lt=cutoff).order_by("id").values(*COUNT_FIELDS))
            handle.flush()
            os.fsync(handle.fileno())
            _sync_folder(export.parent)
            removed = _delete_events(cutoff)
            if removed != events:
                raise PruneError(f"{removed} events matched when deleting but {events} were exported; nothing was removed, try again")
            AnonymousCount.objects.filter(hour__lt=cutoff).delete()
            record_event(
                None,
                Action.DELETE,
                record_type="audit_log",
                username=actor,
                clinic=None,
                path=COMMAND,
                detail=f"retention: {events} events and {counts} anonymous counts before {before.isoformat()} exported to {export.name} and removed",
            )
    except BaseException as exc:
        export.unlink(missing_ok=True)
        if isinstance(exc, DatabaseError) and "permission denied" in str(exc).lower():
            user = connection.settings_dict.get("USER") or "this role"
            raise PruneError(
                f"the database role {user!r} may not remove audit events ({str(exc).strip()}); run audit-prune with the "
                "DATABASE_URL of the role that owns the tables (the one that runs migrations). Nothing was removed."
            ) from exc
        raise
    return Pruned(events, counts, export)


def _create(export: Path) -> IO[str]:
    """A new file readable by its owner only: never an existing one, never world-readable even for a moment."""
    if not export.parent.is_dir():
        raise PruneError(f"--export {export}: the folder {export.parent} does not exist")
    try:
        fd = os.open(export, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise PruneError(f"--export {export} already exists; give a new file name (audit-prune never overwrites a file)") from None
    except OSError as exc:
        raise PruneError(f"--export {export}: cannot create it ({exc.strerror})") from None
    os.fchmod(fd, 0o600)  # whatever the umask
    return os.fdopen(fd, "w", encoding="utf-8")


def _write(handle: IO[str], table: str, rows: Any) -> int:
    written = 0
    for row in rows.iterator(chunk_size=2000):
        handle.write(json.dumps({"table": table, **row}, default=_json_value, ensure_ascii=False) + "\n")
        written += 1
    return written


def _json_value(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _delete_events(cutoff: datetime) -> int:
    """Delete the exported events with SQL: the ORM refuses to delete audit events, by design."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    value = AuditEvent._meta.get_field("at").get_db_prep_value(cutoff, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE at < %s", [value])  # the table name is the model's own
        return int(cursor.rowcount)
