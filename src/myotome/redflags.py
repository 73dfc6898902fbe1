"""Red flags: the findings and history that come before any needling plan.

The rules are data (``kb/data/red_flags.yaml``, each with its sources); this module
evaluates their inputs against one assessment and says which flags stop the plan::

    found = screen(assessment, kb)
    found.flags[0].code, found.flags[0].action     # ('cauda_equina', 'refer_urgently')
    found.blocking                                  # the flags that withhold the plan

A ``refer_urgently`` flag always withholds the plan; ``refer`` and ``screen_first`` do
until the clinician lists their code in ``acknowledged_red_flags``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from myotome import exam
from myotome.kb import model as m
from myotome.kb.knowledge import KnowledgeBase
from myotome.kb.names import LookupFailed
from myotome.localize import body_sides

ALWAYS_BLOCKS = "refer_urgently"
# Answers that only a format 1.1 document can give; a 1.0 document is screened on its findings and
# its complaint. A 1.0 chest complaint is flagged: the format cannot say the cardiac screen was done.
ANSWERS_1_1 = frozenset({"sphincter", "history"})
FORMAT_1_0_SCREEN_NOTE = (
    "Format 1.0 holds no red-flag history, sphincter or cardiac-screen answers: only the findings and the complaint were screened. "
    'Ask about them and record them in a "format": "1.1" document.'
)


@dataclass(frozen=True, slots=True)
class RedFlag:
    code: str
    name: str
    action: str  # refer_urgently | refer | screen_first
    text: str
    findings: tuple[int, ...]  # the findings that raised it, numbered from 1; empty for history and answers
    acknowledged: bool = False

    @property
    def blocks_plan(self) -> bool:
        return self.action == ALWAYS_BLOCKS or not self.acknowledged


@dataclass(frozen=True, slots=True)
class Screen:
    """What the red-flag screen found in one assessment."""

    flags: tuple[RedFlag, ...]  # most urgent first
    unknown_acknowledgements: tuple[str, ...] = ()  # acknowledged codes no rule has
    known_codes: tuple[str, ...] = ()
    findings_only: bool = False  # a format 1.0 document: no history or answers to screen

    @property
    def notes(self) -> tuple[str, ...]:
        """What the screen could not read: a 1.0 document's missing answers, acknowledged codes that name no flag."""
        return ((FORMAT_1_0_SCREEN_NOTE,) if self.findings_only else ()) + tuple(
            f"acknowledged_red_flags names '{code}', but there is no red flag with that code; the codes are {', '.join(self.known_codes)}."
            for code in self.unknown_acknowledgements
        )

    @property
    def blocking(self) -> tuple[RedFlag, ...]:
        return tuple(f for f in self.flags if f.blocks_plan)

    @property
    def cleared(self) -> bool:
        """No flag withholds the plan: a session may start from this result."""
        return not self.blocking

    @property
    def reason(self) -> str | None:
        """Why no plan is given, or None when the screen is cleared."""
        blocking = self.blocking
        if not blocking:
            return None
        urgent = [f.name for f in blocking if f.action == ALWAYS_BLOCKS]
        if urgent:
            return f"No plan: {', '.join(urgent)} needs urgent medical assessment, and acknowledging it does not change that."
        where = ' in a "format": "1.1" document' if self.findings_only else ""
        return (
            f"No plan until the red flags are acknowledged after referral or screening: {', '.join(f.code for f in blocking)} "
            f'(list them under "acknowledged_red_flags"{where}).'
        )


def screen(assessment: exam.Assessment, kb: KnowledgeBase) -> Screen:
    """Evaluate the knowledge base's red-flag rules against one assessment.

    found = screen(parse_assessment(text), load_kb())
    [(f.code, f.action) for f in found.flags]
    """
    facts = _Facts(assessment, kb)
    acknowledged = set(assessment.acknowledged_red_flags)
    findings_only = assessment.format_version == "1.0"
    flags = []
    for rule in kb.red_flags.rules:
        triggers = [t for t in rule.when if not (findings_only and t.trigger in ANSWERS_1_1)]
        raised = [found for trigger in triggers if (found := _TRIGGERS[trigger.trigger](facts, trigger)) is not None]
        if raised:
            findings = tuple(sorted({n for numbers in raised for n in numbers}))
            flags.append(RedFlag(rule.code, rule.name, rule.action, rule.text, findings, rule.code in acknowledged))
    order = {action: i for i, action in enumerate(m.RED_FLAG_ACTIONS)}
    flags.sort(key=lambda f: order[f.action])  # stable: the table's order within an action
    unknown = tuple(code for code in assessment.acknowledged_red_flags if code not in kb.red_flags.codes)
    return Screen(tuple(flags), unknown, kb.red_flags.codes, findings_only)


# ---------------------------------------------------------------------------
# The facts the triggers read, resolved once per assessment


class _Facts:
    def __init__(self, assessment: exam.Assessment, kb: KnowledgeBase):
        self.assessment = assessment
        self.kb = kb
        self.table = kb.red_flags
        self.complaint_regions = {r.id for r in (_find(kb.find_region, name) for name in assessment.complaint.regions) if r is not None}

    def findings(self, kind: type[Any]) -> Iterator[tuple[int, Any]]:
        for number, finding in enumerate(self.assessment.findings, 1):
            if isinstance(finding, kind):
                yield number, finding

    def in_regions(self, list_name: str) -> bool:
        return bool(self.complaint_regions & set(self.table.regions[list_name]))

    def movement_limb(self, movement: m.Movement) -> str | None:
        return _joint_limbs(self.kb).get(movement.joint)

    def muscle_limb(self, muscle: m.Muscle) -> str | None:
        """The muscle's limb; for one filed as axial, the limb whose joint it moves (iliopsoas flexes the hip)."""
        if muscle.limb != "axial":
            return muscle.limb
        limbs = {_joint_limbs(self.kb).get(self.kb.movements[mv].joint) for mv in muscle.movements} - {None}
        return limbs.pop() if len(limbs) == 1 else None

    def reflex_limb(self, reflex: m.Reflex) -> str | None:
        limbs = {self.kb.muscles[i].limb for i in reflex.muscles if i in self.kb.muscles} - {"axial"}
        if not limbs:
            limbs = {"upper" if s.startswith("C") else "lower" for s in reflex.roots.main if s[:1] in "CLS"}
        return limbs.pop() if len(limbs) == 1 else None


@functools.lru_cache(maxsize=8)
def _joint_limbs(kb: KnowledgeBase) -> dict[str, str]:
    """Each joint's limb, from the limb muscles that move it: the hip is a leg joint (gluteus maximus
    extends it) although hip flexion's prime movers, iliacus and psoas, are filed as axial."""
    limbs: dict[str, set[str]] = {}
    for movement in kb.movements.values():
        found = {kb.muscles[i].limb for i in movement.muscles if i in kb.muscles} - {"axial"}
        limbs.setdefault(movement.joint, set()).update(found)
    return {joint: found.pop() for joint, found in limbs.items() if len(found) == 1}


def _find(lookup: Callable[[str], Any], name: str) -> Any:
    try:
        return lookup(name)
    except LookupFailed:
        return None  # reported by the localisation as unresolved


Numbers = tuple[int, ...]


def _saddle_sensory_change(facts: _Facts, trigger: m.RedFlagTrigger) -> Numbers | None:
    saddle = set(facts.table.regions["saddle"])
    found = tuple(
        n
        for n, f in facts.findings(exam.Sensory)
        if f.change != "normal" and (region := _find(facts.kb.find_region, f.region)) is not None and region.id in saddle
    )
    return found or None


def _sphincter(facts: _Facts, trigger: m.RedFlagTrigger) -> Numbers | None:
    return () if facts.assessment.sphincter == "yes" else None


def _bilateral_leg_deficit(facts: _Facts, trigger: m.RedFlagTrigger) -> Numbers | None:
    sides: dict[str, list[int]] = {"left": [], "right": []}
    for n, f in facts.findings(exam.Sensory):
        region = _find(facts.kb.find_region, f.region)
        if f.change in ("reduced", "altered") and region is not None and region.limb == "lower":
            for side in body_sides(f.side):
                sides[side].append(n)
    for n, w in facts.findings(exam.Weakness):
        if w.grade == 5 or _weakness_limb(facts, w) != "lower":
            continue
        for side in body_sides(w.side):
            sides[side].append(n)
    if sides["left"] and sides["right"]:
        return tuple(sorted(set(sides["left"] + sides["right"])))
    return None


def _weakness_limb(facts: _Facts, w: exam.Weakness) -> str | None:
    if w.movement is not None:
        movement = _find(facts.kb.find_movement, w.movement)
        return facts.movement_limb(movement) if movement is not None else None
    record = _find(facts.kb.find_muscle, w.muscle or "")
    limbs = {facts.muscle_limb(mu) for mu in facts.kb.members(record)} if record is not None else set()
    return limbs.pop() if len(limbs) == 1 else None


def _key_weakness(facts: _Facts, trigger: m.RedFlagTrigger) -> Numbers | None:
    worst = int(trigger.param("max_grade"))
    key = [facts.kb.movements[i] for i in facts.table.key_movements]
    key_ids = {mv.id for mv in key}
    key_movers = {muscle for mv in key for muscle in mv.prime_movers}
    found = []
    for n, w in facts.findings(exam.Weakness):
        if w.grade is None or w.grade > worst:
            continue
        if w.movement is not None:
            movement = _find(facts.kb.find_movement, w.movement)
            hit = movement is not None and movement.id in key_ids
        else:
            record = _find(facts.kb.find_muscle, w.muscle or "")
            hit = record is not None and any(mu.id in key_movers for mu in facts.kb.members(record))
        if hit:
            found.append(n)
    return tuple(found) or None


def _pathological_sign(facts: _Facts, trigger: m.RedFlagTrigger) -> Numbers | None:
    found = tuple(
        n
        for n, f in facts.findings(exam.ReflexFinding)
        if f.grade in ("positive", "brisk") and (reflex := _find(facts.kb.find_reflex, f.reflex)) is not None and reflex.pathological
    )
    return found or None


def _brisk_widespread(facts: _Facts, trigger: m.RedFlagTrigger) -> Numbers | None:
    numbers: list[int] = []
    sides: set[str] = set()
    limbs: set[str | None] = set()
    for n, f in facts.findings(exam.ReflexFinding):
        reflex = _find(facts.kb.find_reflex, f.reflex)
        if f.grade != "brisk" or reflex is None or reflex.kind != "deep_tendon":
            continue
        numbers.append(n)
        sides.update(body_sides(f.side))
        limbs.add(facts.reflex_limb(reflex))
    widespread = len(sides) == 2 or {"upper", "lower"} <= limbs
    # With a positive sign, brisk reflexes are part of the same upper motor neurone picture.
    with_sign = bool(numbers) and _pathological_sign(facts, trigger) is not None
    return tuple(numbers) if widespread or with_sign else None


def _complaint_without_cardiac_screen(facts: _Facts, trigger: m.RedFlagTrigger) -> Numbers | None:
    return () if facts.in_regions("chest") and facts.assessment.cardiac_screen != "done" else None


def _history(facts: _Facts, trigger: m.RedFlagTrigger) -> Numbers | None:
    if trigger.param("code") not in facts.assessment.history:
        return None
    spinal = trigger.param("spinal_pain")
    if spinal is not None and spinal != facts.in_regions("spine"):
        return None
    return ()


_TRIGGERS: dict[str, Callable[[_Facts, m.RedFlagTrigger], Numbers | None]] = {
    "saddle_sensory_change": _saddle_sensory_change,
    "sphincter": _sphincter,
    "bilateral_leg_deficit": _bilateral_leg_deficit,
    "key_weakness": _key_weakness,
    "pathological_sign": _pathological_sign,
    "brisk_widespread": _brisk_widespread,
    "complaint_without_cardiac_screen": _complaint_without_cardiac_screen,
    "history": _history,
}
assert set(_TRIGGERS) == set(m.RED_FLAG_TRIGGERS), "every trigger of the rule table has an evaluator"
