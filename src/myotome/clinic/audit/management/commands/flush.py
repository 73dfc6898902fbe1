"""Django's ``flush`` with the audit maintenance switch on for its transaction.

``flush`` empties every table, and Django's test cases run it between transactional
tests (pytest-django's ``transactional_db``, ``live_server``); the database would
otherwise refuse to remove the audit rows. It is an operator's command that asks
for confirmation and is never run by the app; on PostgreSQL the app's own role
(docs/deployment.md) cannot run it at all.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from myotome.clinic.audit.maintenance import audit_maintenance


class Command(flush.Command):
    help = flush.Command.help + " Audit events are removed too (under audit maintenance)."

    def handle(self, **options: Any) -> None:
        with audit_maintenance(options["database"]):
            super().handle(**options)
