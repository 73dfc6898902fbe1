"""Red flags come before any plan: the screen, and the gate it puts in front of the planner.

The rules are cited data (``kb/data/red_flags.yaml``): each has a code, an action
(``refer_urgently``, ``refer`` or ``screen_first``) and the triggers that raise it. The
screen reads the findings (every format) and, in format 1.1, the history, sphincter and
cardiac screen; the gate says whether a plan may follow. ``refer_urgently`` always blocks;
``refer`` and ``screen_first`` block until their code is in ``acknowledged_red_flags``::

    flags = screen(assessment, kb)       # most urgent first
    gate(assessment, flags, kb).cleared  # False: no plan until they are dealt with
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from myotome import exam, localize, plan
from myotome.kb import model as m
from myotome.kb.knowledge import KnowledgeBase
from myotome.kb.names import LookupFailed, NameIndex
from myotome.localize import body_sides

ACTIONS = m.RED_FLAG_ACTIONS
ACTION_WORDS = {"refer_urgently": "refer urgently", "refer": "refer", "screen_first": "screen first"}


@dataclass(frozen=True, slots=True)
class RedFlag:
    """A raised red flag: its code, what to do and why, and the findings (numbered from 1) behind it."""

    code: str
    text: str
    action: str  # refer_urgently | refer | screen_first
    findings: tuple[int, ...]


@dataclass(frozen=True)
class Gate:
    """Whether a plan may follow the flags: what blocks it, and what the clinician acknowledged."""

    flags: tuple[RedFlag, ...]
    acknowledged: frozenset[str]  # codes the document acknowledges that the table knows
    unknown: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (code the table does not know, suggestions)
    format: str = "1.1"

    def is_acknowledged(self, flag: RedFlag) -> bool:
        return flag.code in self.acknowledged

    @property
    def blocking(self) -> tuple[RedFlag, ...]:
        """The flags that keep the plan back: urgent referrals always, the others until acknowledged."""
        return tuple(f for f in self.flags if f.action == "refer_urgently" or not self.is_acknowledged(f))

    @property
    def cleared(self) -> bool:
        """True when no red flag blocks the plan (a session may start from this result)."""
        return not self.blocking

    @property
    def blocked_by(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.blocking)

    @property
    def reason(self) -> str | None:
        """Why no plan was produced, naming each blocking flag and what unlocks it; None when cleared."""
        if self.cleared:
            return None
        parts = []
        for flag in self.blocking:
            if flag.action == "refer_urgently":
                unlock = "acknowledging it does not unlock a plan"
            elif self.format == "1.0":
                unlock = 'then write the document in format 1.1 and list the code in "acknowledged_red_flags"'
            else:
                unlock = 'then list the code in "acknowledged_red_flags"'
            parts.append(f"{flag.code} ({ACTION_WORDS[flag.action]}; {unlock})")
        return "No plan: red flags come first. " + "; ".join(parts) + "."


class _Hit(NamedTuple):
    findings: tuple[int, ...]
    what: str


def screen(assessment: exam.Assessment, kb: KnowledgeBase) -> tuple[RedFlag, ...]:
    """The red flags an assessment raises, most urgent first (refer_urgently, refer, screen_first).

    flags = screen(parse_assessment(text), load_kb())
    [(f.code, f.action, f.findings) for f in flags]   # [('cauda_equina', 'refer_urgently', (1,))]
    """
    reading = _Reading(assessment, kb)
    flags = []
    for rule in kb.red_flags.rules:
        hits = reading.history(rule) if rule.history else [hit for trigger in rule.when for hit in TRIGGERS[trigger](reading)]
        if hits:
            numbers = tuple(sorted({n for hit in hits for n in hit.findings}))
            found = "; ".join(dict.fromkeys(hit.what for hit in hits))
            flags.append(RedFlag(rule.code, f"{rule.text} Found: {found}.", rule.action, numbers))
    return tuple(sorted(flags, key=lambda f: ACTIONS.index(f.action)))  # stable: the table's order within an action


def gate(assessment: exam.Assessment, flags: Iterable[RedFlag], kb: KnowledgeBase) -> Gate:
    """What the flags leave of the plan, given the codes the clinician acknowledged.

    gate(assessment, screen(assessment, kb), kb).blocked_by   # ('marked_motor_deficit',)
    """
    known = set(kb.red_flags.codes)
    acknowledged = frozenset(code for code in assessment.acknowledged_red_flags if code in known)
    unknown = tuple(
        (code, tuple(_code_index(kb).suggest(code, limit=3)))
        for code in dict.fromkeys(assessment.acknowledged_red_flags)
        if code not in known
    )
    return Gate(tuple(flags), acknowledged, unknown, assessment.format_version)


def check(assessment: exam.Assessment, kb: KnowledgeBase) -> Gate:
    """Screen an assessment and gate its plan in one call.

    check(assessment, kb).cleared   # True: plan as usual
    """
    return gate(assessment, screen(assessment, kb), kb)


def blocked_plan(the_gate: Gate, localization: localize.Localization) -> plan.Plan:
    """The plan a blocked result carries: no steps, and the reason first among its warnings."""
    assert the_gate.reason is not None, "only a blocked gate has no plan"
    return plan.Plan(
        involved=(),
        steps=(),
        max_insertions=0,
        dose_reasons=(),
        dropped=(),
        warnings=(the_gate.reason, *localization.warnings),
    )


def unresolved(the_gate: Gate) -> tuple[localize.Unresolved, ...]:
    """Acknowledged codes the table does not know, reported as the result's unresolved names."""
    return tuple(
        localize.Unresolved(
            None,
            "acknowledged_red_flags",
            code,
            f"'{code}' is not a red-flag code, so it acknowledges nothing"
            + (f"; did you mean {', '.join(repr(s) for s in found)}?" if found else ""),
            found,
        )
        for code, found in the_gate.unknown
    )


@functools.lru_cache(maxsize=8)
def _code_index(kb: KnowledgeBase) -> NameIndex[str]:
    return NameIndex("red-flag code", ((code, code, (), code) for code in kb.red_flags.codes))


# ---------------------------------------------------------------------------
# Reading the document the way the table says


class _Reading:
    """One assessment read against the red-flag table: names resolved once with the KB's look-ups."""

    def __init__(self, assessment: exam.Assessment, kb: KnowledgeBase):
        self.assessment = assessment
        self.kb = kb
        self.table = kb.red_flags
        self.findings = tuple(enumerate(assessment.findings, 1))
        self.regions = [r for r in (_find(kb.find_region, name) for name in assessment.complaint.regions) if r is not None]

    def of(self, kind: type[Any]) -> list[tuple[int, Any]]:
        return [(n, f) for n, f in self.findings if isinstance(f, kind)]

    @functools.cached_property
    def back_pain(self) -> list[m.Region]:
        return [r for r in self.regions if r.id in self.table.back_pain_regions]

    def history(self, rule: m.RedFlagRule) -> list[_Hit]:
        if rule.history not in self.assessment.history:
            return []
        back = self.back_pain
        if (rule.back_pain == "with" and not back) or (rule.back_pain == "without" and back):
            return []
        where = f", with back pain ({', '.join(r.name.lower() for r in back)})" if back and rule.back_pain == "with" else ""
        return [_Hit((), f"{rule.history.replace('_', ' ')} in the history{where}")]

    # -- limbs ----------------------------------------------------------------

    def muscle_limbs(self, muscle: m.Muscle) -> set[str]:
        """'leg' and/or 'arm': the muscle's limb, or the limb whose joints it moves (iliopsoas moves the hip)."""
        joints = {self.kb.movements[mv].joint for mv in muscle.movements}
        limbs = set()
        if muscle.limb == "lower" or joints & set(self.table.leg_joints):
            limbs.add("leg")
        if muscle.limb == "upper" or joints & set(self.table.arm_joints):
            limbs.add("arm")
        return limbs

    def movement_limbs(self, movement: m.Movement) -> set[str]:
        return {"leg"} if movement.joint in self.table.leg_joints else {"arm"} if movement.joint in self.table.arm_joints else set()

    def weakness_target(self, f: exam.Weakness) -> m.Movement | m.Muscle | m.Group | None:
        """The movement, muscle or group a weakness names (None when the KB does not know it)."""
        if f.movement is not None:
            return _find(self.kb.find_movement, f.movement)  # type: ignore[no-any-return]
        return _find(self.kb.find_muscle, f.muscle or "")  # type: ignore[no-any-return]

    def weakness_limbs(self, f: exam.Weakness) -> set[str]:
        target = self.weakness_target(f)
        if isinstance(target, m.Movement):
            return self.movement_limbs(target)
        return {limb for mu in (self.kb.members(target) if target is not None else ()) for limb in self.muscle_limbs(mu)}

    def reflex_limbs(self, reflex: m.Reflex) -> set[str]:
        return {limb for mid in reflex.muscles for limb in self.muscle_limbs(self.kb.muscles[mid])}

    # -- reflexes ---------------------------------------------------------------

    @functools.cached_property
    def positive_signs(self) -> list[tuple[int, exam.ReflexFinding, m.Reflex]]:
        out = []
        for n, f in self.of(exam.ReflexFinding):
            reflex = _find(self.kb.find_reflex, f.reflex)
            if reflex is not None and reflex.id in self.table.pathological_signs and f.grade in self.table.positive_grades:
                out.append((n, f, reflex))
        return out

    @functools.cached_property
    def brisk(self) -> list[tuple[int, exam.ReflexFinding, m.Reflex]]:
        """Brisk tendon reflexes (a pathological sign graded brisk is a positive sign, not these)."""
        out = []
        for n, f in self.of(exam.ReflexFinding):
            reflex = _find(self.kb.find_reflex, f.reflex)
            if (
                reflex is not None
                and f.grade == "brisk"
                and reflex.id not in self.table.pathological_signs
                and reflex.kind != "pathological"
            ):
                out.append((n, f, reflex))
        return out


def _find(look_up: Callable[[str], Any], name: str) -> Any:
    """The KB record a name denotes, or None: the localisation reports names it cannot resolve."""
    try:
        return look_up(name)
    except LookupFailed:
        return None


def _numbers(rows: Iterable[tuple[int, Any]]) -> str:
    numbers = sorted({n for n, _ in rows})
    return f"finding{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"


# ---------------------------------------------------------------------------
# Triggers: each reads the document and returns what it found (empty when it does not fire)


def _saddle_sensory_change(r: _Reading) -> list[_Hit]:
    hits = []
    for n, f in r.of(exam.Sensory):
        region = _find(r.kb.find_region, f.region)
        if region is not None and region.id in r.table.saddle_regions and f.change in r.table.saddle_changes:
            hits.append(_Hit((n,), f"{f.change} sensation over the {region.name.lower()} (finding {n}, {f.side})"))
    return hits


def _sphincter_dysfunction(r: _Reading) -> list[_Hit]:
    return [_Hit((), "new bladder or bowel dysfunction")] if r.assessment.sphincter == "yes" else []


def _bilateral_leg_deficit(r: _Reading) -> list[_Hit]:
    deficits: list[tuple[int, str]] = []  # (finding, side)
    for n, f in r.of(exam.Weakness):
        if (f.grade is None or f.grade < 5) and "leg" in r.weakness_limbs(f):
            deficits.append((n, f.side))
    for n, f in r.of(exam.Sensory):
        region = _find(r.kb.find_region, f.region)
        if region is not None and region.limb == "lower" and f.change in r.table.deficit_changes:
            deficits.append((n, f.side))
    sides = {s for _, side in deficits for s in body_sides(side)}
    if sides != {"left", "right"}:
        return []
    numbers = tuple(sorted({n for n, _ in deficits}))
    return [_Hit(numbers, f"motor or sensory deficit in both legs ({_numbers(deficits)})")]


def _marked_key_weakness(r: _Reading) -> list[_Hit]:
    table = r.table
    key_movers = {mid: mv for mv in table.key_movements for mid in r.kb.movements[mv].prime_movers}
    drop_of = {mv: name.replace("_", " ") for name, movements in table.drops.items() for mv in movements}
    hits = []
    for n, f in r.of(exam.Weakness):
        if f.grade is None or f.grade > table.marked_grade:
            continue
        target = r.weakness_target(f)
        if target is None:
            continue
        if isinstance(target, m.Movement):
            keys = [target.id] if target.id in table.key_movements else []
        else:
            keys = [key_movers[mu.id] for mu in r.kb.members(target) if mu.id in key_movers]
        if not keys:
            continue
        drop = next((drop_of[k] for k in keys if k in drop_of), None)
        what = f"{drop}: " if drop else ""
        hits.append(_Hit((n,), f"{what}{target.name.lower()} MRC {f.grade}, {f.side} (finding {n})"))
    return hits


def _positive_pathological_sign(r: _Reading) -> list[_Hit]:
    return [_Hit((n,), f"{reflex.name} positive ({f.side}, finding {n})") for n, f, reflex in r.positive_signs]


def _brisk_reflexes_spread(r: _Reading) -> list[_Hit]:
    """Brisk reflexes with a positive sign, on both sides, or in an arm and a leg; one alone is not a flag."""
    brisk = r.brisk
    if not brisk:
        return []
    sides = {s for _, f, _ in brisk for s in body_sides(f.side)}
    limbs = {limb for _, _, reflex in brisk for limb in r.reflex_limbs(reflex)}
    rows = [(n, f) for n, f, _ in brisk]
    if r.positive_signs:
        how = "with a positive pathological sign"
    elif sides == {"left", "right"}:
        how = "on both sides"
    elif {"arm", "leg"} <= limbs:
        how = "in an arm and a leg"
    else:
        return []
    return [_Hit(tuple(n for n, _ in rows), f"brisk reflexes {how} ({_numbers(rows)})")]


def _chest_pain_without_cardiac_screen(r: _Reading) -> list[_Hit]:
    chest = [region for region in r.regions if region.id in r.table.chest_regions]
    if not chest or r.assessment.cardiac_screen == "done":
        return []
    screened = "not done" if r.assessment.cardiac_screen == "not_done" else "not recorded"
    return [_Hit((), f"pain in the {', '.join(c.name.lower() for c in chest)}, cardiac screen {screened}")]


#: Every trigger red_flags.yaml may name (kb.model.RED_FLAG_TRIGGERS), and what it reads.
TRIGGERS: dict[str, Callable[[_Reading], list[_Hit]]] = {
    "saddle_sensory_change": _saddle_sensory_change,
    "sphincter_dysfunction": _sphincter_dysfunction,
    "bilateral_leg_deficit": _bilateral_leg_deficit,
    "marked_key_weakness": _marked_key_weakness,
    "positive_pathological_sign": _positive_pathological_sign,
    "brisk_reflexes_spread": _brisk_reflexes_spread,
    "chest_pain_without_cardiac_screen": _chest_pain_without_cardiac_screen,
}
