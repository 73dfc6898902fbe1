"""The audit maintenance switch: the only way audit rows may be removed from the database.

    with audit_maintenance():        # one transaction; the switch is off again when it ends
        cursor.execute("DELETE FROM audit_auditevent WHERE at < %s", [cutoff])

The database refuses DELETE (and TRUNCATE) of audit rows unless the current
transaction has turned this switch on (see migration 0004). Two callers only, both
deliberate maintenance: ``myotome audit-prune`` (``retention.py``) and ``flush``
(``management/commands/flush.py``), which empties every table for the test suite.
A test keeps every other module from using it; request handling never does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

# The row that turns the switch on, and the statement that removes it, per database.
_ON = {
    "sqlite": "INSERT INTO audit_maintenance (id) VALUES (1) ON CONFLICT DO NOTHING",
    "postgresql": "INSERT INTO audit_maintenance (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING",
}
_OFF = {
    "sqlite": "DELETE FROM audit_maintenance",
    "postgresql": "DELETE FROM audit_maintenance WHERE txid = txid_current()",
}


class UnsupportedDatabase(RuntimeError):
    """The audit trail's protections (triggers, the maintenance switch) exist only for SQLite and PostgreSQL."""


@contextmanager
def audit_maintenance(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block in a transaction (a savepoint inside one) that may delete audit rows.

    The switch row is written inside that transaction: other connections never see it,
    and a failure in the block rolls it back with everything else.
    """
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in _ON:
        raise UnsupportedDatabase(f"audit maintenance supports SQLite and PostgreSQL, not the {vendor} database")
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute(_ON[vendor])
            # Nested use (already on in this transaction) must not turn it off for the outer block.
            turned_on = cursor.rowcount == 1
        yield
        if turned_on:
            with connection.cursor() as cursor:
                cursor.execute(_OFF[vendor])
