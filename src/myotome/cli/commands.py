"""The ``myotome`` Typer app: every command, registered in one place."""

from __future__ import annotations

from typing import Annotated

import typer

from myotome.cli.assess import assess, schema_app
from myotome.cli.kb import app as kb_app
from myotome.cli.outcomes import app as outcomes_app
from myotome.cli.version import print_version
from myotome.clinic.accounts.commands import reset_second_factor, unlock
from myotome.clinic.audit.commands import audit_prune
from myotome.clinic.cli import backup, createuser, demo, doctor, restore, serve

app = typer.Typer(
    name="myotome",
    help="Myotome: a clinical workbench for Intramuscular Stimulation (IMS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def options(
    version: Annotated[
        bool, typer.Option("--version", callback=print_version, is_eager=True, help="Print the installed version and exit.")
    ] = False,
) -> None:
    """Myotome: a clinical workbench for Intramuscular Stimulation (IMS)."""


app.add_typer(kb_app, name="kb")
app.add_typer(schema_app, name="schema")
app.add_typer(outcomes_app, name="outcomes")
app.command()(assess)
# The clinic commands import Django inside their functions: `myotome kb` stays Django-free.
app.command()(serve)
app.command()(demo)
app.command()(createuser)
app.command()(doctor)
app.command()(unlock)
app.command("reset-second-factor")(reset_second_factor)
app.command("audit-prune")(audit_prune)
app.command()(backup)
app.command()(restore)
