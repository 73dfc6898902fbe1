"""From ranked segments to an ordered IMS needling plan with cautions.

The method: paraspinal muscles at each involved level first, then the peripheral
muscles of those myotomes that the exam found banded (and the condition's usual
muscles where the exam is silent), proximal to distal; one insertion per step, the
session's dose adapted to the patient; cautions on every step and precautions
applied to the whole plan::

    plan = build(assessment, rank(assessment, kb), kb)
    [(s.order, s.muscle.name) for s in plan.steps]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from myotome import exam
from myotome.kb import model as m
from myotome.kb.knowledge import KnowledgeBase
from myotome.kb.names import LookupFailed
from myotome.localize import Localization, RankedSegment, body_sides

# The dose, the involved-segment thresholds and the needle lengths are cited data in
# kb/data/planning.yaml (kb.planning); the names below stay importable for the packaged values.
_PACKAGED_NUMBERS = {
    "BASE_INSERTIONS": lambda p: p.base_insertions,
    "MIN_INSERTIONS": lambda p: p.min_insertions,
    "INVOLVED_SHARE": lambda p: p.involved_share,
    "MAX_INVOLVED": lambda p: p.max_involved,
    "NEEDLE_LENGTHS": lambda p: p.needle_lengths_mm,
}


def __getattr__(name: str) -> object:
    if name in _PACKAGED_NUMBERS:
        from myotome.kb import load_kb

        return _PACKAGED_NUMBERS[name](load_kb().planning)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class Step:
    order: int
    muscle: m.Muscle
    segment: str | None  # the level for paraspinal steps; the involved root for peripheral ones
    side: str
    region: str  # "paraspinal" or the muscle's body part
    reason: str
    cautions: tuple[m.Caution, ...]
    needle_mm: int


@dataclass(frozen=True, slots=True)
class Dropped:
    muscle: m.Muscle
    side: str
    reason: str


@dataclass(frozen=True)
class Plan:
    involved: tuple[RankedSegment, ...]
    steps: tuple[Step, ...]
    max_insertions: int
    dose_reasons: tuple[str, ...]
    dropped: tuple[Dropped, ...]
    warnings: tuple[str, ...]
    precautions: tuple[m.Precaution, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class _Candidate:
    muscle: m.Muscle
    side: str
    segment: str | None
    reason: str
    priority: int  # 0 paraspinal, 1 banded in the exam, 2 condition's usual muscle


def build(assessment: exam.Assessment, localization: Localization, kb: KnowledgeBase) -> Plan:
    """Order the session's needling for an assessment and its localisation.

    plan = build(assessment, rank(assessment, kb), kb)
    plan.steps[0].region   # 'paraspinal'
    """
    warnings: list[str] = list(localization.warnings)
    precautions = _precautions(assessment.patient, kb, warnings)
    involved = _involved(localization.segments, kb.planning)
    if not involved:
        warnings.append(
            "The findings do not point to a spinal segment yet: record root signs (reflexes, dermatomes, myotomes), "
            "paraspinal and skin findings before planning IMS."
        )
    outside: list[Dropped] = []
    candidates = _paraspinal_steps(involved, kb) + _peripheral_steps(assessment, localization, involved, kb, outside)
    candidates, dropped = _apply_precautions(candidates, precautions, kb)
    dropped += outside
    limit, dose_reasons = _dose(assessment.patient, precautions, kb.planning)
    kept, over = _fit_dose(candidates, limit, dose_reasons)
    dropped += over
    build_class = assessment.patient.build or "average"
    steps = tuple(
        Step(
            order=i,
            muscle=c.muscle,
            segment=c.segment,
            side=c.side,
            region="paraspinal" if c.priority == 0 else c.muscle.body_part,
            reason=c.reason,
            cautions=_cautions(c.muscle, precautions),
            needle_mm=needle_length(c.muscle, build_class, kb),
        )
        for i, c in enumerate(kept, 1)
    )
    if any(_over_lung(c.muscle) for c in kept):
        warnings.append(
            "Steps over the thorax: pneumothorax risk. Needle tangentially or onto rib, keep to the suggested length, "
            "avoid both sides of the chest in one session, and tell the patient the symptoms to report (breathlessness, chest pain) for 48 hours."
        )
    return Plan(involved, steps, limit, tuple(dose_reasons), tuple(dropped), tuple(warnings), tuple(precautions))


def needle_length(muscle: m.Muscle, build_class: str, kb: KnowledgeBase | None = None) -> int:
    """Suggested needle length (mm) from the muscle's depth and the patient's build.

    needle_length(kb.muscles["piriformis"], "average", kb)  # 60
    needle_length(kb.muscles["rhomboid_major"], "slender", kb)  # 15: over the lung
    """
    if kb is None:
        from myotome.kb import load_kb

        kb = load_kb()
    return _needle(muscle.depth, _over_lung(muscle), build_class, kb.planning)


@functools.lru_cache(maxsize=64)
def _needle(depth: str, over_lung: bool, build_class: str, numbers: m.Planning) -> int:
    wanted = numbers.depth_class_mm[depth] * numbers.build_factors[build_class]
    stocked = numbers.needle_lengths_mm
    length = next((n for n in stocked if n >= wanted), stocked[-1])
    # Over the lung the needle stays short, whatever the depth class.
    return min(length, numbers.lung_zone_max_mm[build_class]) if over_lung else length


def _over_lung(muscle: m.Muscle) -> bool:
    return any(c.kind == "lung" for c in muscle.cautions)


# ---------------------------------------------------------------------------


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


@functools.lru_cache(maxsize=256)
def _paraspinal_muscle(segment: str, kb: KnowledgeBase) -> m.Muscle | None:
    """The paraspinal muscle needled at a level: multifidus where it reaches, else the deep segmental muscle."""
    segmental = [mu for mu in kb.muscles.values() if mu.rank == "paraspinal" and segment in mu.roots.all]
    segmental.sort(key=lambda mu: ("multifidus" not in mu.id, not mu.segmental, segment not in mu.roots.main, mu.id))
    return segmental[0] if segmental else None


def _paraspinal_steps(involved: tuple[RankedSegment, ...], kb: KnowledgeBase) -> list[_Candidate]:
    order = kb.spinal_segments
    out = []
    for ranked in sorted((r for r in involved if r.segment in order), key=lambda r: order.index(r.segment)):
        muscle = _paraspinal_muscle(ranked.segment, kb)
        if muscle is None:
            continue
        for side in body_sides(ranked.side):
            out.append(
                _Candidate(
                    muscle,
                    side,
                    ranked.segment,
                    f"paraspinal at {ranked.segment}: involved segment (score {ranked.score:.2f}), needled first",
                    0,
                )
            )
    return out


def _peripheral_steps(
    assessment: exam.Assessment, loc: Localization, involved: tuple[RankedSegment, ...], kb: KnowledgeBase, outside: list[Dropped]
) -> list[_Candidate]:
    levels = {r.segment for r in involved}
    sides_of = {r.segment: set(body_sides(r.side)) for r in involved}
    banded: dict[tuple[str, str], tuple[m.Muscle, int, str]] = {}
    examined: set[str] = set()
    for number, finding in enumerate(assessment.findings, 1):
        if finding.type not in ("tender_band", "weakness") or number not in loc.resolved:
            continue
        record = loc.resolved[number]
        if isinstance(record, m.Movement):  # weak movement: its prime movers are the muscles to treat
            targets: tuple[m.Muscle, ...] = tuple(kb.muscles[i] for i in record.prime_movers)
        elif isinstance(record, (m.Muscle, m.Group)):
            targets = kb.members(record)
        else:
            continue
        severity = finding.severity if isinstance(finding, exam.TenderBand) else 0
        for muscle in targets:
            examined.add(muscle.id)
            if muscle.rank == "paraspinal":
                continue
            for side in body_sides(finding.side):
                key = (muscle.id, side)
                if key not in banded or banded[key][1] < severity:  # the strongest finding speaks for the muscle
                    banded[key] = (muscle, severity, f"finding {number}")
    out: list[tuple[int, int, str, _Candidate]] = []
    for (_, side), (muscle, severity, source) in banded.items():
        seg = _shared_root(muscle, levels, side, sides_of)
        if seg is None:
            outside.append(
                Dropped(muscle, side, f"not supplied by the involved segments on this side; {'banded' if severity else 'weak'} ({source})")
            )
            continue
        kind = "banded" if severity else "weak (prime mover)"
        out.append(
            (
                muscle.rank_order,
                -severity,
                muscle.id,
                _Candidate(muscle, side, seg, f"{kind} in the exam ({source}); supplied by involved {seg}", 1),
            )
        )
    condition = _condition(assessment, kb)
    if condition is not None:
        complaint_sides = body_sides(assessment.complaint.side)
        for muscle_id in condition.muscles:
            muscle = kb.muscles[muscle_id]
            if muscle.id in examined or muscle.rank == "paraspinal":
                continue
            for side in complaint_sides:
                seg = _shared_root(muscle, levels, side, sides_of)
                if seg is not None:
                    out.append(
                        (
                            muscle.rank_order,
                            1,
                            muscle.id,
                            _Candidate(
                                muscle,
                                side,
                                seg,
                                f"usually treated in {condition.name.lower()}; not examined; supplied by involved {seg}",
                                2,
                            ),
                        )
                    )
    out.sort(key=lambda row: (row[0], row[3].priority, row[1], row[2], row[3].side))
    return [row[3] for row in out]


def _shared_root(muscle: m.Muscle, levels: set[str], side: str, sides_of: dict[str, set[str]]) -> str | None:
    """The involved segment (on this side) that supplies the muscle, main roots first."""
    for seg in muscle.roots.all:
        if seg in levels and side in sides_of[seg]:
            return seg
    return None


def _condition(assessment: exam.Assessment, kb: KnowledgeBase) -> m.Condition | None:
    if not assessment.complaint.condition:
        return None
    try:
        return kb.find_condition(assessment.complaint.condition)
    except LookupFailed:
        return None  # already reported as unresolved by the localisation


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
    if patient.needle_fear and not any(p.id == "needle_phobia" for p in found):
        warnings.append("Needle fear: explain each step, start with few insertions and stop at the patient's request.")
    return found


def _apply_precautions(
    candidates: list[_Candidate], precautions: list[m.Precaution], kb: KnowledgeBase
) -> tuple[list[_Candidate], list[Dropped]]:
    blocking = [
        p
        for p in precautions
        if p.severity == "contraindication" and not p.avoid_local and not (p.excludes or p.avoid_zones or p.avoid_regions)
    ]
    if blocking:
        names = ", ".join(p.name.lower() for p in blocking)
        return [], [Dropped(c.muscle, c.side, f"not needled: contraindication ({names})") for c in candidates]
    kept, dropped = [], []
    for c in candidates:
        reason = _forbidden(c, precautions, kb)
        if reason:
            dropped.append(Dropped(c.muscle, c.side, reason))
        else:
            kept.append(c)
    return kept, dropped


def _forbidden(candidate: _Candidate, precautions: list[m.Precaution], kb: KnowledgeBase) -> str | None:
    """Why a precaution takes this step out of the plan: an excluded muscle or level, or a zone."""
    muscle = candidate.muscle
    level = _step_level(candidate.segment, kb) if candidate.priority == 0 else None
    for p in precautions:
        for exclusion in p.excludes:
            if not exclusion.always:
                continue  # held only in some trimesters, which the planner does not know: the warning says it
            if exclusion.whole_body or muscle.id in exclusion.muscles or (level is not None and level in exclusion.levels):
                return f"avoided because of {p.name.lower()}: {exclusion.name}"
        zones = [c.kind for c in muscle.cautions if c.kind in p.avoid_zones]
        if zones:
            return f"avoided because of {p.name.lower()}: {zones[0]} close by"
    return None


def _step_level(segment: str | None, kb: KnowledgeBase) -> str | None:
    """The vertebral level of a paraspinal step whose level is written as a root segment (format 1.0)."""
    if segment is None or segment in kb.levels:
        return segment
    if segment == "C8":
        return "C7-T1"  # the C8 root has no vertebra: it leaves at C7-T1
    return "S1" if segment.startswith("S") else None  # below S1 the sacrum is fused


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


def _fit_dose(candidates: list[_Candidate], limit: int, reasons: list[str]) -> tuple[list[_Candidate], list[Dropped]]:
    """Keep the session within the dose: the lowest-priority, most distal points drop first."""
    if len(candidates) <= limit:
        return candidates, []
    why = f"over the session's maximum of {limit} insertions" + (f" ({', '.join(reasons)})" if reasons else "")
    removal = sorted(range(len(candidates)), key=lambda i: (candidates[i].priority, candidates[i].muscle.rank_order, i), reverse=True)
    gone = set(removal[: len(candidates) - limit])
    kept = [c for i, c in enumerate(candidates) if i not in gone]
    dropped = [
        Dropped(c.muscle, c.side, f"{why}; {'usual muscle, not examined' if c.priority == 2 else 'distal, lower priority'}")
        for i, c in enumerate(candidates)
        if i in gone
    ]
    return kept, dropped


_BLEEDING = m.Caution(
    kind="other",
    structure="bleeding risk",
    text="Anticoagulated or bleeding disorder: press each site firmly for 30 seconds after withdrawal.",
)


def _cautions(muscle: m.Muscle, precautions: list[m.Precaution]) -> tuple[m.Caution, ...]:
    bleeding = any(p.id in ("anticoagulants", "bleeding_disorder") for p in precautions)
    return muscle.cautions + ((_BLEEDING,) if bleeding else ())
