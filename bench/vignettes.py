"""Clinical vignette benchmark: how well the engine localises, screens and plans textbook cases.

Run it from the repository root::

    python bench/vignettes.py              # plan-quality summary and the failing vignettes
    python bench/vignettes.py --verbose    # every vignette, and the plan of each failure
    python bench/vignettes.py --json       # the summary as JSON

Each vignette in ``bench/vignettes.json`` is an assessment document (format 1.1) with the
answer a clinician would give from a cited textbook pattern. The runner loads the
knowledge base once, runs :func:`myotome.engine.assess` on every document and reads
everything from the result's JSON (``Result.to_json()``). A field the result lacks
counts as a failure of the figure that needs it, never as a crash.

Localisation (over the vignettes with an ``expect.level``)
  top-1 and top-3: the expected segment (or an ``acceptable`` one) ranks first / in the
  first three; side: the top entry's side is ``expect.side``.

Red flags (every vignette)
  recall: each code in ``expect.red_flags`` is in the result's ``red_flags`` (must be
  100%); false alarms: codes that fire where the vignette expects none of them (the
  classic benign cases expect none at all); no plan: ``expect.no_plan`` vignettes get no
  steps and a ``plan.blocked`` reason, the others are not blocked.

Plan quality (every vignette expected to get a plan)
  - banded muscles kept: each (tender band, side) of the exam is a step, or is listed in
    ``dropped`` with a named dose or safety ``code`` (dose, never_needled, precaution,
    contraindication, thoracic_forbidden, chest_side); must be 100%;
  - unexamined defaults: peripheral steps whose muscle the exam neither found banded nor
    weak (nor a prime mover of a weak movement), and paraspinal steps labelled
    suggestions, as a share of all steps; such steps not labelled ``suggestion``; plans
    whose defaults exceed ``planning.yaml``'s ``default_share`` of the session's insertions;
  - paraspinal first: the first step is paraspinal and none follows a peripheral step
    (plans whose every paraspinal step was dropped for safety are not counted);
  - order violations: paraspinal levels out of cranial-to-caudal order, or consecutive
    peripheral steps out of proximal-to-distal order by the KB's tier (``rank``) and, within
    a tier, ``position``;
  - the pneumothorax warning without a step over the thorax, a step over the thorax
    without it, and steps over the thorax on both sides of the chest (each must be 0). A
    step is over the thorax, by the KB's data as docs/assessment-format.md defines it, when
    its muscle has a lung caution and it is a paraspinal step at a thoracic level, or a
    peripheral step whose approach is neither onto bone nor a pincer grip;
  - normal findings scored: a negative or normal reflex, normal sensation, MRC 5 or a
    range within normal that the ranking cites as evidence (must be 0);
  - expected levels planned: each ``expect.plan.levels`` entry is a paraspinal step at that
    vertebral level and side (and for that root, when given).

Each vignette's own expectations are counted as checks (required and excluded muscles,
warnings that must and must not appear, levels that must not be needled, dropped muscles
with their reason, step cautions and segment roles, findings that must be scored), and
every vignette's ``classes`` get a pass rate, so a class the engine fails stands out.

It is a benchmark, not a test: it exits 0 whatever the accuracy, and 1 only when the
data file is malformed or a document fails validation.

Adding a vignette
-----------------
Append an object to the ``vignettes`` list in ``bench/vignettes.json``::

    {
      "name": "c6-right-classic",                    # unique, kebab-case
      "classes": ["root-localisation", "level-c5-c6", "benign-classic"],
      "sources": ["isncsci", "kendall"],             # references.yaml ids for the pattern
      "document": {"format": "1.1", "id": "vignette-c6-right-classic", ...},
      "expect": {
        "level": "C6", "acceptable": ["C5"], "side": "right",   # optional: localisation
        "red_flags": [],                             # codes that must fire; any other is a false alarm
        "no_plan": false,                            # true: the red flags withhold the plan
        "scored": [3],                               # findings the ranking must cite
        "plan": {
          "muscles": ["supinator", "suboccipitals"], # muscle ids, or group ids (any member)
          "absent": ["psoas_major"],
          "warnings": ["pneumothorax"],              # substrings some plan warning contains
          "no_warnings": ["pneumothorax"],           # substrings no plan warning may contain
          "levels": [{"level": "C5-C6", "side": "right", "root": "C6"}],
          "absent_levels": [{"level": "L5-S1"}],     # optional "side"
          "dropped": [{"muscle": "rhomboid_major", "code": "chest_side", "side": "left"}],
          "cautions": [{"muscle": "upper_trapezius", "contains": "lung"}],
          "roles": [{"muscle": "extensor_carpi_ulnaris", "segment": "C6", "role": "minor"}],
          "needles": [{"muscle": "quadratus_lumborum", "min": 50}]   # mm; "max" too
        },
        "unresolved": true                           # the document misspells a name on purpose
      },
      "note": "Why this is the answer, from the cited sources."
    }

Write the case from the textbook pattern first and run the engine afterwards; never
change an expected answer to make the engine pass. ``tests/test_vignettes_data.py``
checks the data (names resolve, sources and classes are known, each class is what it
says and has its minimum number of cases), not the accuracy.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from myotome.engine import assess
from myotome.exam import InvalidAssessment, parse_assessment
from myotome.kb import KnowledgeBase, LookupFailed, load_kb

DATA = Path(__file__).resolve().with_name("vignettes.json")
SIDES = ("left", "right", "bilateral")
PLAN_CHECKS = ("muscles", "absent", "warnings", "no_warnings", "levels", "absent_levels", "dropped", "cautions", "roles", "needles")
EXPECT_KEYS = ("level", "acceptable", "side", "red_flags", "no_plan", "scored", "plan", "unresolved")
#: A banded muscle left out of the plan is "kept" only when dropped for one of these named reasons.
NAMED_DROP_CODES = frozenset({"dose", "never_needled", "precaution", "contraindication", "thoracic_forbidden", "chest_side"})
#: Safety codes under which a plan may lose every paraspinal step (so "paraspinal first" cannot apply).
SAFETY_DROP_CODES = NAMED_DROP_CODES - {"dose"}
PNEUMOTHORAX = "pneumothorax"
CHECK_LABELS = {
    "red_flags": "expected red flags fire",
    "no_plan": "plan withheld exactly when expected",
    "muscles": "required muscles planned",
    "absent": "excluded muscles absent",
    "warnings": "required warnings present",
    "no_warnings": "forbidden warnings absent",
    "levels": "expected levels planned",
    "absent_levels": "excluded levels absent",
    "dropped": "dropped with the expected reason",
    "cautions": "step cautions present",
    "roles": "segment labels (main/minor root)",
    "needles": "needle lengths within the sources' range",
    "scored": "findings scored",
    "unresolved": "misspelled names reported",
}


class DataError(Exception):
    """The vignette file or one of its documents is malformed."""


@dataclass(frozen=True)
class Vignette:
    name: str
    classes: tuple[str, ...]
    sources: tuple[str, ...]
    document: dict[str, Any]
    expect: dict[str, Any]
    note: str

    @property
    def plan_expect(self) -> dict[str, Any]:
        plan: dict[str, Any] = self.expect.get("plan", {})
        return plan

    @property
    def levels(self) -> tuple[str, ...]:
        level = self.expect.get("level")
        return (level, *self.expect.get("acceptable", [])) if level else ()

    @property
    def red_flags(self) -> frozenset[str]:
        return frozenset(self.expect.get("red_flags", []))

    @property
    def no_plan(self) -> bool:
        return bool(self.expect.get("no_plan", False))


@dataclass
class Outcome:
    """One vignette's result: what the engine said, each check, and its share of each plan figure."""

    vignette: Vignette
    result: dict[str, Any]
    top: list[tuple[str, str, float]] = field(default_factory=list)  # (segment, side, score), best first
    top1: bool | None = None  # None: the vignette expects no level
    top3: bool | None = None
    side: bool | None = None
    checks: dict[str, bool] = field(default_factory=dict)  # check key -> passed, for the checks that apply
    fired: frozenset[str] = frozenset()
    false_alarms: frozenset[str] = frozenset()
    planned: bool = False  # plan figures apply (the vignette expects a plan)
    banded_found: int = 0
    banded_kept: int = 0
    steps: int = 0
    unexamined: int = 0
    unlabelled: int = 0
    over_cap: bool = False
    paraspinal_first: bool | None = None
    order_violations: list[str] = field(default_factory=list)
    warning_without_thorax: bool = False
    thorax_without_warning: bool = False
    both_sides_of_chest: bool = False
    normal_scored: list[int] = field(default_factory=list)
    wrong_labels: list[str] = field(default_factory=list)
    levels_expected: int = 0
    levels_planned: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


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
    document, expect = raw.get("document"), raw.get("expect")
    if not isinstance(document, dict):
        raise DataError(f"{name}: 'document' must be an object")
    if not isinstance(expect, dict) or set(expect) - set(EXPECT_KEYS):
        raise DataError(f"{name}: 'expect' must be an object with only {', '.join(EXPECT_KEYS)}")
    classes, sources = raw.get("classes"), raw.get("sources")
    if not _strings(classes) or not classes:
        raise DataError(f"{name}: 'classes' must be a non-empty list of class names")
    if not _strings(sources) or not sources:
        raise DataError(f"{name}: 'sources' must be a non-empty list of references.yaml ids")
    unknown = [s for s in sources if s not in kb.references]
    if unknown:
        raise DataError(f"{name}: sources not in references.yaml: {', '.join(unknown)}")
    level = expect.get("level")
    if level is not None and (level not in kb.segments or expect.get("side") not in SIDES):
        raise DataError(f"{name}: expect.level must be a segment and expect.side one of {', '.join(SIDES)}")
    if any(a not in kb.segments for a in expect.get("acceptable", [])):
        raise DataError(f"{name}: expect.acceptable must be a list of segments")
    unknown = [c for c in expect.get("red_flags", []) if c not in kb.red_flags.codes]
    if unknown:
        raise DataError(f"{name}: expect.red_flags: not red-flag codes: {', '.join(unknown)}")
    plan = expect.get("plan", {})
    if not isinstance(plan, dict) or set(plan) - set(PLAN_CHECKS):
        raise DataError(f"{name}: expect.plan may hold only {', '.join(PLAN_CHECKS)}")
    named = [*plan.get("muscles", []), *plan.get("absent", [])]
    named += [e.get("muscle") for key in ("dropped", "cautions", "roles", "needles") for e in plan.get(key, [])]
    unknown = [str(m) for m in named if m not in kb.muscles and m not in kb.groups]
    if unknown:
        raise DataError(f"{name}: expect.plan: not muscle or group ids: {', '.join(unknown)}")
    unknown = [str(e.get("level")) for key in ("levels", "absent_levels") for e in plan.get(key, []) if e.get("level") not in kb.levels]
    if unknown:
        raise DataError(f"{name}: expect.plan: not vertebral levels: {', '.join(unknown)}")
    return Vignette(name, tuple(classes), tuple(sources), document, expect, str(raw.get("note", "")))


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


# ---------------------------------------------------------------------------
# Reading the result (every field through .get: an addition the engine lacks is a failure, not a crash)


def _sides(side: Any) -> set[str]:
    return {"left", "right"} if side == "bilateral" else {side} if side in ("left", "right") else set()


def _covers(found: Iterable[Any], wanted: Any) -> bool:
    """Do the sides found (each left, right or bilateral) cover the side wanted?"""
    have: set[str] = set()
    for side in found:
        have |= _sides(side)
    return bool(_sides(wanted)) and _sides(wanted) <= have


def _muscle_id(entry: dict[str, Any]) -> str | None:
    muscle = entry.get("muscle")
    return muscle.get("id") if isinstance(muscle, dict) else None


def _ids(kb: KnowledgeBase, muscle_or_group: str) -> set[str]:
    """A muscle id, or every member of a group id."""
    if muscle_or_group in kb.groups:
        return {m.id for m in kb.members(kb.groups[muscle_or_group])}
    return {muscle_or_group}


def _members(kb: KnowledgeBase, name: str) -> set[str]:
    try:
        return {m.id for m in kb.members(kb.find_muscle(name))}
    except LookupFailed:
        return set()  # unresolved: reported by the engine, not a banded muscle it knows


def _is_paraspinal(step: dict[str, Any]) -> bool:
    return step.get("region") == "paraspinal"


def _over_thorax(step: dict[str, Any], kb: KnowledgeBase) -> bool:
    """The benchmark's own reading of the KB: a step over the thorax (docs/assessment-format.md, plan step 8)."""
    muscle = kb.muscles.get(_muscle_id(step) or "")
    if muscle is None or not any(c.kind == "lung" for c in muscle.cautions):
        return False
    if _is_paraspinal(step):
        level = kb.levels.get(step.get("level") or "")
        if level is not None:
            return bool(level.region == "thoracic")
        return str(step.get("segment", "")).startswith("T")
    approach = muscle.needle_depth.approach if muscle.needle_depth else "perpendicular"
    return approach not in ("onto_bone", "pincer")


def _normal_findings(document: dict[str, Any], kb: KnowledgeBase) -> Iterator[int]:
    """Numbers (from 1) of the findings whose value is normal: they must carry no evidence."""
    rom = kb.evidence.get("rom", {})
    normal_below = float(rom.get("normal_below", 0.15))
    lag_within = float(rom.get("extension_lag", {}).get("normal_within_deg", 5))
    for n, f in enumerate(document.get("findings", []), 1):
        kind = f.get("type")
        if kind == "reflex":
            try:
                pathological = kb.find_reflex(f["reflex"]).kind == "pathological"
            except LookupFailed:
                continue
            if f.get("grade") in ("normal", "negative") or (pathological and f.get("grade") == "absent"):
                yield n
        elif (kind == "sensory" and f.get("change") == "normal") or (kind == "weakness" and f.get("grade") == 5):
            yield n
        elif kind == "rom":
            try:
                normal = kb.find_movement(f["movement"]).normal
            except LookupFailed:
                continue
            if normal is None or normal.unit != f.get("unit", "deg"):
                continue
            value = float(f["value"])
            if (normal.value == 0 and value >= -lag_within) or (normal.value > 0 and value >= normal.value * (1 - normal_below)):
                yield n


def _cited(result: dict[str, Any]) -> set[int]:
    return {e.get("finding") for s in result.get("segments", []) for e in s.get("evidence", [])}


# ---------------------------------------------------------------------------
# Scoring one vignette


def evaluate(vignette: Vignette, kb: KnowledgeBase) -> Outcome:
    try:
        result = assess(vignette.document, kb).to_json()
    except Exception as exc:  # a benchmark reports an engine failure and goes on to the next case
        outcome = Outcome(vignette, {})
        outcome.problems.append(f"the engine failed: {type(exc).__name__}: {exc}")
        outcome.checks = dict.fromkeys(_applicable_checks(vignette), False)
        return outcome
    outcome = Outcome(vignette, result)
    _localisation(outcome)
    _red_flags(outcome)
    if not vignette.no_plan:
        outcome.planned = True
        _plan_figures(outcome, kb)
    _plan_checks(outcome, kb)
    _unresolved(outcome)
    return outcome


def _applicable_checks(vignette: Vignette) -> list[str]:
    keys = ["red_flags", "no_plan", *[k for k in PLAN_CHECKS if vignette.plan_expect.get(k)]]
    return keys + (["scored"] if vignette.expect.get("scored") else []) + (["unresolved"] if vignette.expect.get("unresolved") else [])


def _localisation(o: Outcome) -> None:
    o.top = [(str(s.get("segment")), str(s.get("side")), float(s.get("score", 0))) for s in o.result.get("segments", [])[:3]]
    levels = o.vignette.levels
    if not levels:
        return
    o.top1 = bool(o.top) and o.top[0][0] in levels
    o.top3 = any(seg in levels for seg, _, _ in o.top)
    o.side = bool(o.top) and o.top[0][1] == o.vignette.expect["side"]
    if not o.top1:
        o.problems.append(f"top segment {o.top[0][0] if o.top else 'none'}, expected {'/'.join(levels)}")
    if not o.side:
        o.problems.append(f"top side {o.top[0][1] if o.top else 'none'}, expected {o.vignette.expect['side']}")


def _red_flags(o: Outcome) -> None:
    expected = o.vignette.red_flags
    o.fired = frozenset(str(f.get("code")) for f in o.result.get("red_flags", []) if isinstance(f, dict))
    o.false_alarms = o.fired - expected
    missed = expected - o.fired
    o.checks["red_flags"] = not missed and not o.false_alarms
    if missed:
        o.problems.append(f"red flag(s) not raised: {', '.join(sorted(missed))}")
    if o.false_alarms:
        o.problems.append(f"false alarm(s): {', '.join(sorted(o.false_alarms))}")
    plan = o.result.get("plan", {})
    blocked, steps = plan.get("blocked"), plan.get("steps", [])
    if o.vignette.no_plan:
        o.checks["no_plan"] = not steps and bool(blocked)
        if steps:
            o.problems.append(f"a plan of {len(steps)} steps despite the red flags")
        elif not blocked:
            o.problems.append("no steps, but plan.blocked does not say why")
    else:
        o.checks["no_plan"] = not blocked
        if blocked:
            o.problems.append(f"plan withheld: {blocked}")


def _plan_figures(o: Outcome, kb: KnowledgeBase) -> None:
    plan = o.result.get("plan", {})
    steps: list[dict[str, Any]] = plan.get("steps", [])
    dropped: list[dict[str, Any]] = plan.get("dropped", [])
    findings: list[dict[str, Any]] = o.vignette.document.get("findings", [])
    _banded(o, kb, findings, steps, dropped)
    _defaults(o, kb, findings, steps, plan)
    _paraspinal_first(o, kb, steps, dropped, plan)
    _order(o, kb, steps)
    _thorax(o, kb, steps, plan)
    _labels(o, kb, steps)
    cited = _cited(o.result)
    o.normal_scored = [n for n in _normal_findings(o.vignette.document, kb) if n in cited]
    if o.normal_scored:
        o.problems.append(f"normal finding(s) scored as evidence: {', '.join(map(str, o.normal_scored))}")


def _banded(
    o: Outcome, kb: KnowledgeBase, findings: list[dict[str, Any]], steps: list[dict[str, Any]], dropped: list[dict[str, Any]]
) -> None:
    lost = []
    for n, f in enumerate(findings, 1):
        if f.get("type") != "tender_band":
            continue
        members = _members(kb, f["muscle"])
        if not members:
            continue
        for side in sorted(_sides(f["side"])):
            o.banded_found += 1
            planned = any(_muscle_id(s) in members and side in _sides(s.get("side")) for s in steps)
            named = any(_muscle_id(d) in members and side in _sides(d.get("side")) and d.get("code") in NAMED_DROP_CODES for d in dropped)
            if planned or named:
                o.banded_kept += 1
            else:
                lost.append(f"{f['muscle']} ({side}, finding {n})")
    if lost:
        o.problems.append(f"banded but neither planned nor dropped for a named reason: {', '.join(lost)}")


def _examined(kb: KnowledgeBase, findings: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(muscle id, side) pairs the exam found banded or weak, with the prime movers of weak movements."""
    pairs: set[tuple[str, str]] = set()
    for f in findings:
        ids: set[str] = set()
        if f.get("type") == "tender_band" or (f.get("type") == "weakness" and f.get("muscle")):
            ids = _members(kb, f["muscle"])
        elif f.get("type") == "weakness" and f.get("movement"):
            try:
                ids = set(kb.find_movement(f["movement"]).prime_movers)
            except LookupFailed:
                ids = set()
        pairs |= {(i, side) for i in ids for side in _sides(f.get("side"))}
    return pairs


def _defaults(o: Outcome, kb: KnowledgeBase, findings: list[dict[str, Any]], steps: list[dict[str, Any]], plan: dict[str, Any]) -> None:
    examined = _examined(kb, findings)
    unexamined = []
    for s in steps:
        if _is_paraspinal(s):
            if s.get("suggestion") is True:
                unexamined.append(s)
            continue
        if not any((_muscle_id(s), side) in examined for side in _sides(s.get("side"))):
            unexamined.append(s)
    o.steps, o.unexamined = len(steps), len(unexamined)
    unlabelled = [s for s in unexamined if s.get("suggestion") is not True]
    o.unlabelled = len(unlabelled)
    if unlabelled:
        names = ", ".join(f"#{s.get('order')} {_muscle_id(s)}" for s in unlabelled)
        o.problems.append(f"unexamined step(s) not labelled suggestions: {names}")
    share = float(kb.planning.default_share)
    cap = math.floor(int(plan.get("max_insertions") or 0) * share)
    if len(unexamined) > cap:
        o.over_cap = True
        o.problems.append(
            f"{len(unexamined)} unexamined steps, over the cap of {cap} ({share:.0%} of {plan.get('max_insertions')} insertions)"
        )


def _paraspinal_first(
    o: Outcome, kb: KnowledgeBase, steps: list[dict[str, Any]], dropped: list[dict[str, Any]], plan: dict[str, Any]
) -> None:
    if not steps:
        return
    if any(_is_paraspinal(s) for s in steps):
        first_peripheral = next((i for i, s in enumerate(steps) if not _is_paraspinal(s)), len(steps))
        late = [s.get("order") for s in steps[first_peripheral:] if _is_paraspinal(s)]
        o.paraspinal_first = first_peripheral > 0 and not late
        if late:
            o.problems.append(f"paraspinal step(s) {late} after a peripheral step")
        return
    spinal = any(_spinal(str(i.get("segment", ""))) for i in plan.get("involved", []))
    safety = any(
        d.get("code") in SAFETY_DROP_CODES and (m := kb.muscles.get(_muscle_id(d) or "")) is not None and m.rank == "paraspinal"
        for d in dropped
    )
    if spinal and not safety:
        o.paraspinal_first = False
        o.problems.append("no paraspinal step, though a spinal segment is involved")


def _spinal(segment: str) -> bool:
    return segment[:1] in ("C", "T", "L", "S") and not segment.startswith("CN")


def _order(o: Outcome, kb: KnowledgeBase, steps: list[dict[str, Any]]) -> None:
    paraspinal = [s for s in steps if _is_paraspinal(s)]
    for a, b in itertools.pairwise(paraspinal):
        la, lb = kb.levels.get(a.get("level") or ""), kb.levels.get(b.get("level") or "")
        if la is None or lb is None:
            o.order_violations.append(f"#{a.get('order')}/#{b.get('order')} paraspinal step without a vertebral level")
        elif lb.order < la.order:
            o.order_violations.append(f"#{b.get('order')} at {lb.id} after #{a.get('order')} at {la.id} (cranial to caudal)")
    peripheral = [(s, kb.muscles.get(_muscle_id(s) or "")) for s in steps if not _is_paraspinal(s)]
    for (sa, ma), (sb, mb) in itertools.pairwise(peripheral):
        if ma is None or mb is None:
            continue
        if (mb.rank_order, mb.position or 0) < (ma.rank_order, ma.position or 0):
            o.order_violations.append(f"#{sb.get('order')} {mb.id} after #{sa.get('order')} {ma.id} (proximal to distal)")
    if o.order_violations:
        o.problems.append("order: " + "; ".join(o.order_violations))


def _thorax(o: Outcome, kb: KnowledgeBase, steps: list[dict[str, Any]], plan: dict[str, Any]) -> None:
    thoracic = [s for s in steps if _over_thorax(s, kb)]
    warned = any(PNEUMOTHORAX in str(w).lower() for w in plan.get("warnings", []))
    o.warning_without_thorax = warned and not thoracic
    o.thorax_without_warning = bool(thoracic) and not warned
    o.both_sides_of_chest = _covers((s.get("side") for s in thoracic), "bilateral")
    if o.warning_without_thorax:
        o.problems.append("pneumothorax warning without a step over the thorax")
    if o.thorax_without_warning:
        o.problems.append(f"step(s) over the thorax without the pneumothorax warning: {', '.join(str(_muscle_id(s)) for s in thoracic)}")
    if o.both_sides_of_chest:
        o.problems.append("steps over the thorax on both sides of the chest in one session")


def _labels(o: Outcome, kb: KnowledgeBase, steps: list[dict[str, Any]]) -> None:
    """Each step's segment supplies its muscle, and ``segment_role`` says whether as a main or a minor root."""
    not_roots: dict[str, list[str]] = {}
    for s in steps:
        muscle, segment = kb.muscles.get(_muscle_id(s) or ""), s.get("segment")
        if muscle is None or not segment:
            continue
        role = "main" if segment in muscle.roots.main else "minor" if segment in muscle.roots.minor else None
        if role is None:
            o.wrong_labels.append(f"#{s.get('order')} {muscle.id}")
            if muscle.id not in not_roots.setdefault(segment, []):
                not_roots[segment].append(muscle.id)
        elif s.get("segment_role") != role:
            o.wrong_labels.append(f"#{s.get('order')} {muscle.id}")
            o.problems.append(f"segment label: #{s.get('order')} {muscle.id}: {segment} is a {role} root, labelled {s.get('segment_role')}")
    for segment, named in not_roots.items():
        o.problems.append(f"segment label {segment} is not a root of: {', '.join(named)}")


def _plan_checks(o: Outcome, kb: KnowledgeBase) -> None:
    want = o.vignette.plan_expect
    plan = o.result.get("plan", {})
    steps: list[dict[str, Any]] = plan.get("steps", [])
    dropped: list[dict[str, Any]] = plan.get("dropped", [])
    step_ids = {_muscle_id(s) for s in steps}
    warnings = [str(w).lower() for w in plan.get("warnings", [])]

    def check(key: str, failed: list[str], message: str) -> None:
        o.checks[key] = not failed
        if failed:
            o.problems.append(f"{message}: {', '.join(failed)}")

    if want.get("muscles"):
        check("muscles", [m for m in want["muscles"] if not _ids(kb, m) & step_ids], "plan lacks")
    if want.get("absent"):
        check("absent", [m for m in want["absent"] if _ids(kb, m) & step_ids], "plan needles excluded")
    if want.get("warnings"):
        check("warnings", [repr(w) for w in want["warnings"] if not any(w.lower() in t for t in warnings)], "no warning mentions")
    if want.get("no_warnings"):
        check(
            "no_warnings", [repr(w) for w in want["no_warnings"] if any(w.lower() in t for t in warnings)], "a warning should not mention"
        )
    paraspinal = [s for s in steps if _is_paraspinal(s)]
    if want.get("levels"):
        missing = []
        for e in want["levels"]:
            at = [s for s in paraspinal if s.get("level") == e["level"] and (e.get("root") is None or s.get("segment") == e["root"])]
            o.levels_expected += 1
            if _covers((s.get("side") for s in at), e["side"]):
                o.levels_planned += 1
            else:
                missing.append(f"{e['level']} {e['side']}" + (f" for {e['root']}" if e.get("root") else ""))
        check("levels", missing, "level(s) not planned")
    if want.get("absent_levels"):
        unknown = [f"#{s.get('order')} {_muscle_id(s)} (no level)" for s in paraspinal if not s.get("level")]
        present = unknown + [
            e["level"] + (f" {e['side']}" if e.get("side") else "")
            for e in want["absent_levels"]
            if any(
                s.get("level") == e["level"] and (e.get("side") is None or _sides(e["side"]) & _sides(s.get("side"))) for s in paraspinal
            )
        ]
        check("absent_levels", present, "excluded level(s) needled")
    if want.get("dropped"):
        missing = [
            f"{e['muscle']} ({e['code']})"
            for e in want["dropped"]
            if not any(
                _muscle_id(d) in _ids(kb, e["muscle"])
                and d.get("code") == e["code"]
                and (e.get("side") is None or e["side"] in _sides(d.get("side")))
                for d in dropped
            )
        ]
        check("dropped", missing, "not dropped with the expected reason")
    if want.get("cautions"):
        missing = [
            f"{e['muscle']} ({e['contains']})"
            for e in want["cautions"]
            if not any(
                _muscle_id(s) in _ids(kb, e["muscle"])
                and any(e["contains"].lower() in " ".join(str(v) for v in c.values()).lower() for c in s.get("cautions", []))
                for s in steps
            )
        ]
        check("cautions", missing, "no step caution")
    if want.get("roles"):
        wrong = [
            f"{e['muscle']} ({e['segment']}, {e['role']} root)"
            for e in want["roles"]
            if not any(
                _muscle_id(s) == e["muscle"] and s.get("segment") == e["segment"] and s.get("segment_role") == e["role"] for s in steps
            )
        ]
        check("roles", wrong, "step label not")
    if want.get("needles"):
        wrong = []
        for e in want["needles"]:
            lengths = [s.get("needle_mm") for s in steps if _muscle_id(s) in _ids(kb, e["muscle"])]
            bad = [mm for mm in lengths if not isinstance(mm, int | float) or not e.get("min", 0) <= mm <= e.get("max", math.inf)]
            if not lengths or bad:
                wrong.append(f"{e['muscle']} {bad or 'not planned'} (want {e.get('min', 0)}-{e.get('max', '')} mm)")
        check("needles", wrong, "needle length")
    if o.vignette.expect.get("scored"):
        cited = _cited(o.result)
        check("scored", [f"finding {n}" for n in o.vignette.expect["scored"] if n not in cited], "not scored")


def _unresolved(o: Outcome) -> None:
    unresolved = o.result.get("unresolved", [])
    if o.vignette.expect.get("unresolved"):
        o.checks["unresolved"] = bool(unresolved)
        if not unresolved:
            o.problems.append("the misspelled name is not listed under unresolved")
    elif unresolved:
        # Not an engine failure: the vignette itself uses a name the KB does not know.
        o.problems.append(f"DATA: unexpected unresolved name(s) {', '.join(str(u.get('name')) for u in unresolved)}; fix the vignette")


# ---------------------------------------------------------------------------
# Summary


def _share(count: int, total: int) -> dict[str, Any]:
    return {"passed": count, "total": total, "rate": round(count / total, 3) if total else None}


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    located = [o for o in outcomes if o.top1 is not None]
    plans = [o for o in outcomes if o.planned]
    expected_flags = sum(len(o.vignette.red_flags) for o in outcomes)
    caught = sum(len(o.vignette.red_flags & o.fired) for o in outcomes)
    benign = [o for o in outcomes if not o.vignette.red_flags]
    steps = sum(o.steps for o in plans)
    unexamined = sum(o.unexamined for o in plans)
    first = [o for o in plans if o.paraspinal_first is not None]
    classes = sorted({c for o in outcomes for c in o.vignette.classes})
    checks = {}
    for key in CHECK_LABELS:
        applicable = [o for o in outcomes if key in o.checks]
        checks[key] = _share(sum(o.checks[key] for o in applicable), len(applicable))
    return {
        "vignettes": len(outcomes),
        "passed": _share(sum(o.passed for o in outcomes), len(outcomes)),
        "localisation": {
            "top1": _share(sum(bool(o.top1) for o in located), len(located)),
            "top3": _share(sum(bool(o.top3) for o in located), len(located)),
            "side": _share(sum(bool(o.side) for o in located), len(located)),
        },
        "red_flags": {
            "recall": _share(caught, expected_flags),
            "false_alarms": sum(len(o.false_alarms) for o in outcomes),
            "false_alarm_vignettes": [o.vignette.name for o in outcomes if o.false_alarms],
            "benign_without_flags": _share(sum(not o.fired for o in benign), len(benign)),
            "no_plan_correct": _share(sum(o.checks.get("no_plan", False) for o in outcomes), len(outcomes)),
        },
        "plan_quality": {
            "plans": len(plans),
            "banded_kept": _share(sum(o.banded_kept for o in plans), sum(o.banded_found for o in plans)),
            "unexamined_steps": {"steps": steps, "unexamined": unexamined, "share": round(unexamined / steps, 3) if steps else None},
            "unexamined_not_labelled": sum(o.unlabelled for o in plans),
            "plans_over_suggestion_cap": sum(o.over_cap for o in plans),
            "paraspinal_first": _share(sum(bool(o.paraspinal_first) for o in first), len(first)),
            "order_violations": {
                "count": sum(len(o.order_violations) for o in plans),
                "plans": sum(bool(o.order_violations) for o in plans),
            },
            "warning_without_thoracic_step": sum(o.warning_without_thorax for o in plans),
            "thoracic_step_without_warning": sum(o.thorax_without_warning for o in plans),
            "both_sides_of_chest": sum(o.both_sides_of_chest for o in plans),
            "normal_findings_scored": sum(len(o.normal_scored) for o in plans),
            "wrong_segment_labels": {"count": sum(len(o.wrong_labels) for o in plans), "steps": steps},
            "levels_planned": _share(sum(o.levels_planned for o in outcomes), sum(o.levels_expected for o in outcomes)),
        },
        "checks": checks,
        "classes": {
            c: _share(sum(o.passed for o in outcomes if c in o.vignette.classes), sum(c in o.vignette.classes for o in outcomes))
            for c in classes
        },
        "failures": [{"name": o.vignette.name, "problems": o.problems} for o in outcomes if o.problems],
    }


# ---------------------------------------------------------------------------
# Output


def _rate(s: dict[str, Any]) -> str:
    rate = f"{s['rate']:.0%}" if s["rate"] is not None else "n/a"
    return f"{s['passed']}/{s['total']}  {rate}"


def _target(ok: bool) -> str:
    return "[green]✓[/green]" if ok else "[red]✗[/red]"


def _summary_table(summary: dict[str, Any]) -> Table:
    loc, flags, plan = summary["localisation"], summary["red_flags"], summary["plan_quality"]
    defaults = plan["unexamined_steps"]
    table = Table(title=f"Summary: {summary['vignettes']} vignettes, {plan['plans']} plans", title_justify="left")
    table.add_column("Figure")
    table.add_column("Result", justify="right", no_wrap=True)
    table.add_column("Target", no_wrap=True)
    table.add_column("", no_wrap=True)
    rows: list[tuple[str, str, str, bool | None]] = [
        ("vignettes passing every check", _rate(summary["passed"]), "", None),
        ("top-1 segment", _rate(loc["top1"]), "", None),
        ("top-3 segment", _rate(loc["top3"]), "", None),
        ("side", _rate(loc["side"]), "", None),
        ("red-flag recall", _rate(flags["recall"]), "100%", flags["recall"]["rate"] == 1),
        ("red-flag false alarms", str(flags["false_alarms"]), "0", flags["false_alarms"] == 0),
        ("benign cases without a flag", _rate(flags["benign_without_flags"]), "100%", flags["benign_without_flags"]["rate"] == 1),
        ("plan withheld exactly when expected", _rate(flags["no_plan_correct"]), "100%", flags["no_plan_correct"]["rate"] == 1),
        ("banded muscles kept", _rate(plan["banded_kept"]), "100%", plan["banded_kept"]["rate"] in (1, None)),
        (
            "steps from unexamined defaults",
            f"{defaults['unexamined']}/{defaults['steps']}  {defaults['share']:.0%}" if defaults["share"] is not None else "n/a",
            "≤ cap",
            None,
        ),
        ("unexamined steps not labelled", str(plan["unexamined_not_labelled"]), "0", plan["unexamined_not_labelled"] == 0),
        ("plans over the suggestion cap", str(plan["plans_over_suggestion_cap"]), "0", plan["plans_over_suggestion_cap"] == 0),
        ("paraspinal first", _rate(plan["paraspinal_first"]), "100%", plan["paraspinal_first"]["rate"] in (1, None)),
        (
            "order violations (plans)",
            f"{plan['order_violations']['count']} ({plan['order_violations']['plans']})",
            "0",
            plan["order_violations"]["count"] == 0,
        ),
        (
            "pneumothorax warning, no thoracic step",
            str(plan["warning_without_thoracic_step"]),
            "0",
            plan["warning_without_thoracic_step"] == 0,
        ),
        (
            "thoracic step, no pneumothorax warning",
            str(plan["thoracic_step_without_warning"]),
            "0",
            plan["thoracic_step_without_warning"] == 0,
        ),
        ("both sides of the chest", str(plan["both_sides_of_chest"]), "0", plan["both_sides_of_chest"] == 0),
        ("normal findings scored", str(plan["normal_findings_scored"]), "0", plan["normal_findings_scored"] == 0),
        (
            "segment labels not naming a root (or role)",
            f"{plan['wrong_segment_labels']['count']}/{plan['wrong_segment_labels']['steps']}",
            "0",
            plan["wrong_segment_labels"]["count"] == 0,
        ),
        ("expected levels planned", _rate(plan["levels_planned"]), "100%", plan["levels_planned"]["rate"] in (1, None)),
    ]
    rows += [
        (label, _rate(summary["checks"][key]), "100%", summary["checks"][key]["rate"] in (1, None))
        for key, label in CHECK_LABELS.items()
        if key not in ("red_flags", "no_plan", "levels")  # shown above, counted by flag and by level
    ]
    for label, value, target, ok in rows:
        table.add_row(label, value, target, "" if ok is None else _target(ok))
    return table


def _classes_table(summary: dict[str, Any]) -> Table:
    table = Table(title="Vignettes passing every check, by class", title_justify="left")
    table.add_column("Class")
    table.add_column("Passing", justify="right", no_wrap=True)
    for name, share in summary["classes"].items():
        table.add_row(name, _rate(share))
    return table


def _top_text(top: list[tuple[str, str, float]]) -> str:
    return "\n".join(f"{seg} {side} {score:.2f}" for seg, side, score in top) or "none"


def _expected_text(v: Vignette) -> str:
    parts = []
    if v.levels:
        parts.append(f"{'/'.join(v.levels)} {v.expect['side']}")
    if v.red_flags:
        parts.append(", ".join(sorted(v.red_flags)))
    if v.no_plan:
        parts.append("no plan")
    return "\n".join(parts) or "plan"


def render(outcomes: list[Outcome], summary: dict[str, Any], console: Console, verbose: bool) -> None:
    shown = outcomes if verbose else [o for o in outcomes if not o.passed]
    table = Table(title="All vignettes" if verbose else "Failing vignettes", title_justify="left", show_lines=True, expand=True)
    table.add_column("", no_wrap=True)
    table.add_column("Vignette", overflow="fold", ratio=2)
    table.add_column("Expected", overflow="fold", ratio=1)
    table.add_column("Got (top 3)", no_wrap=True)
    table.add_column("What went wrong", overflow="fold", ratio=4)
    for o in shown:
        table.add_row(_target(o.passed), o.vignette.name, _expected_text(o.vignette), _top_text(o.top), "\n".join(o.problems))
    console.print(table if shown else "[green]No failing vignettes.[/green]")
    if verbose:
        for o in outcomes:
            if not o.passed and o.result:
                _explain(o, console)
    console.print(_classes_table(summary))
    console.print(_summary_table(summary))


def _explain(o: Outcome, console: Console) -> None:
    plan = o.result.get("plan", {})
    console.print(f"\n[bold]{o.vignette.name}[/bold]: {o.vignette.note}", highlight=False)
    for seg in o.result.get("segments", [])[:2]:
        lines = "; ".join(f"{e.get('reason')} ({e.get('contribution', 0):.2f})" for e in seg.get("evidence", [])[:4])
        console.print(f"  {seg.get('segment')} {seg.get('side')} {seg.get('score', 0):.2f}: {lines}", highlight=False)
    for f in o.result.get("red_flags", []):
        console.print(
            f"  red flag: {f.get('code')} ({f.get('action')}{', acknowledged' if f.get('acknowledged') else ''})", highlight=False
        )
    steps = ", ".join(
        f"{s.get('order')}. {_muscle_id(s)} ({s.get('side')}, {s.get('level') or s.get('region')}{', suggestion' if s.get('suggestion') else ''})"
        for s in plan.get("steps", [])
    )
    console.print(f"  plan: {steps or 'none'}", highlight=False)
    for d in plan.get("dropped", []):
        console.print(f"  dropped: {_muscle_id(d)} ({d.get('side')}, {d.get('code')})", highlight=False)
    for w in plan.get("warnings", []):
        console.print(f"  warning: {w[:110]}{'…' if len(w) > 110 else ''}", highlight=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run the clinical vignette benchmark and print localisation, red-flag and plan-quality figures."
    )
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
