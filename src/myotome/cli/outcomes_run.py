"""The work behind ``myotome outcomes score``, kept free of Typer and Rich.

Scoring is called from scripts and from the clinic's import jobs, so :func:`myotome.cli.main`
hands the plain form ``outcomes score MEASURE --responses JSON [--json]`` straight to :func:`run`;
anything else (``--help``, a misspelt option) goes through Typer as usual.
"""

from __future__ import annotations

import json
import sys

from myotome.outcomes import OutcomeInputError, score
from myotome.outcomes.scoring import Score


def run(measure: str, responses: str, as_json: bool) -> int:
    """Score one form and print it; return the exit status (0 scored or not scorable, 2 malformed)."""
    try:
        parsed = json.loads(responses)
    except json.JSONDecodeError as exc:
        return _fail(f"--responses is not valid JSON ({exc.msg} at character {exc.pos})")
    try:
        result = score(measure.lower(), parsed)
    except OutcomeInputError as exc:
        return _fail(str(exc))
    sys.stdout.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n" if as_json else text(result))
    return 0


def parse_plain(args: list[str]) -> tuple[str, str, bool] | None:
    """``MEASURE --responses JSON [--json]`` (also ``--responses=JSON``), or None for anything else."""
    measure: str | None = None
    responses: str | None = None
    as_json = False
    rest = iter(args)
    for arg in rest:
        if arg == "--json":
            as_json = True
        elif arg == "--responses":
            responses = next(rest, None)
        elif arg.startswith("--responses="):
            responses = arg.partition("=")[2]
        elif arg.startswith("-") or measure is not None:
            return None
        else:
            measure = arg
    if measure is None or responses is None:
        return None
    return measure, responses, as_json


def text(result: Score) -> str:
    """The readable form: score on its range and direction, subscales, reason, MCID, missing-item rule."""
    m = result.measure
    head = f"{m.name} ({m.id}): " + (
        f"{num(result.score)} on {num(m.range[0])}-{num(m.range[1])}, {m.better} is better" if result.score is not None else "not scored"
    )
    lines = [head]
    lines += [f"  {name}: {'not scored' if value is None else num(value)}" for name, value in result.subscales.items()]
    if result.reason:
        lines.append(f"  {result.reason}")
    lines.append("  MCID: " + ("not established" if m.mcid.value is None else f"{num(m.mcid.value)} ({m.mcid.source})"))
    lines.append(f"  missing items: {result.missing_rule}")
    return "\n".join(lines) + "\n"


def num(value: float) -> str:
    return f"{value:g}"


def _fail(message: str) -> int:
    sys.stderr.write(f"error: {message}\n")
    return 2
