"""Refuse, in the database itself, any change to a signed session or its rows, and any
change to an insertion once made (insertions are append-only), so that raw SQL or a
bulk update cannot rewrite a signed record either.

DELETE of what the lock protects is refused outside audit maintenance (the switch of
audit migration 0004, which ``flush`` turns on to empty the test database). SQLite
drops a table's triggers when Django rebuilds the table: a later migration that
rebuilds one of these tables must create its triggers again (the lock tests would
catch it).
"""

from __future__ import annotations

from django.db import migrations

from myotome.clinic.signing import MAINTENANCE_POSTGRES, MAINTENANCE_SQLITE, run_per_vendor

SIGNED = "'a signed session cannot change: add an addendum instead'"
ROWS = ["treatments_sessionstep", "treatments_insertion", "treatments_rangemeasure", "treatments_adverseevent"]


def _sqlite_up() -> list[str]:
    out = [
        f"""CREATE TRIGGER treatments_session_signed_no_update BEFORE UPDATE ON treatments_session
        WHEN OLD.status = 'signed' BEGIN SELECT RAISE(ABORT, {SIGNED}); END""",
        f"""CREATE TRIGGER treatments_session_signed_no_delete BEFORE DELETE ON treatments_session
        WHEN OLD.status = 'signed' AND {MAINTENANCE_SQLITE} BEGIN SELECT RAISE(ABORT, {SIGNED}); END""",
        """CREATE TRIGGER treatments_insertion_no_update BEFORE UPDATE ON treatments_insertion
        BEGIN SELECT RAISE(ABORT, 'insertions are append-only'); END""",
        f"""CREATE TRIGGER treatments_insertion_no_delete BEFORE DELETE ON treatments_insertion
        WHEN {MAINTENANCE_SQLITE} BEGIN SELECT RAISE(ABORT, 'insertions are append-only'); END""",
        """CREATE TRIGGER treatments_addendum_no_update BEFORE UPDATE ON treatments_addendum
        BEGIN SELECT RAISE(ABORT, 'addenda cannot change'); END""",
        f"""CREATE TRIGGER treatments_addendum_no_delete BEFORE DELETE ON treatments_addendum
        WHEN {MAINTENANCE_SQLITE} BEGIN SELECT RAISE(ABORT, 'addenda cannot change'); END""",
    ]
    signed = "(SELECT status FROM treatments_session WHERE id = {row}.session_id) = 'signed'"
    for table in ROWS:
        out += [
            f"""CREATE TRIGGER {table}_signed_no_insert BEFORE INSERT ON {table}
            WHEN {signed.format(row="NEW")} BEGIN SELECT RAISE(ABORT, {SIGNED}); END""",
            f"""CREATE TRIGGER {table}_signed_no_update BEFORE UPDATE ON {table}
            WHEN {signed.format(row="OLD")} BEGIN SELECT RAISE(ABORT, {SIGNED}); END""",
            f"""CREATE TRIGGER {table}_signed_no_delete BEFORE DELETE ON {table}
            WHEN {signed.format(row="OLD")} AND {MAINTENANCE_SQLITE} BEGIN SELECT RAISE(ABORT, {SIGNED}); END""",
        ]
    return out


def _sqlite_down() -> list[str]:
    names = [
        "treatments_session_signed_no_update",
        "treatments_session_signed_no_delete",
        "treatments_insertion_no_update",
        "treatments_insertion_no_delete",
        "treatments_addendum_no_update",
        "treatments_addendum_no_delete",
    ]
    names += [f"{t}_signed_no_{op}" for t in ROWS for op in ("insert", "update", "delete")]
    return [f"DROP TRIGGER IF EXISTS {n}" for n in names]


# PostgreSQL: one function decides for every table; TG_TABLE_NAME says which rule applies.
POSTGRES_FUNCTION = f"""CREATE FUNCTION treatments_refuse_signed() RETURNS trigger AS $$
DECLARE
    maintenance boolean := {MAINTENANCE_POSTGRES};
    session_status text;
BEGIN
    IF TG_TABLE_NAME = 'treatments_session' THEN
        IF OLD.status = 'signed' AND NOT (TG_OP = 'DELETE' AND maintenance) THEN
            RAISE EXCEPTION {SIGNED};
        END IF;
    ELSIF TG_TABLE_NAME IN ('treatments_insertion', 'treatments_addendum') AND TG_OP <> 'INSERT' AND NOT (TG_OP = 'DELETE' AND maintenance) THEN
        RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME;
    END IF;
    IF TG_TABLE_NAME <> 'treatments_session' AND TG_TABLE_NAME <> 'treatments_addendum' THEN
        SELECT status INTO session_status FROM treatments_session
        WHERE id = (CASE WHEN TG_OP = 'INSERT' THEN NEW.session_id ELSE OLD.session_id END);
        IF session_status = 'signed' AND NOT (TG_OP = 'DELETE' AND maintenance) THEN
            RAISE EXCEPTION {SIGNED};
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql"""


def _postgres_up() -> list[str]:
    out = [POSTGRES_FUNCTION]
    for table, ops in [("treatments_session", "UPDATE OR DELETE"), ("treatments_addendum", "UPDATE OR DELETE")] + [
        (t, "INSERT OR UPDATE OR DELETE") for t in ROWS
    ]:
        out.append(f"CREATE TRIGGER {table}_lock BEFORE {ops} ON {table} FOR EACH ROW EXECUTE FUNCTION treatments_refuse_signed()")
    return out


def _postgres_down() -> list[str]:
    tables = ["treatments_session", "treatments_addendum", *ROWS]
    return [f"DROP TRIGGER IF EXISTS {t}_lock ON {t}" for t in tables] + ["DROP FUNCTION IF EXISTS treatments_refuse_signed()"]


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_initial"), ("audit", "0004_append_only_delete")]

    operations = [
        migrations.RunPython(
            run_per_vendor({"sqlite": _sqlite_up(), "postgresql": _postgres_up()}),
            run_per_vendor({"sqlite": _sqlite_down(), "postgresql": _postgres_down()}),
        )
    ]
