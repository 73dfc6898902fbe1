"""Refuse DELETE (and, on PostgreSQL, TRUNCATE) of audit rows in the database itself,
except inside an explicit audit maintenance transaction.

The switch is a row in ``audit_maintenance``, a table with no Django model, inserted
and removed inside the maintenance transaction by ``myotome.clinic.audit.maintenance``
(used by ``myotome audit-prune`` and by ``flush``, which the test suite runs between
transactional tests). No other transaction ever sees that row: on SQLite the writer
holds the database's only write lock, and on PostgreSQL the trigger also requires the
row to carry the current transaction's id. On PostgreSQL the application can run as a
role with no rights on ``audit_maintenance`` and no DELETE or TRUNCATE on the audit
table (docs/deployment.md), so it can neither delete rows nor turn the switch on.

SQLite drops a table's triggers when Django rebuilds the table (some ALTERs): a later
migration that rebuilds ``audit_auditevent`` must create these triggers again; the
tests that try UPDATE and DELETE after migrating would catch it.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# One statement per string (a trigger body's semicolons stay inside its statement), run
# with the migration's own cursor so that the migration stays one transaction.
SQLITE_UP = [
    """CREATE TABLE audit_maintenance (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        opened_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
    )""",
    """CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance)
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE is refused outside audit maintenance'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
    "DROP TABLE IF EXISTS audit_maintenance",
]

POSTGRES_UP = [
    """CREATE TABLE audit_maintenance (
        txid bigint PRIMARY KEY DEFAULT txid_current(),
        opened_at timestamptz NOT NULL DEFAULT now()
    )""",
    """CREATE FUNCTION audit_auditevent_refuse_delete() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM audit_maintenance WHERE txid = txid_current()) THEN
            IF TG_LEVEL = 'ROW' THEN RETURN OLD; END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit events are append-only: % is refused outside audit maintenance', TG_OP;
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_delete()""",
    """CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_delete()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_refuse_delete()",
    "DROP TABLE IF EXISTS audit_maintenance",
]


def _run(sql: dict[str, list[str]]) -> Any:
    def apply(apps: Any, schema_editor: Any) -> None:
        with schema_editor.connection.cursor() as cursor:
            for statement in sql.get(schema_editor.connection.vendor, []):
                cursor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_refused_lookup_owner_clinic")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
