"""``myotome assess`` and ``myotome schema``: run the engine on assessment documents."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from myotome.cli.assess_run import run


class Format(StrEnum):
    json = "json"
    text = "text"


def assess(
    source: Annotated[str, typer.Argument(metavar="FILE|-", help="An assessment document (JSON), or - for standard input.")],
    output: Annotated[Format, typer.Option("--format", "-f", help="json (the result object) or text (a readable report).")] = Format.json,
    batch: Annotated[bool, typer.Option("--batch", help="Read JSON Lines: one document per line, one result line each, in order.")] = False,
) -> None:
    """Rank the likely segments and plan the needling for an assessment document.

    Exit status: 0 on success, 1 if any batch line failed, 2 for an invalid document or an unreadable file.
    """
    status = run(source, output.value, batch)
    if status:
        raise typer.Exit(status)


schema_app = typer.Typer(help="Print the JSON Schema of a document format.", no_args_is_help=True)


@schema_app.command("assessment")
def schema_assessment() -> None:
    """The JSON Schema of the assessment document (format version 1)."""
    import json

    from myotome import exam

    sys.stdout.write(json.dumps(exam.json_schema(), indent=2) + "\n")
