"""Refuse UPDATE of audit rows in the database itself, so that raw SQL or a buggy
bulk update cannot rewrite history either.

DELETE is refused by the application (model, queryset, admin) but not here: test
databases are emptied between tests with DELETE, and a retention policy may one
day need to purge old rows through a deliberate, reviewed migration.
(Migration 0004 refuses DELETE too, outside an explicit maintenance transaction.)
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_auditevent_no_update;"

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION audit_auditevent_refuse_update() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit events are append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_update();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_auditevent_no_update ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_refuse_update();
"""


def _run(sql: dict[str, str]) -> Any:
    def apply(apps: Any, schema_editor: Any) -> None:
        statements = sql.get(schema_editor.connection.vendor)
        if statements:
            # Execute as one script: the trigger bodies contain semicolons.
            with schema_editor.connection.cursor() as cursor:
                if schema_editor.connection.vendor == "sqlite":
                    cursor.connection.executescript(statements)
                else:
                    cursor.execute(statements)

    return apply


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
