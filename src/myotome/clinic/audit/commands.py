"""``myotome audit-prune``: the audit log's retention command (the work is in ``retention.py``).

Django is imported inside the command only, so that registering it keeps ``myotome kb``
and ``myotome assess`` fast. It never creates or migrates a database: pruning one that
does not exist or is not migrated is refused in words.
"""

from __future__ import annotations

import getpass
import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from myotome.clinic import config

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)


def audit_prune(
    before: Annotated[str, typer.Option(metavar="DATE", help="Remove events from before this day (YYYY-MM-DD, in MYOTOME_TIME_ZONE).")],
    export: Annotated[Path, typer.Option(metavar="FILE", help="A new file to write the removed events to first (JSON Lines, mode 0600).")],
) -> None:
    """Export audit events older than a date to a file, then remove them from the database (one transaction, itself audited)."""
    try:
        day = date.fromisoformat(before.strip())
    except ValueError:
        raise _fail(f"--before must be a date written YYYY-MM-DD, e.g. 2024-01-01; got {before!r}") from None
    _setup_django()
    from myotome.clinic.audit.retention import PruneError, prune

    try:
        pruned = prune(day, export.expanduser().absolute(), actor=_os_user())
    except PruneError as exc:
        raise _fail(str(exc), 1) from exc
    _out.print(
        f"Exported and removed {pruned.events} audit event{'s' if pruned.events != 1 else ''} "
        f"and {pruned.counts} anonymous-event count{'s' if pruned.counts != 1 else ''} from before {day.isoformat()}; "
        f"the export is {pruned.export} (readable by you only). Keep it as long as your retention policy says."
    )


def _fail(message: str, code: int = 2) -> typer.Exit:
    _err.print(f"audit-prune: {message}", markup=False)
    return typer.Exit(code)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (e.g. in a container)
        return f"uid {os.getuid()}"


def _setup_django() -> None:
    try:
        home = config.home_dir()
        settings = config.database_settings(config.database_url(home))
    except config.ConfigError as exc:
        raise _fail(f"configuration: {exc}") from exc
    if settings["ENGINE"].endswith("sqlite3") and not Path(settings["NAME"]).exists():
        raise _fail(f"no database at {settings['NAME']}: there is no audit log to prune", 1)
    os.environ["DJANGO_SETTINGS_MODULE"] = "myotome.clinic.settings"
    try:
        import django

        django.setup()
    except config.ConfigError as exc:
        raise _fail(f"configuration: {exc}") from exc
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise _fail(f"the database ({config.describe_database(settings)}) is not fully migrated: run `myotome serve` once, then prune", 1)
