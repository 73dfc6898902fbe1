"""``myotome outcomes``: score an outcome measure and list the measures (no Django)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from myotome.cli.outcomes_run import num, run
from myotome.cli.output import stdout_console
from myotome.outcomes import load_measures
from myotome.outcomes.definitions import Measure
from myotome.outcomes.scoring import mcid_json

app = typer.Typer(help="Score outcome measures (NPRS, PSFS, QuickDASH, ODI, NDI, LEFS, ...) and list them.", no_args_is_help=True)

AsJson = Annotated[bool, typer.Option("--json", help="Print a JSON object instead of text.")]

WORDING = {
    "project": "wording shipped (the project's own)",
    "licensed": "licensed: wording not shipped",
    "unconfirmed": "terms unconfirmed: wording not shipped",
}


@app.command("score")
def score_command(
    measure: Annotated[str, typer.Argument(metavar="MEASURE", help="A measure id from `myotome outcomes list`, e.g. ndi.")],
    responses: Annotated[
        str,
        typer.Option(
            "--responses",
            metavar="JSON",
            help='Item values in order, null for missing: [1, 2, null, ...]; by part for measures with parts: {"items": [...], "work": [...]}; '
            'PSFS: {"activities": [{"name": "stairs", "score": 4}, ...]}.',
        ),
    ],
    as_json: AsJson = False,
) -> None:
    """Score one completed form by the measure's published rules.

    Exit status: 0 when scored or when too many items are missing (valid: false, with the reason);
    2 for an unknown measure or a malformed value (the message names the item and the allowed values).
    """
    status = run(measure, responses, as_json)
    if status:
        raise typer.Exit(status)


@app.command("list")
def list_command(as_json: AsJson = False) -> None:
    """The measures: range, which direction is better, MCID and licence status of the wording."""
    measures = load_measures().values()
    if as_json:
        sys.stdout.write(json.dumps([_describe(m) for m in measures], indent=2, ensure_ascii=False) + "\n")
        return
    table = Table(show_lines=False)
    for column in ("Measure", "Name", "Range", "Better", "MCID", "Wording"):
        table.add_column(column)
    for m in measures:
        table.add_row(m.id, m.name, _range(m), m.better, _mcid_text(m), WORDING[m.licence.wording])
    stdout_console().print(table)


def _describe(m: Measure) -> dict[str, Any]:
    return {
        "measure": m.id,
        "name": m.name,
        "instrument_version": m.instrument_version,
        "scoring_rule_version": m.scoring_rule_version,
        "range": list(m.range),
        "better": m.better,
        "mcid": mcid_json(m),
        "missing_rule": {"by": m.missing.by, "rule": m.missing.rule},
        "licence": {"wording": m.licence.wording, "note": m.licence.note},
        "sources": list(m.sources),
    }


def _range(m: Measure) -> str:
    return f"{num(m.range[0])}-{num(m.range[1])}"


def _mcid_text(m: Measure) -> str:
    return "not established" if m.mcid.value is None else num(m.mcid.value)
