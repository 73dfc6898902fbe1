"""``myotome kb``: look things up in the knowledge base."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from myotome.cli.output import stdout_console
from myotome.kb import describe as d
from myotome.kb import model as m
from myotome.kb.knowledge import KnowledgeBase
from myotome.kb.loader import KBError, load_kb
from myotome.kb.names import LookupFailed

app = typer.Typer(help="Look up muscles, regions, movements, reflexes, segments, vertebral levels and conditions.", no_args_is_help=True)

Names = Annotated[
    list[str],
    typer.Argument(
        metavar="NAME...",
        help='One or more names: canonical, abbreviation or plain words; quote a name of several words ("peroneus longus").',
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print a JSON array, one object per name, in order.")]

_err = Console(stderr=True, highlight=False, soft_wrap=True)


def _kb() -> KnowledgeBase:
    try:
        return load_kb()
    except KBError as exc:  # only a broken installation gets here
        _err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc


def _answer(
    names: list[str],
    as_json: bool,
    find: Callable[[KnowledgeBase, str], Any],
    describe: Callable[[KnowledgeBase, Any], dict[str, Any]],
    render: Callable[[KnowledgeBase, list[dict[str, Any]]], None],
) -> None:
    """Resolve each name, print every answer in order, exit 1 if any name failed."""
    kb = _kb()
    answers: list[dict[str, Any]] = []
    for name in names:
        try:
            answers.append({"query": name, **describe(kb, find(kb, name))})
        except LookupFailed as exc:
            answers.append({"query": name, "error": exc.message, "suggestions": exc.suggestions})
    if as_json:
        json.dump(answers, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        found = [a for a in answers if "error" not in a]
        if found:
            render(kb, found)
        for a in answers:
            if "error" in a:
                _err.print(f"[red]{escape(a['error'])}[/red]")
    if any("error" in a for a in answers):
        _hint_quotes(kb, names, find)
        raise typer.Exit(1)


def _hint_quotes(kb: KnowledgeBase, names: list[str], find: Callable[[KnowledgeBase, str], Any]) -> None:
    """`kb muscle peroneus longus` looks up two names; say so when the words together are one."""
    if len(names) < 2:
        return
    try:
        find(kb, " ".join(names))
    except LookupFailed:
        return
    command = find.__name__.removeprefix("find_")  # KnowledgeBase.find_muscle answers `kb muscle`
    _err.print(
        f'Each word was looked up as a name of its own; quote a name of several words: myotome kb {command} "{" ".join(names)}"',
        markup=False,
    )


def _roots(kb: KnowledgeBase, detail: list[dict[str, str]]) -> str:
    main = tuple(r["segment"] for r in detail if r["level"] == "main")
    minor = tuple(r["segment"] for r in detail if r["level"] == "minor")
    return d.roots_text(kb, m.Roots(main, minor))


def _render_muscles(kb: KnowledgeBase, answers: list[dict[str, Any]]) -> None:
    out = stdout_console()
    rows: list[dict[str, Any]] = []
    for a in answers:
        rows.extend(a["members"] if a["kind"] == "group" else [a])
        if a["kind"] == "group":
            out.print(
                f"[bold]{escape(a['name'])}[/bold] ({escape(a['query'])}): {len(a['members'])} muscles, roots {_roots(kb, a['roots_detail'])}"
            )
            if a["not_needled"]:
                out.print(f"  never needled through this group: {escape(', '.join(mu['name'] for mu in a['not_needled']))}")
    table = Table(title="Muscles", title_justify="left")
    for col in ("Muscle", "Nerve", "Roots (minor)", "Order (position)", "Depth"):
        table.add_column(col, overflow="fold")
    safety = Table(title="Needling and cautions", title_justify="left")
    for col in ("Muscle", "Needling", "Cautions"):
        safety.add_column(col, overflow="fold")
    for r in rows:
        order = r["rank"].replace("_", "/") + (f" ({r['position']})" if r["position"] is not None else "")
        table.add_row(r["name"], r["nerve"], _roots(kb, r["roots_detail"]), order, _depth_text(r))
        cautions = "; ".join(f"{c['kind']}: {c['structure'] or c['text']}" for c in r["cautions"])
        if r["needling"]["allowed"] != "yes" or cautions:
            safety.add_row(r["name"], _needling_text(r["needling"]), escape(cautions))
    out.print(table)
    if safety.row_count:
        out.print(safety)


def _depth_text(muscle: dict[str, Any]) -> str:
    depth = muscle["needle_depth"]
    text = str(muscle["depth"]).replace("_", " ")
    if depth:
        estimate = ", estimate" if depth["basis"] == "estimate" else ""
        text += f", {depth['mm'][0]}–{depth['mm'][1]} mm{estimate}, {depth['approach'].replace('_', ' ')}"
    return text


def _needling_text(needling: dict[str, Any]) -> str:
    if needling["allowed"] == "yes":
        return "yes"
    if needling["allowed"] == "caution":
        return f"[yellow]caution[/yellow]: {escape(needling['reason'] or '')}"
    return f"[bold red]NEVER[/bold red]: {escape(needling['reason'] or '')} ({', '.join(needling['sources'])})"


def _render_regions(kb: KnowledgeBase, answers: list[dict[str, Any]]) -> None:
    table = Table(title="Regions", title_justify="left")
    for col in ("You asked", "Region", "Dermatomes (primary first)", "Note"):
        table.add_column(col, overflow="fold")
    for a in answers:
        table.add_row(a["query"], a["name"], ", ".join(a["dermatomes"]), a["note"] or "")
    stdout_console().print(table)


def _render_movements(kb: KnowledgeBase, answers: list[dict[str, Any]]) -> None:
    table = Table(title="Movements", title_justify="left")
    for col in ("Movement", "Normal", "Roots (minor)", "Prime movers", "Assistants"):
        table.add_column(col, overflow="fold")
    for a in answers:
        normal = a["normal_range"]
        shown = f"{normal['value']:g} {'°' if normal['unit'] == 'deg' else 'mm'} ({normal['source']})" if normal else "functional"
        prime = ", ".join(mu["name"] for mu in a["muscles"] if mu["role"] == "prime mover")
        assist = ", ".join(mu["name"] for mu in a["muscles"] if mu["role"] == "assistant")
        table.add_row(a["name"], shown, _roots(kb, a["roots_detail"]), prime, assist)
    stdout_console().print(table)


def _render_reflexes(kb: KnowledgeBase, answers: list[dict[str, Any]]) -> None:
    table = Table(title="Reflexes", title_justify="left")
    for col in ("Reflex", "Roots (minor)", "Nerve", "Muscles", "Note"):
        table.add_column(col, overflow="fold")
    for a in answers:
        table.add_row(
            a["name"], _roots(kb, a["roots_detail"]), a["nerve"] or "", ", ".join(mu["name"] for mu in a["muscles"]), a["note"] or ""
        )
    stdout_console().print(table)


def _render_segments(kb: KnowledgeBase, answers: list[dict[str, Any]]) -> None:
    for a in answers:
        table = Table(title=f"{a['name']}" + (f": {a['full_name']}" if a["full_name"] else ""), title_justify="left", show_header=False)
        table.add_column("What", style="bold")
        table.add_column("Main / primary")
        table.add_column("Minor / secondary")
        for key, label, first in (
            ("muscles", "Muscles", "main"),
            ("regions", "Dermatome", "primary"),
            ("movements", "Movements", "main"),
            ("reflexes", "Reflexes", "main"),
        ):
            level = "dermatome" if key == "regions" else "level"
            table.add_row(
                label,
                ", ".join(x["name"] for x in a[key] if x[level] == first),
                ", ".join(x["name"] for x in a[key] if x[level] != first),
            )
        if a["vertebral_levels"]:
            table.add_row(
                "Vertebral levels", ", ".join(f"{lv['name']} ({lv['relation']}, {lv['weight']:g})" for lv in a["vertebral_levels"]), ""
            )
        stdout_console().print(table)


def _render_levels(kb: KnowledgeBase, answers: list[dict[str, Any]]) -> None:
    table = Table(title="Vertebral levels", title_justify="left")
    for col in ("Level", "Roots it implicates (weight)", "Paraspinal muscles, usual first", "Note"):
        table.add_column(col, overflow="fold")
    for a in answers:
        roots = ", ".join(f"{r['segment']} {r['relation']} ({r['weight']:g})" for r in a["roots"])
        table.add_row(a["name"], roots, ", ".join(mu["name"] for mu in a["paraspinal"]), escape(a["note"] or ""))
    stdout_console().print(table)


def _render_conditions(kb: KnowledgeBase, answers: list[dict[str, Any]]) -> None:
    for a in answers:
        table = Table(title=a["name"], title_justify="left", show_header=False)
        table.add_column("What", style="bold")
        table.add_column("Value", overflow="fold")
        table.add_row("Segments", _roots(kb, a["segments_detail"]))
        table.add_row("Muscles usually treated", ", ".join(mu["name"] for mu in a["muscles"]))
        table.add_row("Typical pain areas", ", ".join(r["name"] for r in a["regions"]))
        table.add_row("Confidence", a["confidence"])
        table.add_row("Note", a["note"] or "")
        table.add_row("Sources", ", ".join(a["sources"]))
        stdout_console().print(table)


def _level_range(levels: list[str]) -> str:
    return f"levels {levels[0]} to {levels[-1]}" if len(levels) > 1 else f"level {levels[0]}"


def _render_precautions(kb: KnowledgeBase, answers: list[dict[str, Any]]) -> None:
    for a in answers:
        table = Table(title=f"{a['name']} ({a['severity']})", title_justify="left", show_header=False)
        table.add_column("What", style="bold")
        table.add_column("Value", overflow="fold")
        table.add_row("Warning", a["warning"])
        for x in a["excludes"]:
            when = f" (trimester {', '.join(str(n) for n in x['trimesters'])} only)" if x["trimesters"] else ""
            what = ", ".join([mu["name"] for mu in x["muscles"]] + ([_level_range(x["levels"])] if x["levels"] else []))
            what = f": {escape(what)}" if what else ""
            table.add_row("Excludes", f"[bold]{escape(x['name'])}{when}[/bold]{what}. {escape(x['reason'])} ({', '.join(x['sources'])})")
        avoid = [x["name"] for x in a["avoid_regions"]] + [f"{z} zones" for z in a["avoid_zones"]]
        if avoid or a["avoid_local"]:
            table.add_row("Avoid", ", ".join(avoid) + (f"; {a['avoid_local']}" if a["avoid_local"] else ""))
        table.add_row("Dose", f"× {a['dose_factor']:g} of the usual maximum insertions")
        table.add_row("Sources", ", ".join(a["sources"]))
        stdout_console().print(table)


@app.command()
def muscle(names: Names, as_json: AsJson = False) -> None:
    """Muscles or muscle groups: nerve, roots (main first), order, depth, cautions."""
    _answer(names, as_json, KnowledgeBase.find_muscle, d.describe_muscle, _render_muscles)


@app.command()
def region(names: Names, as_json: AsJson = False) -> None:
    """Body regions in clinical or everyday words, with their dermatomes."""
    _answer(names, as_json, KnowledgeBase.find_region, d.describe_region, _render_regions)


@app.command()
def movement(names: Names, as_json: AsJson = False) -> None:
    """Movements: normal active range, myotome roots, prime movers."""
    _answer(names, as_json, KnowledgeBase.find_movement, d.describe_movement, _render_movements)


@app.command()
def reflex(names: Names, as_json: AsJson = False) -> None:
    """Reflexes and their roots."""
    _answer(names, as_json, KnowledgeBase.find_reflex, d.describe_reflex, _render_reflexes)


@app.command()
def segment(
    names: Annotated[list[str], typer.Argument(metavar="SEGMENT...", help='Segments such as C6, L5 or "CN XI".')], as_json: AsJson = False
) -> None:
    """What a segment supplies: muscles, dermatome regions, movements, reflexes."""
    _answer(names, as_json, KnowledgeBase.find_segment, d.describe_segment, _render_segments)


@app.command()
def level(
    names: Annotated[list[str], typer.Argument(help="Vertebral levels or interspaces such as C7, C7-T1, L4-L5 or occiput-C1.")],
    as_json: AsJson = False,
) -> None:
    """Vertebral levels and interspaces: the roots each implicates, with weights, and its paraspinal muscles."""
    _answer(names, as_json, KnowledgeBase.find_level, d.describe_level, _render_levels)


@app.command()
def condition(names: Names, as_json: AsJson = False) -> None:
    """Conditions: segments usually involved and muscles usually treated."""
    _answer(names, as_json, KnowledgeBase.find_condition, d.describe_condition, _render_conditions)


@app.command()
def precaution(names: Names, as_json: AsJson = False) -> None:
    """Patient precautions and what they mean for a needling plan."""
    _answer(names, as_json, KnowledgeBase.find_precaution, d.describe_precaution, _render_precautions)


def _value_text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v['factor']:g} ({v['label']})" if isinstance(v, dict) else f"{k}: {v:g}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return f"{value:g}"


@app.command()
def planning(as_json: AsJson = False) -> None:
    """The planner's numbers: dose, involved segments, needle lengths; each cited or marked a convention."""
    answer = d.describe_planning(_kb())
    if as_json:
        print(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    table = Table(title="Planning numbers (planning.yaml)", title_justify="left", show_lines=True, expand=True)
    table.add_column("Number", ratio=1, overflow="fold")
    table.add_column("Value; basis and why", ratio=4, overflow="fold")
    table.add_column("Sources", ratio=1, overflow="fold")
    for e in answer["entries"]:
        value = f"[bold]{escape(_value_text(e['value']))}[/bold]\n{e['basis']}: {escape(e['reason'])}"
        table.add_row(e["name"].replace("_", " "), value, ", ".join(e["sources"]))
    stdout_console().print(table)


@app.command()
def stats(as_json: AsJson = False) -> None:
    """How much the knowledge base holds."""
    kb = _kb()
    counts = kb.counts()
    if as_json:
        print(json.dumps({"version": kb.version, **{k.replace(" ", "_"): v for k, v in counts.items()}}, indent=2))
        return
    table = Table(title=f"Myotome knowledge base {kb.version}", title_justify="left")
    table.add_column("Records")
    table.add_column("Count", justify="right")
    for key, value in counts.items():
        table.add_row(key, str(value))
    stdout_console().print(table)


@app.command()
def check(
    path: Annotated[Path, typer.Argument(metavar="DIRECTORY", help="A directory of KB YAML files.", exists=True, file_okay=False)],
) -> None:
    """Check a data directory (for editing the KB): every problem, with file, record and field."""
    try:
        kb = load_kb(path)
    except KBError as exc:
        _err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from exc
    stdout_console().print(f"[green]OK[/green]: {', '.join(f'{v} {k}' for k, v in kb.counts().items())}")
