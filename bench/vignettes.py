"""Clinical vignette benchmark: how well the engine localises and plans textbook cases.

Run it from the repository root::

    python bench/vignettes.py              # failures table and summary
    python bench/vignettes.py --verbose    # every vignette, and the plan of each failure
    python bench/vignettes.py --json       # the summary as JSON

Each vignette in ``bench/vignettes.json`` is an assessment document (format v1) with the
answer a clinician would give from textbook patterns. The runner loads the knowledge
base once, runs :func:`myotome.engine.assess` on every document and counts:

- top-1: the top-ranked segment is ``expect.level`` or one of ``expect.acceptable``;
- top-3: one of those levels is among the first three ranked entries;
- side: the side of the top entry equals ``expect.side`` (left, right or bilateral);
- plan rules, each as passed/total:
  (a) paraspinal first: every step before the first non-paraspinal step is paraspinal;
  (b) proximal before distal: the peripheral steps' muscle ranks never decrease;
  (c) required muscles (``expect.plan.muscles``) are all in the plan's steps;
  (d) excluded muscles (``expect.plan.absent``) are in none of its steps;
  (e) required warnings (``expect.plan.warnings``, case-insensitive substrings) each
      appear in some plan warning;
- unresolved: vignettes marked ``"unresolved": true`` have at least one name reported
  under ``unresolved``.

It is a benchmark, not a test: it exits 0 whatever the accuracy, and 1 only when the
data file is malformed or a document fails validation.

Adding a vignette
-----------------
Append an object to the ``vignettes`` list in ``bench/vignettes.json``::

    {
      "name": "c6-right-classic",                  # unique, kebab-case
      "document": {"id": "vignette-c6-right-classic", "complaint": {...}, "findings": [...]},
      "expect": {
        "level": "C6",                             # the expected top segment
        "acceptable": ["C5"],                      # optional: only where textbooks disagree
        "side": "right",                           # left | right | bilateral
        "plan": {                                  # optional
          "muscles": ["supinator"],                # muscle ids that must be steps
          "absent": ["psoas_major"],               # muscle ids that must not be steps
          "warnings": ["pneumothorax"]             # substrings some warning must contain
        },
        "unresolved": true                         # optional: the document misspells a name on purpose
      },
      "note": "Why this is the answer, and the reason for any 'acceptable' level."
    }

Write the case from the textbook pattern first and run the engine afterwards; never
change an expected answer to make the engine pass. Check every name with
``myotome kb muscle|region|movement|reflex|condition|precaution NAME`` and run
``pytest tests/test_vignettes_data.py``, which checks the data (not the accuracy).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from myotome.engine import assess
from myotome.exam import InvalidAssessment, parse_assessment
from myotome.kb import KnowledgeBase, load_kb

DATA = Path(__file__).resolve().with_name("vignettes.json")
SIDES = ("left", "right", "bilateral")
PLAN_CHECKS = ("muscles", "absent", "warnings")
RULES = {
    "paraspinal_first": "(a) paraspinal steps first",
    "proximal_to_distal": "(b) proximal before distal",
    "required_muscles": "(c) required muscles present",
    "absent_muscles": "(d) excluded muscles absent",
    "required_warnings": "(e) required warnings present",
    "unresolved_reported": "misspelled names reported",
}


class DataError(Exception):
    """The vignette file or one of its documents is malformed."""


@dataclass(frozen=True)
class Expect:
    level: str
    side: str
    acceptable: tuple[str, ...] = ()
    muscles: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    unresolved: bool = False

    @property
    def levels(self) -> tuple[str, ...]:
        return (self.level, *self.acceptable)


@dataclass(frozen=True)
class Vignette:
    name: str
    document: dict[str, Any]
    expect: Expect
    note: str


@dataclass
class Outcome:
    """One vignette's result: what the engine said and which checks passed."""

    vignette: Vignette
    top: list[tuple[str, str, float]]  # (segment, side, score), best first
    top1: bool
    top3: bool
    side: bool
    rules: dict[str, bool]  # rule key -> passed, only for the rules that apply
    problems: list[str] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.top1 and self.side and all(self.rules.values())


# ---------------------------------------------------------------------------
# Loading


def load_vignettes(path: Path, kb: KnowledgeBase) -> list[Vignette]:
    """Read and check the data file; raise DataError naming every problem found."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: cannot read the vignettes: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("vignettes"), list):
        raise DataError(f"{path}: expected an object with a 'vignettes' list")
    problems: list[str] = []
    vignettes: list[Vignette] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["vignettes"]):
        where = f"vignettes[{i}]"
        try:
            vignette = _vignette(raw, kb)
        except DataError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if vignette.name in seen:
            problems.append(f"{where}: duplicate name '{vignette.name}'")
        seen.add(vignette.name)
        try:
            parse_assessment(vignette.document)
        except InvalidAssessment as exc:
            problems.extend(f"{where} ({vignette.name}): document: {p}" for p in exc.problems)
            continue
        vignettes.append(vignette)
    if problems:
        raise DataError("\n".join(problems))
    return vignettes


def _vignette(raw: Any, kb: KnowledgeBase) -> Vignette:
    if not isinstance(raw, dict):
        raise DataError("expected an object")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise DataError("'name' must be a non-empty string")
    document = raw.get("document")
    if not isinstance(document, dict):
        raise DataError(f"{name}: 'document' must be an object")
    expect = raw.get("expect")
    if not isinstance(expect, dict):
        raise DataError(f"{name}: 'expect' must be an object")
    level = expect.get("level")
    if not isinstance(level, str) or level not in kb.segments:
        raise DataError(f"{name}: expect.level {level!r} is not a segment")
    acceptable = expect.get("acceptable", [])
    if not isinstance(acceptable, list) or any(a not in kb.segments for a in acceptable):
        raise DataError(f"{name}: expect.acceptable must be a list of segments")
    side = expect.get("side")
    if side not in SIDES:
        raise DataError(f"{name}: expect.side must be one of {', '.join(SIDES)}")
    plan = expect.get("plan", {})
    if not isinstance(plan, dict) or set(plan) - set(PLAN_CHECKS):
        raise DataError(f"{name}: expect.plan may hold only {', '.join(PLAN_CHECKS)}")
    for key in ("muscles", "absent"):
        unknown = [m for m in plan.get(key, []) if m not in kb.muscles]
        if unknown:
            raise DataError(f"{name}: expect.plan.{key}: not muscle ids: {', '.join(map(str, unknown))}")
    return Vignette(
        name=name,
        document=document,
        expect=Expect(
            level=level,
            side=side,
            acceptable=tuple(acceptable),
            muscles=tuple(plan.get("muscles", [])),
            absent=tuple(plan.get("absent", [])),
            warnings=tuple(plan.get("warnings", [])),
            unresolved=bool(expect.get("unresolved", False)),
        ),
        note=str(raw.get("note", "")),
    )


# ---------------------------------------------------------------------------
# Scoring


def evaluate(vignette: Vignette, kb: KnowledgeBase) -> Outcome:
    result = assess(vignette.document, kb).to_json()
    expect = vignette.expect
    ranked = result["segments"]
    top = [(s["segment"], s["side"], float(s["score"])) for s in ranked[:3]]
    problems: list[str] = []

    top1 = bool(top) and top[0][0] in expect.levels
    top3 = any(seg in expect.levels for seg, _, _ in top)
    side = bool(top) and top[0][1] == expect.side
    if not top1:
        problems.append(f"top segment {top[0][0] if top else 'none'}, expected {'/'.join(expect.levels)}")
    if not side:
        problems.append(f"top side {top[0][1] if top else 'none'}, expected {expect.side}")

    steps = result["plan"]["steps"]
    step_ids = {s["muscle"]["id"] for s in steps}
    warnings = [w.lower() for w in result["plan"]["warnings"]]
    rules: dict[str, bool] = {}

    first_peripheral = next((i for i, s in enumerate(steps) if s["region"] != "paraspinal"), len(steps))
    late_paraspinal = [s["order"] for s in steps[first_peripheral:] if s["region"] == "paraspinal"]
    rules["paraspinal_first"] = not late_paraspinal
    if late_paraspinal:
        problems.append(f"paraspinal step(s) {late_paraspinal} after a peripheral step")

    ranks = [(s["order"], kb.muscles[s["muscle"]["id"]].rank_order) for s in steps if s["region"] != "paraspinal"]
    inversions = [f"#{b[0]} before #{a[0]}" for a, b in itertools.pairwise(ranks) if b[1] < a[1]]
    rules["proximal_to_distal"] = not inversions
    if inversions:
        problems.append(f"distal step before proximal: step {inversions[0]} should come first")

    if expect.muscles:
        missing = [m for m in expect.muscles if m not in step_ids]
        rules["required_muscles"] = not missing
        if missing:
            problems.append(f"plan lacks {', '.join(missing)}")
    if expect.absent:
        present = [m for m in expect.absent if m in step_ids]
        rules["absent_muscles"] = not present
        if present:
            problems.append(f"plan needles excluded {', '.join(present)}")
    if expect.warnings:
        lacking = [w for w in expect.warnings if not any(w.lower() in text for text in warnings)]
        rules["required_warnings"] = not lacking
        if lacking:
            problems.append(f"no warning mentions {', '.join(repr(w) for w in lacking)}")
    if expect.unresolved:
        rules["unresolved_reported"] = bool(result["unresolved"])
        if not result["unresolved"]:
            problems.append("the misspelled name is not listed under unresolved")
    elif result["unresolved"]:
        # Not an engine failure: the vignette itself uses a name the KB does not know.
        names = ", ".join(u["name"] for u in result["unresolved"])
        problems.append(f"DATA: unexpected unresolved name(s) {names}; fix the vignette")

    return Outcome(vignette, top, top1, top3, side, rules, problems, result)


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    n = len(outcomes)

    def share(count: int, total: int) -> dict[str, Any]:
        return {"passed": count, "total": total, "rate": round(count / total, 3) if total else None}

    rules = {}
    for key in RULES:
        applicable = [o for o in outcomes if key in o.rules]
        rules[key] = share(sum(o.rules[key] for o in applicable), len(applicable))
    return {
        "vignettes": n,
        "top1": share(sum(o.top1 for o in outcomes), n),
        "top3": share(sum(o.top3 for o in outcomes), n),
        "side": share(sum(o.side for o in outcomes), n),
        "plan_rules": rules,
        "failures": [{"name": o.vignette.name, "problems": o.problems} for o in outcomes if not o.passed or o.problems],
    }


# ---------------------------------------------------------------------------
# Output


def _expected_text(expect: Expect) -> str:
    alt = f" (or {', '.join(expect.acceptable)})" if expect.acceptable else ""
    return f"{expect.level}{alt} {expect.side}"


def _top_text(top: list[tuple[str, str, float]]) -> str:
    return "\n".join(f"{seg} {side} {score:.2f}" for seg, side, score in top) or "none"


def render(outcomes: list[Outcome], summary: dict[str, Any], console: Console, verbose: bool) -> None:
    shown = outcomes if verbose else [o for o in outcomes if not o.passed or o.problems]
    table = Table(title="All vignettes" if verbose else "Failing vignettes", title_justify="left", show_lines=True)
    table.add_column("", no_wrap=True)
    table.add_column("Vignette", overflow="fold")
    table.add_column("Expected", no_wrap=True)
    table.add_column("Got (top 3)", no_wrap=True)
    table.add_column("What went wrong", overflow="fold")
    for o in shown:
        mark = "[green]✓[/green]" if o.passed and not o.problems else "[red]✗[/red]"
        table.add_row(mark, o.vignette.name, _expected_text(o.vignette.expect), _top_text(o.top), "\n".join(o.problems))
    if shown:
        console.print(table)
    else:
        console.print("[green]No failing vignettes.[/green]")

    if verbose:
        for o in outcomes:
            if o.passed and not o.problems:
                continue
            plan = o.result["plan"]
            console.print(f"\n[bold]{o.vignette.name}[/bold]: {o.vignette.note}", highlight=False)
            for seg in o.result["segments"][:2]:
                lines = "; ".join(f"{e['reason']} ({e['contribution']:.2f})" for e in seg["evidence"][:4])
                console.print(f"  {seg['segment']} {seg['side']} {seg['score']:.2f}: {lines}", highlight=False)
            steps = ", ".join(f"{s['order']}. {s['muscle']['id']} ({s['side']}, {s['region']})" for s in plan["steps"]) or "none"
            console.print(f"  plan: {steps}", highlight=False)
            for w in plan["warnings"]:
                console.print(f"  warning: {w[:110]}{'…' if len(w) > 110 else ''}", highlight=False)

    def line(label: str, s: dict[str, Any]) -> str:
        rate = f"{s['rate']:.0%}" if s["rate"] is not None else "n/a"
        return f"{label:<34} {s['passed']:>3}/{s['total']:<3} {rate:>5}"

    console.print(f"\n[bold]Summary[/bold]: {summary['vignettes']} vignettes")
    console.print(line("top-1 accuracy", summary["top1"]), highlight=False)
    console.print(line("top-3 accuracy", summary["top3"]), highlight=False)
    console.print(line("side accuracy", summary["side"]), highlight=False)
    for key, label in RULES.items():
        console.print(line(label, summary["plan_rules"][key]), highlight=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the clinical vignette benchmark and print accuracy numbers.")
    parser.add_argument("--verbose", action="store_true", help="list every vignette and explain each failure")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON instead of tables")
    args = parser.parse_args(argv)

    kb = load_kb()
    try:
        vignettes = load_vignettes(DATA, kb)
    except DataError as exc:
        print(f"bench/vignettes.py: the vignette data is malformed:\n{exc}", file=sys.stderr)
        return 1
    outcomes = [evaluate(v, kb) for v in vignettes]
    summary = summarise(outcomes)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        render(outcomes, summary, Console(), args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
