"""The database itself keeps the audit log append-only: UPDATE, DELETE and (PostgreSQL)
TRUNCATE are refused to every connection, except DELETE/TRUNCATE inside an explicit
audit maintenance transaction, which only ``flush`` and ``audit-prune`` open.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from myotome.clinic.audit.maintenance import UnsupportedDatabase, audit_maintenance
from myotome.clinic.audit.models import Action, AuditEvent

from .conftest import World

SRC = Path(__file__).resolve().parents[2] / "src" / "myotome"
on_postgres = pytest.mark.database("postgresql")  # TRUNCATE and transaction ids are PostgreSQL's


def _events(n: int = 3) -> None:
    for i in range(n):
        AuditEvent.objects.create(action=Action.VIEW, record_type="patient", record_id=str(i))


def _refused(sql: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_the_database_refuses_deleting_events(db: None) -> None:
    _events()
    _refused("DELETE FROM audit_auditevent")
    _refused("DELETE FROM audit_auditevent WHERE record_id = '1'")
    assert AuditEvent.objects.count() == 3


@on_postgres
def test_postgres_refuses_truncating_events(db: None) -> None:
    _events()
    with connection.cursor() as cursor:  # TRUNCATE waits for no deferred foreign-key checks
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    _refused("TRUNCATE audit_auditevent")
    _refused("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.count() == 3


def test_updates_are_refused_even_under_maintenance(db: None) -> None:
    _events()
    with pytest.raises(DatabaseError, match="append-only"), audit_maintenance(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = 'rewritten'")
    assert not AuditEvent.objects.filter(detail="rewritten").exists()


def test_maintenance_allows_deleting_inside_its_own_transaction_only(db: None) -> None:
    _events()
    with audit_maintenance(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE record_id = '0'")
    assert AuditEvent.objects.count() == 2
    _refused("DELETE FROM audit_auditevent")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_maintenance")
        assert cursor.fetchone() == (0,)


def test_a_failure_under_maintenance_takes_the_switch_back_with_it(db: None) -> None:
    _events()
    with pytest.raises(ZeroDivisionError), audit_maintenance():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE record_id = '0'")
        1 / 0  # noqa: B018
    assert AuditEvent.objects.count() == 3
    _refused("DELETE FROM audit_auditevent")


def test_nested_maintenance_stays_on_until_the_outer_block_ends(db: None) -> None:
    _events()
    with audit_maintenance():
        with audit_maintenance():
            pass
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 0
    _events(1)
    _refused("DELETE FROM audit_auditevent")


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_table_too(world: World) -> None:
    world.client("alice").get(f"/patients/{world.patient.pk}/")
    assert AuditEvent.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    _events(1)
    _refused("DELETE FROM audit_auditevent")


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_can_leave_audit_rows_for_the_flush_between_tests(world: World) -> None:
    # pytest-django empties the database after this test with `flush`: it must get through the triggers.
    world.client("alice").get(f"/patients/{world.patient.pk}/")
    assert AuditEvent.objects.filter(action=Action.VIEW, user=world.alice).exists()


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_another_transaction_cannot_use_an_open_or_a_stale_switch(world: World) -> None:
    _events()
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        # A switch row left behind by a committed transaction turns nothing on.
        other.execute("INSERT INTO audit_maintenance (txid) VALUES (1)")
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            other.execute("DELETE FROM audit_auditevent")
        other.execute("DELETE FROM audit_maintenance")
        # Nor does one held open by another transaction.
        with audit_maintenance(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM audit_maintenance")
            assert cursor.fetchone() == (1,)
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                other.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 3


def test_only_maintenance_code_can_turn_the_switch_on() -> None:
    allowed = {
        "clinic/audit/maintenance.py",
        "clinic/audit/retention.py",
        "clinic/audit/management/commands/flush.py",
        "clinic/audit/migrations/0004_append_only_delete.py",
        # reads the switch in the triggers it builds (a signed record may go only under maintenance);
        # never turns it on
        "clinic/signing.py",
    }
    users = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "audit_maintenance" in path.read_text(encoding="utf-8") or "maintenance import" in path.read_text(encoding="utf-8")
    }
    assert users <= allowed, f"only audit maintenance code may use the switch: {sorted(users - allowed)}"
    assert "clinic/audit/maintenance.py" in users


def test_maintenance_on_a_database_without_the_audit_protections_is_refused_by_name(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection, "vendor", "mysql")
    with pytest.raises(UnsupportedDatabase, match="supports SQLite and PostgreSQL, not the mysql database"), audit_maintenance():
        raise AssertionError("the block ran: nothing may be deleted where the switch does not exist")
