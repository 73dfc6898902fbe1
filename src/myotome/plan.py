"""From ranked segments to an ordered IMS needling plan with cautions.

The method: paraspinal muscles at the vertebral level of each involved root first (the
level the clinician found tender or thickened, else the level ``levels.yaml`` gives the
root), then every muscle the exam found banded or weak, proximal to distal by anatomical
position, and the condition's usual muscles only as labelled suggestions in the room
left. One insertion per step, the session's dose adapted to the patient; safety rules
(never-needled muscles, precautions, one side of the chest, a ban on thoracic needling)
take steps out, and every step taken out is listed in ``dropped`` with its reason::

    plan = build(assessment, rank(assessment, kb), kb)
    [(s.order, s.muscle.name, s.label) for s in plan.steps]
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from myotome import exam
from myotome.kb import model as m
from myotome.kb.knowledge import KnowledgeBase
from myotome.kb.names import LookupFailed
from myotome.localize import SIDES, Localization, RankedSegment, body_sides

# The dose, the involved-segment thresholds and the needle lengths are cited data in
# kb/data/planning.yaml (kb.planning); the names below stay importable for the packaged values.
_PACKAGED_NUMBERS = {
    "BASE_INSERTIONS": lambda p: p.base_insertions,
    "MIN_INSERTIONS": lambda p: p.min_insertions,
    "INVOLVED_SHARE": lambda p: p.involved_share,
    "MAX_INVOLVED": lambda p: p.max_involved,
    "NEEDLE_LENGTHS": lambda p: p.needle_lengths_mm,
    "DEFAULT_SHARE": lambda p: p.default_share,
}


def __getattr__(name: str) -> object:
    if name in _PACKAGED_NUMBERS:
        from myotome.kb import load_kb

        return _PACKAGED_NUMBERS[name](load_kb().planning)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Why a step is in the plan.
BASES = ("paraspinal_finding", "paraspinal_level", "banded", "weak", "suggestion")
#: Why a muscle was taken out of the plan (``Dropped.code``): the session's dose, the share left
#: to suggestions, or a safety rule. Nothing the exam found is dropped for any other reason.
DROP_CODES = (
    "dose",
    "suggestion_share",
    "never_needled",
    "precaution",
    "contraindication",
    "thoracic_forbidden",
    "chest_side",
)


@dataclass(frozen=True, slots=True)
class Step:
    order: int
    muscle: m.Muscle
    segment: str | None  # the involved root that justifies the step (the root a paraspinal level serves)
    side: str
    region: str  # "paraspinal" or the muscle's body part
    reason: str
    cautions: tuple[m.Caution, ...]
    needle_mm: int
    level: str | None = None  # paraspinal steps: the vertebral level or interspace to needle ("C7-T1")
    segment_role: str | None = None  # "main" or "minor": how `segment` supplies the muscle
    basis: str = "banded"  # one of BASES
    findings: tuple[int, ...] = ()  # the findings (numbered from 1) behind the step
    over_thorax: bool = False  # needled toward the chest wall (not onto bone, not lifted): pneumothorax risk

    @property
    def suggestion(self) -> bool:
        """A condition's usual muscle that the exam did not examine."""
        return self.basis == "suggestion"

    @property
    def label(self) -> str:
        """Where and for what: "C7-T1 for C8", "C6, minor root"."""
        if self.level is not None:
            return f"{self.level} for {self.segment}" if self.segment and self.segment != self.level else self.level
        if self.segment is None:
            return ""
        return f"{self.segment}, minor root" if self.segment_role == "minor" else self.segment


@dataclass(frozen=True, slots=True)
class Dropped:
    muscle: m.Muscle
    side: str
    reason: str
    code: str = "dose"  # one of DROP_CODES
    banded: bool = False  # the exam found the muscle banded or weak (not a suggestion or a level's default)
    findings: tuple[int, ...] = ()
    level: str | None = None  # a paraspinal step's vertebral level


@dataclass(frozen=True)
class Plan:
    involved: tuple[RankedSegment, ...]
    steps: tuple[Step, ...]
    max_insertions: int
    dose_reasons: tuple[str, ...]
    dropped: tuple[Dropped, ...]
    warnings: tuple[str, ...]
    precautions: tuple[m.Precaution, ...] = field(default_factory=tuple)
    banded_found: int = 0  # (muscle, side) pairs the exam found banded or weak, that may be needled
    banded_planned: int = 0  # ...of which the plan needles

    @property
    def suggestions(self) -> int:
        return sum(1 for s in self.steps if s.suggestion)


@dataclass(frozen=True, slots=True)
class _Candidate:
    muscle: m.Muscle
    side: str
    segment: str | None
    reason: str
    basis: str
    level: m.VertebralLevel | None = None
    findings: tuple[int, ...] = ()
    severity: int = 0  # the strongest band (0: weak, or no finding)
    reach: str = "involved"  # involved | adjacent | region | outside: how a found muscle is justified

    @property
    def paraspinal(self) -> bool:
        return self.level is not None

    @property
    def found(self) -> bool:
        return self.basis in ("banded", "weak")

    def drop(self, code: str, reason: str) -> Dropped:
        return Dropped(self.muscle, self.side, reason, code, self.found, self.findings, self.level.id if self.level else None)


def build(assessment: exam.Assessment, localization: Localization, kb: KnowledgeBase) -> Plan:
    """Order the session's needling for an assessment and its localisation.

    plan = build(assessment, rank(assessment, kb), kb)
    plan.steps[0].region, plan.steps[0].level   # ('paraspinal', 'C5-C6')
    """
    warnings: list[str] = list(localization.warnings)
    precautions = _precautions(assessment.patient, kb, warnings)
    involved = _involved(localization.segments, kb.planning)
    if not involved:
        warnings.append(
            "The findings do not point to a spinal segment yet: record root signs (reflexes, dermatomes, myotomes), "
            "paraspinal and skin findings before planning IMS."
        )
    ctx = _Context(assessment, localization, involved, kb)
    found, dropped = _found_muscles(ctx)
    levels = _level_steps(ctx)
    paraspinal, peripheral = _place_found(ctx, found, levels)
    suggestions = _suggestions(ctx, found)
    candidates = paraspinal + peripheral + suggestions
    candidates, safety = _apply_safety(candidates, precautions, assessment, localization)
    dropped += safety
    limit, dose_reasons = _dose(assessment.patient, precautions, kb.planning)
    candidates, over = _cap_suggestions(candidates, limit, kb.planning)
    dropped += over
    kept, over = _fit_dose(candidates, limit, dose_reasons)
    dropped += over
    kept = _ordered(kept)
    build_class = assessment.patient.build or "average"
    steps = tuple(
        Step(
            order=i,
            muscle=c.muscle,
            segment=c.segment,
            side=c.side,
            region="paraspinal" if c.paraspinal else c.muscle.body_part,
            reason=c.reason,
            cautions=_cautions(c.muscle, precautions),
            needle_mm=needle_length(c.muscle, build_class, kb),
            level=c.level.id if c.level else None,
            segment_role=c.muscle.roots.level(c.segment) if c.segment else None,
            basis=c.basis,
            findings=c.findings,
            over_thorax=_over_thorax(c),
        )
        for i, c in enumerate(kept, 1)
    )
    if any(s.over_thorax for s in steps):
        warnings.append(
            "Steps over the thorax: pneumothorax risk. Needle tangentially or onto rib, keep to the suggested length, "
            "avoid both sides of the chest in one session, and tell the patient the symptoms to report (breathlessness, chest pain) for 48 hours."
        )
    planned = {(s.muscle.id, s.side) for s in steps if s.basis in ("banded", "weak")}
    return Plan(
        involved,
        steps,
        limit,
        tuple(dose_reasons),
        tuple(dropped),
        tuple(warnings),
        tuple(precautions),
        banded_found=len(found),
        banded_planned=len(planned & set(found)),
    )


# ---------------------------------------------------------------------------
# Needles


def needle_length(muscle: m.Muscle, build_class: str, kb: KnowledgeBase | None = None) -> int:
    """Suggested needle length (mm) from the muscle's depth and approach and the patient's build.

    needle_length(kb.muscles["multifidus_thoracic"], "average", kb)  # 40: onto the lamina, 30-45 mm
    needle_length(kb.muscles["serratus_anterior"], "muscular", kb)   # 30: over the lung, capped
    """
    if kb is None:
        from myotome.kb import load_kb

        kb = load_kb()
    return _needle(muscle, build_class, kb.planning)


@functools.lru_cache(maxsize=1024)
def _needle(muscle: m.Muscle, build_class: str, numbers: m.Planning) -> int:
    depth = muscle.needle_depth.typical_mm if muscle.needle_depth else numbers.depth_class_mm[muscle.depth]
    wanted = depth * numbers.build_factors[build_class]
    stocked = numbers.needle_lengths_mm
    length = next((n for n in stocked if n >= wanted), stocked[-1])
    # Over the lung the needle stays within the build's cap, unless a bone stops it first.
    if _lung_zone(muscle) and _approach(muscle) != "onto_bone":
        return min(length, numbers.lung_zone_max_mm[build_class])
    return length


def _lung_zone(muscle: m.Muscle) -> bool:
    """The pleura is within reach of a needle at this muscle (a lung caution in the KB)."""
    return any(c.kind == "lung" for c in muscle.cautions)


def _approach(muscle: m.Muscle) -> str:
    return muscle.needle_depth.approach if muscle.needle_depth else "perpendicular"


def _over_thorax(c: _Candidate) -> bool:
    """A step over the thorax: a paraspinal muscle in a lung zone at a thoracic level (iliocostalis at
    L3 is over no rib), or a limb-girdle or trunk muscle in a lung zone needled toward the chest wall,
    neither stopped by bone (infraspinatus onto the scapula, quadratus lumborum onto a transverse
    process) nor lifted away from it (upper trapezius in a pincer grip)."""
    if not _lung_zone(c.muscle):
        return False
    if c.level is not None:
        return c.level.region == "thoracic"
    return _approach(c.muscle) not in ("onto_bone", "pincer")


# ---------------------------------------------------------------------------
# Involved segments and the exam's paraspinal findings


def _involved(segments: tuple[RankedSegment, ...], numbers: m.Planning) -> tuple[RankedSegment, ...]:
    """The top segments that the exam itself points to (the complaint alone is not enough).

    Spinal levels and cranial nerves are judged apart: a spinal level is involved when it
    scores at least ``involved_share`` (half) of the top spinal level (at most ``max_involved``
    levels), a cranial nerve when it scores that share of the top overall (planning.yaml). So a jaw problem (CN V3) with
    upper-cervical signs is needled at the neck first, then at the jaw.
    """
    examined = [s for s in segments if any(e.finding is not None for e, _ in s.evidence)]
    spinal = [s for s in examined if not s.segment.startswith("CN")]
    cranial = [s for s in examined if s.segment.startswith("CN")]
    share = numbers.involved_share
    chosen: list[RankedSegment] = []
    if spinal:
        levels = list(dict.fromkeys(s.segment for s in spinal if s.score >= share * spinal[0].score))[: numbers.max_involved]
        chosen += [s for s in spinal if s.segment in levels and s.score >= share * spinal[0].score]
    if cranial:
        chosen += [s for s in cranial if s.score >= share * examined[0].score]
    return tuple(sorted(chosen, key=lambda s: -s.score))


@dataclass(frozen=True, slots=True)
class _ParaspinalFinding:
    number: int
    level: m.VertebralLevel | None  # format 1.1; None in 1.0, where the finding names roots
    roots: tuple[str, ...]
    sides: tuple[str, ...]


class _Context:
    """What every planning rule reads: the exam, the involved roots by side, and the KB."""

    def __init__(self, assessment: exam.Assessment, loc: Localization, involved: tuple[RankedSegment, ...], kb: KnowledgeBase):
        self.assessment = assessment
        self.loc = loc
        self.kb = kb
        self.score: dict[tuple[str, str], float] = {}  # involved (segment, side) -> score
        self.evidence: dict[tuple[str, str], float] = {}  # every ranked (segment, side) -> score
        for r in loc.segments:
            for side in body_sides(r.side):
                self.evidence[r.segment, side] = max(self.evidence.get((r.segment, side), 0.0), r.score)
        for r in involved:
            for side in body_sides(r.side):
                self.score[r.segment, side] = max(self.score.get((r.segment, side), 0.0), r.score)
        self.paraspinal_findings: list[_ParaspinalFinding] = []
        for number, f in enumerate(assessment.findings, 1):
            if isinstance(f, exam.Paraspinal):
                level = kb.levels.get(f.level) if assessment.format_version != "1.0" else None
                roots = level.segments if level else f.levels
                self.paraspinal_findings.append(_ParaspinalFinding(number, level, roots, body_sides(f.side)))
        self.condition = _condition(assessment, kb)

    def involved(self, segment: str, side: str) -> bool:
        return (segment, side) in self.score

    def involved_roots(self) -> list[tuple[str, str]]:
        """(root, side) pairs, craniocaudal (cranial nerves last: they have no paraspinal level)."""
        order = self.kb.spinal_segments
        return sorted(self.score, key=lambda key: (order.index(key[0]) if key[0] in order else len(order), SIDES.index(key[1])))


# ---------------------------------------------------------------------------
# Paraspinal steps: one per vertebral level and side


#: Where a root without a paraspinal finding is needled, among levels where it weighs alike: the
#: interspace it leaves through (where clinicians palpate and write the neck and thoracic levels),
#: then the vertebra whose muscles its dorsal ramus supplies, then an interspace it crosses.
_DEFAULT_RELATIONS = ("exiting", "segmental", "traversing")


@functools.lru_cache(maxsize=4096)
def _levels_for(segment: str, kb: KnowledgeBase) -> tuple[m.VertebralLevel, ...]:
    return kb.levels_for(segment)


@functools.lru_cache(maxsize=4096)
def default_level(segment: str, kb: KnowledgeBase) -> m.VertebralLevel | None:
    """Where to needle a root without a paraspinal finding: of the levels that implicate it, the one
    where it carries most weight (levels.yaml), the interspace it leaves through before its vertebra
    (C6 -> C5-C6, C8 -> C7-T1, T4 -> T4-T5; lumbar roots weigh most at their vertebra: L5 -> L5);
    S2-S5 at S1, the fused sacrum; None for a cranial nerve.

    default_level("C8", kb).id   # 'C7-T1'
    """
    candidates = _levels_for(segment, kb)
    if not candidates:
        return kb.levels.get("S1") if segment in ("S2", "S3", "S4", "S5") else None

    def key(level: m.VertebralLevel) -> tuple[float, int]:
        root = next(r for r in level.roots if r.segment == segment)
        return (-root.weight, _DEFAULT_RELATIONS.index(root.relation))

    return min(candidates, key=key)


@dataclass
class _LevelStep:
    level: m.VertebralLevel
    side: str
    roots: list[str] = field(default_factory=list)  # involved roots the level implicates, strongest first
    near: list[str] = field(default_factory=list)  # involved roots next to those, served here too
    at_level: list[int] = field(default_factory=list)  # format 1.1 findings at this level
    at_root: list[int] = field(default_factory=list)  # format 1.0 findings naming a root it serves
    beside: bool = False  # the level's finding implicates a root next to the one it is needled for


def _level_steps(ctx: _Context) -> dict[tuple[str, str], _LevelStep]:
    """The vertebral levels the session needles, by (level id, side).

    In format 1.1 a root involved on a side is needled at each level where a paraspinal finding on
    that side implicates it; a root without one, but next to a root such a finding implicates, at
    that finding's level (paraspinal signs localise to about one level); any other root at its
    default level. Format 1.0 findings name roots, not levels, so every root goes to its default
    level (and the step cites the finding)."""
    out: dict[tuple[str, str], _LevelStep] = {}
    pending: list[tuple[str, str]] = []
    for root, side in ctx.involved_roots():
        at_level = [p for p in ctx.paraspinal_findings if p.level is not None and side in p.sides and root in p.roots]
        for p in at_level:
            assert p.level is not None
            step = out.setdefault((p.level.id, side), _LevelStep(p.level, side))
            step.at_level += [p.number] if p.number not in step.at_level else []
            step.roots += [root] if root not in step.roots else []
        if not at_level:
            pending.append((root, side))
    _levels_beside(ctx, out)
    for root, side in pending:
        if any(s_side == side and root in s.roots for (_, s_side), s in out.items()):
            continue  # needled at a level found next to it
        neighbours = {ctx.kb.neighbour(root, -1), ctx.kb.neighbour(root, 1)}
        near = [s for (_, s_side), s in out.items() if s_side == side and s.at_level and neighbours & set(s.roots)]
        if near:
            near[0].near.append(root)
            continue
        level = default_level(root, ctx.kb)
        if level is None:
            continue  # a cranial nerve: no paraspinal level
        step = out.setdefault((level.id, side), _LevelStep(level, side))
        step.at_root += [p.number for p in ctx.paraspinal_findings if side in p.sides and root in p.roots and p.number not in step.at_root]
        step.roots.append(root)
    for step in out.values():
        step.roots.sort(key=lambda r: -ctx.score[r, step.side])
    return out


def _levels_beside(ctx: _Context, out: dict[tuple[str, str], _LevelStep]) -> None:
    """Levels the clinician found that implicate only roots next to an involved one: paraspinal signs
    localise to about one level, so each is needled too, for the involved root beside it."""
    for q in ctx.paraspinal_findings:
        if q.level is None:
            continue
        for side in q.sides:
            if (q.level.id, side) in out:
                continue
            beside = [n for r in q.roots for n in (ctx.kb.neighbour(r, -1), ctx.kb.neighbour(r, 1)) if n and ctx.involved(n, side)]
            if beside:
                out[q.level.id, side] = _LevelStep(q.level, side, roots=list(dict.fromkeys(beside)), at_level=[q.number], beside=True)


def _level_candidate(ctx: _Context, step: _LevelStep) -> _Candidate:
    level, root = step.level, step.roots[0]
    muscle = ctx.kb.muscles[level.paraspinal[0]]
    served = " and ".join(step.roots) + (f" (and {' and '.join(step.near)}, next to it)" if step.near else "")
    if step.at_level:
        why = f"paraspinal finding {_numbers(step.at_level)} at {level.id}"
        if step.beside:
            why += f" ({', '.join(r.segment for r in level.roots)}, next to {root}: paraspinal signs localise to about one level)"
    else:
        sought = ", ".join(lv.id for lv in _levels_for(root, ctx.kb)) or level.id
        if step.at_root:
            why = f"paraspinal finding {_numbers(step.at_root)} at {root} (format 1.0: a root); {root} is sought at {sought}"
        else:
            why = f"no paraspinal finding for {root}; it is sought at {sought}"
        why += f", needled at {level.id}" + (" (the vertebra its dorsal ramus supplies)" if level.kind == "vertebra" else "")
    findings = tuple(step.at_level or step.at_root)
    reason = f"{_lower(muscle.name)} at {level.id}, for {served}: involved (score {ctx.score[root, step.side]:.2f}); {why}; needled first"
    return _Candidate(muscle, step.side, root, reason, "paraspinal_finding" if findings else "paraspinal_level", level, findings)


def _lower(name: str) -> str:
    """A muscle's name inside a sentence: "cervical multifidus", "Rectus capitis posterior major" kept."""
    return name[0].lower() + name[1:] if name.split()[0].lower() in ("cervical", "thoracic", "lumbar") else name


# ---------------------------------------------------------------------------
# What the exam found: banded and weak muscles


@dataclass
class _Found:
    muscle: m.Muscle
    side: str
    severity: int  # strongest band; 0 for weakness only
    findings: list[int]
    weak: bool


def _found_muscles(ctx: _Context) -> tuple[dict[tuple[str, str], _Found], list[Dropped]]:
    """Every (muscle, side) the exam found banded or weak; muscles never needled are dropped with why."""
    found: dict[tuple[str, str], _Found] = {}
    dropped: list[Dropped] = []
    kb = ctx.kb
    for number, finding in enumerate(ctx.assessment.findings, 1):
        if not isinstance(finding, (exam.TenderBand, exam.Weakness)) or number not in ctx.loc.resolved:
            continue
        if isinstance(finding, exam.Weakness) and finding.grade == 5:
            continue  # normal power
        record = ctx.loc.resolved[number]
        if isinstance(record, m.Movement):  # weak movement: its prime movers are the muscles to treat
            targets: tuple[m.Muscle, ...] = tuple(kb.muscles[i] for i in record.prime_movers)
        elif isinstance(record, m.Group):
            targets = kb.needled_members(record)  # a group never stands for its never-needled members
        elif isinstance(record, m.Muscle):
            targets = (record,)
        else:
            continue
        severity = finding.severity if isinstance(finding, exam.TenderBand) else 0
        for muscle in targets:
            for side in body_sides(finding.side):
                if muscle.needling.never:
                    why = f"never needled: {muscle.needling.reason}" if muscle.needling.reason else "never needled"
                    if not any(d.muscle.id == muscle.id and d.side == side for d in dropped):
                        dropped.append(Dropped(muscle, side, why, "never_needled", True, (number,)))
                    continue
                entry = found.setdefault((muscle.id, side), _Found(muscle, side, severity, [], weak=severity == 0))
                entry.severity = max(entry.severity, severity)
                entry.weak = entry.weak and severity == 0
                if number not in entry.findings:
                    entry.findings.append(number)
    return found, dropped


def _place_found(
    ctx: _Context, found: dict[tuple[str, str], _Found], levels: dict[tuple[str, str], _LevelStep]
) -> tuple[list[_Candidate], list[_Candidate]]:
    """Paraspinal steps (the levels, and the paraspinal muscles found banded, at their level) and every
    peripheral muscle found, each with the segment that justifies it: nothing the exam found is lost."""
    paraspinal = {(s.level.id, s.side, s.level.paraspinal[0]): _level_candidate(ctx, s) for s in levels.values()}
    peripheral: list[_Candidate] = []
    for f in found.values():
        kind = "weak (prime mover)" if f.weak else f"banded (severity {f.severity})"
        source = f"{kind} in the exam (finding {_numbers(f.findings)})"
        basis = "weak" if f.weak else "banded"
        if f.muscle.rank == "paraspinal":
            level, root, reach, how = _paraspinal_level_for(ctx, f, levels)
            own = [r for r in f.muscle.roots.main if ctx.involved(r, f.side)]
            if own:  # the root that supplies the muscle names the step (the suboccipitals: C1 at C1-C2)
                root = max(own, key=lambda r: ctx.score[r, f.side])
            key = (level.id, f.side, f.muscle.id)
            reason = f"{_lower(f.muscle.name)} at {level.id}, for {root}: {source}; {how}"
            existing = paraspinal.get(key)
            findings = tuple(dict.fromkeys((*(existing.findings if existing else ()), *f.findings)))
            paraspinal[key] = _Candidate(f.muscle, f.side, root, reason, basis, level, findings, f.severity, reach)
            continue
        segment, reach, how = _justify(ctx, f)
        peripheral.append(_Candidate(f.muscle, f.side, segment, f"{source}; {how}", basis, None, tuple(f.findings), f.severity, reach))
    # A root's default level is not needed when a banded paraspinal muscle it supplies is needled for it.
    served = {(c.segment, c.side) for c in paraspinal.values() if c.found and c.segment in c.muscle.roots.main}
    needless = [
        (level, side, muscle)
        for (level, side, muscle), c in paraspinal.items()
        if c.basis == "paraspinal_level" and all((r, side) in served for r in levels[level, side].roots)
    ]
    return [c for key, c in paraspinal.items() if key not in needless], peripheral


def _justify(ctx: _Context, f: _Found) -> tuple[str | None, str, str]:
    """Why a peripheral muscle found in the exam belongs in this plan: the involved root that supplies
    it (main roots first), else a root of it next to an involved one, else the painful region; else it
    is still needled (the exam found it), under the root of it the evidence favours, and drops first."""
    roots = ctx.kb.roots_of(f.muscle)
    for group, role in ((roots.main, "main"), (roots.minor, "minor")):
        supplied = [s for s in group if ctx.involved(s, f.side)]
        if supplied:
            best = max(supplied, key=lambda s: ctx.score[s, f.side])
            return best, "involved", f"supplied by involved {best}{', minor root' if role == 'minor' else ''}"
    for group, role in ((roots.main, "main"), (roots.minor, "minor")):
        for segment in group:
            near = [n for n in (ctx.kb.neighbour(segment, -1), ctx.kb.neighbour(segment, 1)) if n and ctx.involved(n, f.side)]
            if near:
                return segment, "adjacent", f"supplied by {segment}{' (minor root)' if role == 'minor' else ''}, next to involved {near[0]}"
    own = max(roots.main or roots.all, key=lambda s: ctx.evidence.get((s, f.side), 0.0)) if roots.all else None
    region = _painful_region(ctx, f.muscle)
    if region is not None:
        return own, "region", f"in the painful region ({region})"
    involved = ", ".join(seg for seg, side in ctx.involved_roots() if side == f.side) or "none"
    return own, "outside", f"supplied by {own}, not an involved segment on this side ({involved}): needled as found, left out first"


def _painful_region(ctx: _Context, muscle: m.Muscle) -> str | None:
    """The complaint's area that holds the muscle: a region listing it, or the condition's usual muscles."""
    for name in ctx.assessment.complaint.regions:
        try:
            region = ctx.kb.find_region(name)
        except LookupFailed:
            continue
        if muscle.id in region.muscles:
            return region.name.lower()
    if ctx.condition is not None and muscle.id in ctx.condition.muscles:
        return f"usually involved in {ctx.condition.name.lower()}"
    return None


@functools.lru_cache(maxsize=1024)
def _levels_listing(muscle_id: str, kb: KnowledgeBase) -> list[m.VertebralLevel]:
    """The levels whose paraspinal list holds a muscle, craniocaudal."""
    return [lv for lv in kb.vertebral_levels if muscle_id in lv.paraspinal]


def _paraspinal_level_for(ctx: _Context, f: _Found, levels: dict[tuple[str, str], _LevelStep]) -> tuple[m.VertebralLevel, str, str, str]:
    """The level a banded paraspinal muscle is needled at (see ``_paraspinal_level``), labelled with a
    root of the muscle's own: the level's root when it supplies the muscle, else the muscle's root
    that is involved or next to the involved one (the suboccipitals, C1, at C1-C2 for C2)."""
    level, root, reach, why = _paraspinal_level(ctx, f, levels)
    if root in f.muscle.roots.all:
        return level, root, reach, why
    own = [r for r in f.muscle.roots.all if ctx.involved(r, f.side)]
    if own:
        return level, own[0], "involved", f"{why}; supplied by involved {own[0]}"
    beside = [r for r in f.muscle.roots.all if root in (ctx.kb.neighbour(r, -1), ctx.kb.neighbour(r, 1))]
    if beside:
        return level, beside[0], "adjacent" if reach != "outside" else reach, f"{why}; supplied by {beside[0]}, next to {root}"
    return level, root, reach, why


def _paraspinal_level(ctx: _Context, f: _Found, levels: dict[tuple[str, str], _LevelStep]) -> tuple[m.VertebralLevel, str, str, str]:
    """The level a banded paraspinal muscle (semispinalis capitis, the suboccipitals, iliocostalis...)
    is needled at: of the levels it is listed at, one already planned on this side, else one that
    implicates an involved root, else one next to it, else the one whose root the evidence favours."""
    listed = _levels_listing(f.muscle.id, ctx.kb)

    def best(options: list[tuple[m.VertebralLevel, str]]) -> tuple[m.VertebralLevel, str]:
        return max(options, key=lambda o: (ctx.evidence.get((o[1], f.side), 0.0), o[0].kind == "interspace", o[0].order))

    planned = [(lv, r) for lv in listed if (lv.id, f.side) in levels for r in levels[lv.id, f.side].roots]
    if planned:
        level, root = best(planned)
        return level, root, "involved", f"at a level the plan needles for involved {root}"
    implicating = [(lv, r) for lv in listed for r in lv.segments if ctx.involved(r, f.side)]
    if implicating:
        level, root = best(implicating)
        return level, root, "involved", f"at a level of involved {root}"
    near = [
        (lv, n)
        for lv in listed
        for r in lv.segments
        for n in (ctx.kb.neighbour(r, -1), ctx.kb.neighbour(r, 1))
        if n and ctx.involved(n, f.side)
    ]
    if near:
        level, root = best(near)
        return level, root, "adjacent", f"next to involved {root}"
    level, root = best([(lv, r) for lv in listed for r in lv.segments])
    return level, root, "outside", f"{root} is not an involved segment on this side: needled as found, left out first"


# ---------------------------------------------------------------------------
# Suggestions: the condition's usual muscles that the exam did not examine


def _suggestions(ctx: _Context, found: dict[tuple[str, str], _Found]) -> list[_Candidate]:
    condition = ctx.condition
    if condition is None:
        return []
    examined = {mid for mid, _ in found} | _examined_muscles(ctx)
    out = []
    for muscle_id in condition.muscles:
        muscle = ctx.kb.muscles[muscle_id]
        if muscle_id in examined or muscle.rank == "paraspinal" or muscle.needling.never:
            continue
        for side in body_sides(ctx.assessment.complaint.side):
            supplied = [s for s in muscle.roots.all if ctx.involved(s, side)]
            if not supplied:
                continue
            seg = max(supplied, key=lambda s: (muscle.roots.level(s) == "main", ctx.score[s, side]))
            minor = ", minor root" if muscle.roots.level(seg) == "minor" else ""
            reason = f"suggestion: usually treated in {condition.name.lower()}; not examined; supplied by involved {seg}{minor}"
            out.append(_Candidate(muscle, side, seg, reason, "suggestion"))
    return out


def _examined_muscles(ctx: _Context) -> set[str]:
    """Muscles a band or weakness finding named, whatever it found (MRC 5 included)."""
    out: set[str] = set()
    for number, finding in enumerate(ctx.assessment.findings, 1):
        record = ctx.loc.resolved.get(number)
        if isinstance(finding, (exam.TenderBand, exam.Weakness)) and isinstance(record, (m.Muscle, m.Group)):
            out.update(mu.id for mu in ctx.kb.members(record))
    return out


def _condition(assessment: exam.Assessment, kb: KnowledgeBase) -> m.Condition | None:
    if not assessment.complaint.condition:
        return None
    try:
        return kb.find_condition(assessment.complaint.condition)
    except LookupFailed:
        return None  # already reported as unresolved by the localisation


# ---------------------------------------------------------------------------
# Safety: precautions, a ban on thoracic needling, one side of the chest


def _precautions(patient: exam.Patient, kb: KnowledgeBase, warnings: list[str]) -> list[m.Precaution]:
    found = []
    for name in patient.precautions:
        try:
            precaution = kb.find_precaution(name)
        except LookupFailed as exc:
            warnings.append(f"Precaution not recognised, check it by hand: {exc.message}")
            continue
        found.append(precaution)
        prefix = "CONTRAINDICATION" if precaution.severity == "contraindication" else "Precaution"
        avoid = [kb.regions[r].name.lower() for r in precaution.avoid_regions] + (
            [precaution.avoid_local] if precaution.avoid_local else []
        )
        local = f" Do not needle {'; '.join(avoid)}." if avoid else ""
        warnings.append(f"{prefix} — {precaution.name}: {precaution.warning}{local}")
        if any(not ex.always for ex in precaution.excludes) and patient.pregnancy_trimester is None:
            warnings.append(
                f"{precaution.name}: the trimester is not given, so the plan applies every exclusion, "
                'the first trimester\'s included; give "pregnancy_trimester" (format 1.1).'
            )
    if patient.needle_fear and not any(p.id == "needle_phobia" for p in found):
        warnings.append("Needle fear: explain each step, start with few insertions and stop at the patient's request.")
    return found


def _apply_safety(
    candidates: list[_Candidate], precautions: list[m.Precaution], assessment: exam.Assessment, loc: Localization
) -> tuple[list[_Candidate], list[Dropped]]:
    blocking = [
        p
        for p in precautions
        if p.severity == "contraindication" and not p.avoid_local and not (p.excludes or p.avoid_zones or p.avoid_regions)
    ]
    if blocking:
        names = ", ".join(p.name.lower() for p in blocking)
        return [], [c.drop("contraindication", f"not needled: contraindication ({names})") for c in candidates]
    kept, dropped = [], []
    trimester = assessment.patient.pregnancy_trimester
    forbidden = assessment.thoracic_needling == "forbidden"
    for c in candidates:
        reason = _excluded(c, precautions, trimester)
        if reason:
            dropped.append(c.drop("precaution", reason))
        elif forbidden and _lung_zone(c.muscle):
            dropped.append(c.drop("thoracic_forbidden", "thoracic needling is forbidden for this patient (clinic or insurer): lung zone"))
        else:
            kept.append(c)
    kept, chest = _one_side_of_the_chest(kept, loc)
    return kept, dropped + chest


def _excluded(candidate: _Candidate, precautions: list[m.Precaution], trimester: int | None) -> str | None:
    """Why a precaution takes this step out of the plan: an excluded muscle or level, or a zone."""
    muscle, level = candidate.muscle, candidate.level.id if candidate.level else None
    for p in precautions:
        for exclusion in p.excludes:
            # an entry held only in some trimesters applies in those, and in all when the trimester is unknown
            if not (exclusion.always or trimester is None or trimester in exclusion.trimesters):
                continue
            if exclusion.whole_body or muscle.id in exclusion.muscles or (level is not None and level in exclusion.levels):
                when = ""
                if not exclusion.always:
                    when = f" (trimester {trimester})" if trimester else " (trimester not given: the strictest entries apply)"
                return f"avoided because of {p.name.lower()}: {exclusion.name}{when}"
        zones = [c.kind for c in muscle.cautions if c.kind in p.avoid_zones]
        if zones:
            return f"avoided because of {p.name.lower()}: {zones[0]} close by"
    return None


def _one_side_of_the_chest(candidates: list[_Candidate], loc: Localization) -> tuple[list[_Candidate], list[Dropped]]:
    """Never both sides of the chest in one session: the worse side is kept (more and stronger bands
    over the thorax, then more evidence), the other side's steps over the thorax wait."""
    thorax = [c for c in candidates if _over_thorax(c)]
    if {c.side for c in thorax} != set(SIDES):
        return candidates, []

    def worse(side: str) -> tuple[int, float, bool]:
        bands = sum(max(c.severity, 1) for c in thorax if c.side == side)
        evidence = sum(r.score for r in loc.segments if side in body_sides(r.side))
        return bands, evidence, side == "left"  # a tie falls to the left, so the plan is reproducible

    keep = max(SIDES, key=worse)
    other = next(s for s in SIDES if s != keep)
    why = f"avoid both sides of the chest in one session: the {keep} side is needled this session, the {other} side's chest steps another"
    waiting = [c for c in thorax if c.side == other]
    return [c for c in candidates if not any(c is w for w in waiting)], [c.drop("chest_side", why) for c in waiting]


# ---------------------------------------------------------------------------
# Dose


def _dose(patient: exam.Patient, precautions: list[m.Precaution], numbers: m.Planning) -> tuple[int, list[str]]:
    factor = 1.0
    reasons = []
    active = [
        patient.temperament or "",
        "needle_fear" if patient.needle_fear else "",
        patient.build or "",
        "first_session" if patient.first_session else "",
    ]
    for key in active:
        dose = numbers.dose_factor(key) if key else None
        if dose is not None:
            factor *= dose.factor
            reasons.append(f"{dose.label} ×{dose.factor:g}")
    for p in precautions:
        if p.dose_factor < 1 and not (p.id == "needle_phobia" and patient.needle_fear):
            factor *= p.dose_factor
            reasons.append(f"{p.name.lower()} ×{p.dose_factor:g}")
    return max(numbers.min_insertions, round(numbers.base_insertions * factor)), reasons


def _cap_suggestions(candidates: list[_Candidate], limit: int, numbers: m.Planning) -> tuple[list[_Candidate], list[Dropped]]:
    """Suggestions fill at most ``default_share`` of the session, and only room the exam's findings leave."""
    cap = math.floor(numbers.default_share * limit)
    room = max(0, min(cap, limit - sum(1 for c in candidates if c.basis != "suggestion")))
    suggestions = [c for c in candidates if c.basis == "suggestion"]
    if len(suggestions) <= room:
        return candidates, []
    gone = suggestions[room:]  # the condition's list is in its usual order: the first stay
    why = (
        f"suggestion left out: unexamined muscles take at most {numbers.default_share:.0%} of the session "
        f"({cap} of {limit} insertions) and never the room of a finding"
    )
    return [c for c in candidates if not any(c is g for g in gone)], [g.drop("suggestion_share", why) for g in gone]


def _fit_dose(candidates: list[_Candidate], limit: int, reasons: list[str]) -> tuple[list[_Candidate], list[Dropped]]:
    """Keep the session within the dose: suggestions go first, then findings outside the involved
    segments, then those justified by a neighbouring segment or the painful region, then the most
    distal and least tender; the paraspinal steps of involved levels last."""
    if len(candidates) <= limit:
        return candidates, []
    why = f"over the session's maximum of {limit} insertions" + (f" ({', '.join(reasons)})" if reasons else "")

    def keep_first(c: _Candidate) -> tuple[int, ...]:
        tier = 0 if c.paraspinal and c.reach == "involved" else {"involved": 1, "adjacent": 2, "region": 2, "outside": 3}[c.reach]
        return (4 if c.basis == "suggestion" else tier, c.muscle.rank_order, c.muscle.position or 0, -c.severity)

    ranked = sorted(range(len(candidates)), key=lambda i: (keep_first(candidates[i]), i))
    gone = set(ranked[limit:])
    kept = [c for i, c in enumerate(candidates) if i not in gone]
    dropped = [
        c.drop("dose", f"{why}; {'usual muscle, not examined' if c.basis == 'suggestion' else 'distal, lower priority'}")
        for i, c in enumerate(candidates)
        if i in gone
    ]
    return kept, dropped


# ---------------------------------------------------------------------------
# Order and cautions


def _ordered(candidates: Iterable[_Candidate]) -> list[_Candidate]:
    """Paraspinal first, cranial to caudal (each level's usual muscle first), then proximal to distal:
    by tier, then by the muscle's position from the spine (KB data), never by tenderness."""

    def key(c: _Candidate) -> tuple[int, int, int, str, int]:
        side = SIDES.index(c.side) if c.side in SIDES else 0
        if c.level is not None:
            usual = c.level.paraspinal.index(c.muscle.id) if c.muscle.id in c.level.paraspinal else len(c.level.paraspinal)
            return (0, c.level.order, usual, c.muscle.id, side)
        return (1 + c.muscle.rank_order, c.muscle.position or 0, 0, c.muscle.id, side)

    return sorted(candidates, key=key)


_BLEEDING = m.Caution(
    kind="other",
    structure="bleeding risk",
    text="Anticoagulated or bleeding disorder: press each site firmly for 30 seconds after withdrawal.",
)


def _cautions(muscle: m.Muscle, precautions: list[m.Precaution]) -> tuple[m.Caution, ...]:
    bleeding = any(p.id in ("anticoagulants", "bleeding_disorder") for p in precautions)
    return muscle.cautions + ((_BLEEDING,) if bleeding else ())


def _numbers(numbers: Iterable[int]) -> str:
    return ", ".join(str(n) for n in numbers)
