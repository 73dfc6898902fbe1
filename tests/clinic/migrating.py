"""Moving the test database through its migrations, for the tests of a migration's data step.

A test that goes back to an app's early migration also unapplies every app that depends on it
(sessions and outcomes depend on exams, which depends on patients), so it must come back to
:func:`latest`, every app's last migration, or the tests after it find tables missing.
"""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(target: list[tuple[str, str]]) -> MigrationExecutor:
    """Migrate the test database to ``target``; the executor tells the state there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor


def latest() -> list[tuple[str, str]]:
    """Every app's latest migration."""
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())
