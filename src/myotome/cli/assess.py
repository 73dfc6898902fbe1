"""``myotome assess`` and ``myotome schema``: run the engine on assessment documents."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console

# The engine (pydantic, the KB) is imported inside the commands, so that other
# commands and --help start without it.

_err = Console(stderr=True, highlight=False)


class Format(StrEnum):
    json = "json"
    text = "text"


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        with open(source, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        _err.print(f"[red]cannot read {source}: {exc.strerror}[/red]")
        raise typer.Exit(2) from exc


def assess(
    source: Annotated[str, typer.Argument(metavar="FILE|-", help="An assessment document (JSON), or - for standard input.")],
    output: Annotated[Format, typer.Option("--format", "-f", help="json (the result object) or text (a readable report).")] = Format.json,
    batch: Annotated[bool, typer.Option("--batch", help="Read JSON Lines: one document per line, one result line each, in order.")] = False,
) -> None:
    """Rank the likely segments and plan the needling for an assessment document."""
    from myotome import exam
    from myotome.kb import load_kb
    from myotome.report import assess as run_assessment
    from myotome.report import render_text

    text = _read(source)
    if batch:
        _batch(text)
        return
    kb = load_kb()
    try:
        res = run_assessment(text, kb)
    except exam.InvalidAssessment as exc:
        _err.print(f"[red]{source}: not a valid assessment ({len(exc.problems)} problem{'s' if len(exc.problems) > 1 else ''}):[/red]")
        for problem in exc.problems:
            _err.print(f"  - {problem}", markup=False)
        raise typer.Exit(2) from exc
    if output is Format.json:
        sys.stdout.write(json.dumps(res, ensure_ascii=False, indent=2) + "\n")
    else:
        console = Console(highlight=False)
        if not console.is_terminal:  # a file or pipe: wide enough that tables do not wrap names
            console = Console(highlight=False, width=120)
        console.print(render_text(res, exam.parse_assessment(text), kb))


def _batch(text: str) -> None:
    from myotome import exam
    from myotome.kb import load_kb
    from myotome.report import assess as run_assessment

    kb = load_kb()
    failed = False
    out = sys.stdout
    for line in text.splitlines():
        if not line.strip():
            continue
        doc: Any = None
        try:
            doc = json.loads(line)
            res = run_assessment(doc, kb)
        except json.JSONDecodeError as exc:
            res = {"id": None, "error": f"not valid JSON: {exc.msg} at column {exc.colno}"}
        except exam.InvalidAssessment as exc:
            res = {"id": doc.get("id") if isinstance(doc, dict) else None, "error": "; ".join(exc.problems)}
        failed = failed or "error" in res
        out.write(json.dumps(res, ensure_ascii=False, separators=(",", ":")) + "\n")
    if failed:
        raise typer.Exit(1)


schema_app = typer.Typer(help="Print the JSON Schema of a document format.", no_args_is_help=True)


@schema_app.command("assessment")
def schema_assessment() -> None:
    """The JSON Schema of the assessment document (format version 1)."""
    from myotome import exam

    sys.stdout.write(json.dumps(exam.json_schema(), indent=2) + "\n")
