"""The work behind ``myotome assess``, kept free of Typer and Rich.

``myotome assess FILE`` is the command scripts call in a loop, so :func:`main` in
``myotome.cli`` hands its plain forms straight to :func:`run` without building the
Typer app; anything else (``--help``, unknown options) goes through Typer as usual.
"""

from __future__ import annotations

import json
import sys
from typing import Any

FORMATS = ("json", "text")


def run(source: str, output: str = "json", batch: bool = False) -> int:
    """Assess ``source`` (a path, or ``-`` for standard input); return the exit status."""
    text = _read(source)
    if text is None:
        return 2
    if batch:
        return _batch(text)
    name = "standard input" if source == "-" else source
    if not text.strip():
        sys.stderr.write(f"{name} is empty: expected an assessment document (a JSON object; see `myotome schema assessment`)\n")
        return 2
    from myotome import exam
    from myotome.engine import assess
    from myotome.kb import load_kb

    kb = load_kb()
    try:
        result = assess(text, kb)
    except exam.InvalidAssessment as exc:
        count = len(exc.problems)
        sys.stderr.write(f"{name}: not a valid assessment ({count} problem{'s' if count > 1 else ''}):\n")
        sys.stderr.writelines(f"  - {problem}\n" for problem in exc.problems)
        return 2
    if output == "json":
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        _print_report(result, kb)
    return 0


def parse_plain(args: list[str]) -> tuple[str, str, bool] | None:
    """``FILE|- [--format json|text | -f ...] [--batch]``, or None for anything else."""
    source: str | None = None
    output, batch = "json", False
    rest = iter(args)
    for arg in rest:
        if arg == "--batch":
            batch = True
        elif arg in ("--format", "-f"):
            output = next(rest, "")
            if output not in FORMATS:
                return None
        elif arg.startswith("--format="):
            output = arg.partition("=")[2]
            if output not in FORMATS:
                return None
        elif arg == "-" or not arg.startswith("-"):
            if source is not None:
                return None
            source = arg
        else:
            return None
    return (source, output, batch) if source is not None else None


def _read(source: str) -> str | None:
    if source == "-":
        return sys.stdin.read()
    try:
        with open(source, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        sys.stderr.write(f"cannot read {source}: {exc.strerror}\n")
        return None


def _batch(text: str) -> int:
    from myotome import exam
    from myotome.engine import assess
    from myotome.kb import load_kb

    kb = load_kb()
    failed = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        doc: Any = None
        try:
            doc = json.loads(line)
            res = assess(doc, kb).to_json()
        except json.JSONDecodeError as exc:
            res = {"id": None, "line": number, "error": exam.json_problem(exc, line=number)}
        except exam.InvalidAssessment as exc:
            res = {"id": doc.get("id") if isinstance(doc, dict) else None, "line": number, "error": "; ".join(exc.problems)}
        failed = failed or "error" in res
        sys.stdout.write(json.dumps(res, ensure_ascii=False, separators=(",", ":")) + "\n")
    return 1 if failed else 0


def _print_report(result: Any, kb: Any) -> None:
    from myotome.cli.output import stdout_console
    from myotome.report import render_text

    stdout_console().print(render_text(result, kb))
