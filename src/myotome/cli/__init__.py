"""The ``myotome`` command."""

from __future__ import annotations

import typer

from myotome.cli.assess import assess, schema_app
from myotome.cli.kb import app as kb_app

app = typer.Typer(
    name="myotome",
    help="Myotome: a clinical workbench for Intramuscular Stimulation (IMS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(kb_app, name="kb")
app.add_typer(schema_app, name="schema")
app.command()(assess)


def main() -> None:
    app()
