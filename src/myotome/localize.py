"""From findings to ranked (segment, side) pairs, with the evidence behind each.

A transparent evidence model: each finding has a weight (``kb/data/evidence.yaml``,
with the reason for each), spread over the segments the knowledge base links it to;
weights are summed per segment and side and divided by their grand total, so a
score is a segment's share of all the evidence and its evidence lines add up to it::

    result = rank(parse_assessment(text), load_kb())
    result.segments[0].segment, result.segments[0].score    # ('C6', 0.41)
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from myotome import exam
from myotome.kb import model as m
from myotome.kb.knowledge import KnowledgeBase
from myotome.kb.names import LookupFailed

SIDES = ("left", "right")
# Candidates reported: the strongest, down to a 1% share (scores stay shares of all the evidence).
MAX_SHOWN = 12
MIN_SHOWN = 0.01


class Evidence(NamedTuple):
    """One finding's contribution to one ranked segment (a tuple: many are made per assessment)."""

    finding: int | None  # 1-based position in the document; None for the complaint
    reason: str
    weight: float  # raw weight, before division by the assessment's total


@dataclass(frozen=True, slots=True)
class Unresolved:
    finding: int | None
    field: str
    name: str
    error: str
    suggestions: tuple[str, ...]


class RankedSegment(NamedTuple):
    segment: str
    side: str  # left | right | bilateral
    score: float
    evidence: tuple[tuple[Evidence, float], ...]  # each line with its share of the total


@dataclass(frozen=True)
class Localization:
    segments: tuple[RankedSegment, ...]
    unresolved: tuple[Unresolved, ...]
    warnings: tuple[str, ...] = ()
    resolved: dict[int, Any] = field(default_factory=dict)  # finding number -> KB record it named


# ---------------------------------------------------------------------------
# Weights


@dataclass(frozen=True, eq=False)
class Weights:
    """The evidence table, read by field name from ``evidence.yaml``."""

    data: dict[str, Any]

    @functools.cached_property
    def root_shares(self) -> tuple[float, float]:
        return self.of("roots", "main"), self.of("roots", "minor")

    @functools.cached_property
    def dermatome_shares(self) -> tuple[float, float]:
        return self.of("dermatomes", "primary"), self.of("dermatomes", "secondary")

    def of(self, *path: str) -> float:
        node: Any = self.data
        for key in path:
            node = node[key]
        return float(node["weight"] if isinstance(node, dict) else node)


@functools.lru_cache(maxsize=8)
def weights_for(kb: KnowledgeBase) -> Weights:
    """The evidence weights stored with a knowledge base (``evidence.yaml``), checked."""
    data = dict(kb.evidence)
    problems = []
    for group in (
        "reflex",
        "sensory",
        "skin",
        "paraspinal",
        "weakness",
        "rom",
        "complaint_region",
        "condition",
        "roots",
        "dermatomes",
        "sides",
    ):
        if group not in data:
            problems.append(f"evidence.yaml: section '{group}' is missing")
            continue
        entries = data[group].items() if group in ("reflex", "sensory", "skin", "paraspinal") else [(group, data[group])]
        for key, entry in entries:
            if isinstance(entry, dict) and "weight" in entry and not (0 <= entry["weight"] <= 1 and entry.get("reason")):
                problems.append(f"evidence.yaml: {group}.{key} needs a weight from 0 to 1 and a reason")
    if problems:
        raise ValueError("\n".join(problems))
    return Weights(data)


def load_weights() -> Weights:
    """The packaged evidence weights."""
    from myotome.kb import load_kb

    return weights_for(load_kb())


# ---------------------------------------------------------------------------
# Spreading a weight over segments


@functools.lru_cache(maxsize=4096)
def _spread_roots(roots: m.Roots, weights: Weights) -> dict[str, float]:
    """Shares of one unit over a structure's roots: main above minor, summing to 1."""
    main, minor = weights.root_shares
    raw = dict.fromkeys(roots.main, main)
    raw.update(dict.fromkeys(roots.minor, minor))
    return _normalised(raw)


@functools.lru_cache(maxsize=4096)
def _spinal_first(roots: m.Roots, kb: KnowledgeBase) -> m.Roots:
    """IMS treats the segment: a muscle with spinal roots is read by them, not by its cranial nerve."""
    main = tuple(s for s in roots.main if kb.segments[s].is_spinal)
    minor = tuple(s for s in roots.minor if kb.segments[s].is_spinal)
    if not main and not minor:
        return roots
    return m.Roots(main or minor, minor if main else ())


@functools.lru_cache(maxsize=512)
def _spread_muscles(muscle_ids: tuple[str, ...], kb: KnowledgeBase, weights: Weights) -> dict[str, float]:
    """The average of several muscles' root shares (summing to 1)."""
    total: dict[str, float] = defaultdict(float)
    for muscle_id in muscle_ids:
        for seg, share in _spread_roots(_spinal_first(kb.muscles[muscle_id].roots, kb), weights).items():
            total[seg] += share / len(muscle_ids)
    return dict(total)


@functools.lru_cache(maxsize=1024)
def _spread_dermatomes(region: m.Region, weights: Weights) -> dict[str, float]:
    primary, secondary = weights.dermatome_shares
    raw = {seg: primary if i == 0 else secondary for i, seg in enumerate(region.dermatomes)}
    return _normalised(raw)


def _normalised(raw: dict[str, float]) -> dict[str, float]:
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items()} if total else {}


def body_sides(side: str) -> tuple[str, ...]:
    """The sides a finding, complaint or segment side covers: bilateral and midline are both."""
    return SIDES if side in ("bilateral", "midline") else (side,)


# ---------------------------------------------------------------------------
# One rule per finding type: finding -> evidence lines


class _Ctx:
    def __init__(self, kb: KnowledgeBase, weights: Weights, fmt: str = "1.0"):
        self.kb = kb
        self.w = weights
        self.format = fmt  # "1.1": paraspinal levels are vertebral levels; "1.0": root segments
        # (segment, side) -> (finding, reason) -> weight: one line per finding and segment
        self.lines: dict[tuple[str, str], dict[tuple[int | None, str], float]] = {}
        self.unresolved: list[Unresolved] = []
        self.warnings: list[str] = []
        self.resolved: dict[int, Any] = {}

    def resolve(self, number: int | None, field_name: str, name: str, find: Callable[[str], Any]) -> Any:
        try:
            record = find(name)
        except LookupFailed as exc:
            self.unresolved.append(Unresolved(number, field_name, name, exc.message, tuple(exc.suggestions)))
            return None
        if number is not None:
            self.resolved[number] = record
        return record

    def add(self, number: int | None, side: str, weight: float, shares: dict[str, float], reason: str) -> None:
        if weight <= 0:
            return
        key = (number, reason)
        lines = self.lines
        for s in body_sides(side):
            for seg, share in shares.items():
                bucket = lines.get((seg, s))
                if bucket is None:
                    bucket = lines[seg, s] = {}
                bucket[key] = bucket.get(key, 0.0) + weight * share


def _tender_band(ctx: _Ctx, n: int, f: exam.TenderBand) -> None:
    record = ctx.resolve(n, "muscle", f.muscle, ctx.kb.find_muscle)
    if record is None:
        return
    weight = ctx.w.data["tender_band"]["by_severity"][f.severity - 1]
    roots = ctx.kb.roots_of(record)
    shares = _spread_roots(_spinal_first(roots, ctx.kb), ctx.w)
    ctx.add(n, f.side, weight, shares, f"tender band (severity {f.severity}) in {record.name}, supplied by {_roots_words(roots)}")


def _skin(ctx: _Ctx, n: int, f: exam.Skin) -> None:
    weight = ctx.w.of("skin", f.sign)
    sign = f.sign.replace("_", " ")
    if f.segment is not None:
        ctx.add(n, f.side, weight, {f.segment: 1.0}, f"{sign} beside the spine at {f.segment}")
        return
    assert f.region is not None  # the model requires region or segment
    region = ctx.resolve(n, "region", f.region, ctx.kb.find_region)
    if region is not None:
        ctx.add(
            n,
            f.side,
            weight,
            _spread_dermatomes(region, ctx.w),
            f"{sign} over {region.name.lower()} ({', '.join(region.dermatomes)} dermatome)",
        )


def _paraspinal(ctx: _Ctx, n: int, f: exam.Paraspinal) -> None:
    weight = ctx.w.of("paraspinal", f.sign)
    neighbour = float(ctx.w.data["paraspinal"]["neighbour_share"])
    if ctx.format == "1.0":  # the level names root segments, each weighing alike
        roots = {level: 1.0 for level in f.levels}
        where = ""
    else:  # a vertebral level implicates the roots levels.yaml gives it, with their weights
        level = ctx.kb.levels[f.level]
        roots = {r.segment: r.weight for r in level.roots}
        where = f"{_level_roots_words(level)}; "
    shares: dict[str, float] = defaultdict(float)
    for root, share in roots.items():
        shares[root] += share
        for offset in (-1, 1):
            near = ctx.kb.neighbour(root, offset)
            if near is not None and near not in roots:
                shares[near] += neighbour * share
    ctx.add(n, f.side, weight, _normalised(dict(shares)), f"paraspinal {f.sign} at {f.level} ({where}localises to about one level)")


def _level_roots_words(level: m.VertebralLevel) -> str:
    """The roots a vertebral level implicates, as a clinician reads them: "C8 root", "L4 exiting, L5 traversing"."""
    if len(level.roots) == 1:
        return f"{level.roots[0].segment} root"
    return ", ".join(f"{r.segment} {r.relation}" for r in level.roots)


def _rom(ctx: _Ctx, n: int, f: exam.Rom) -> None:
    movement = ctx.resolve(n, "movement", f.movement, ctx.kb.find_movement)
    if movement is None:
        return
    normal = movement.normal
    if normal is None:
        ctx.unresolved.append(
            Unresolved(n, "movement", f.movement, f"{movement.name} is a functional test with no normal range; record it as weakness", ())
        )
        return
    if normal.unit != f.unit:
        ctx.unresolved.append(
            Unresolved(n, "unit", f.movement, f"{movement.name} is measured in {normal.unit}, not {f.unit}; the finding was not scored", ())
        )
        return
    rom = ctx.w.data["rom"]
    unit = "°" if f.unit == "deg" else " mm"
    if f.value < 0 and normal.value != 0:
        ctx.unresolved.append(
            Unresolved(
                n,
                "value",
                f.movement,
                f"{movement.name} {f.value:g}{unit}: only a movement whose normal is 0{unit} (elbow or knee extension) "
                "takes a negative range, for a lack of extension; the finding was not scored",
                (),
            )
        )
        return
    if normal.value == 0:
        weight, described = _extension_lag(rom["extension_lag"], f.value)
        if not weight:
            return
        weight *= rom["weight"]
    else:
        restriction = max(0.0, 1.0 - f.value / normal.value)
        if restriction < rom["normal_below"]:
            return
        weight = rom["weight"] * min(1.0, restriction / rom["full_at"])
        described = f"{f.value:g}{unit} of {normal.value:g}{unit} normal ({restriction:.0%} restricted)"
    limiting = ctx.kb.movements.get(movement.opposite or "") if movement.opposite else None
    movers = limiting.muscles if limiting else movement.muscles
    shares = _spread_muscles(movers, ctx.kb, ctx.w)
    by = f"the muscles that limit it ({limiting.name.lower()})" if limiting else "the muscles that perform it"
    ctx.add(n, f.side, weight, shares, f"{movement.name.lower()} {described}: shortening in {by}")


def _extension_lag(lag: dict[str, Any], value: float) -> tuple[float, str]:
    """A lack of extension in a movement whose normal is 0°: its share of a full restriction, and how to say it."""
    short = -value
    if short <= float(lag["normal_within_deg"]):
        return 0.0, ""
    return min(1.0, short / float(lag["full_at_deg"])), f"lacks {short:g}° of full extension (normal 0°)"


def _weakness(ctx: _Ctx, n: int, f: exam.Weakness) -> None:
    # MRC 5 is normal power: the name is resolved (the muscle was examined) but nothing is localised
    weight = 0.0 if f.grade == 5 else ctx.w.of("weakness")
    if f.movement is not None:
        movement = ctx.resolve(n, "movement", f.movement, ctx.kb.find_movement)
        if movement is not None:
            ctx.add(
                n,
                f.side,
                weight,
                _spread_roots(movement.roots, ctx.w),
                f"weak {movement.name.lower()} (myotome {_roots_words(movement.roots)})",
            )
        return
    assert f.muscle is not None
    record = ctx.resolve(n, "muscle", f.muscle, ctx.kb.find_muscle)
    if record is not None:
        roots = ctx.kb.roots_of(record)
        ctx.add(n, f.side, weight, _spread_roots(_spinal_first(roots, ctx.kb), ctx.w), f"weak {record.name} ({_roots_words(roots)})")


def _reflex(ctx: _Ctx, n: int, f: exam.ReflexFinding) -> None:
    reflex = ctx.resolve(n, "reflex", f.reflex, ctx.kb.find_reflex)
    if reflex is None:
        return
    if reflex.pathological:
        # Hoffmann, Babinski, clonus: negative (or absent, normal) is the normal finding, and a positive
        # sign points above the roots of its arc: neither is root evidence.
        if f.grade in ("positive", "brisk"):
            ctx.warnings.append(
                f"{reflex.name} positive ({f.side}, finding {n}): an upper motor neurone sign, not a root sign. "
                "Screen for cord compression or central causes before needling."
            )
        return
    if f.grade in ("positive", "negative"):
        ctx.unresolved.append(
            Unresolved(
                n,
                "grade",
                f.grade,
                f"'{f.grade}' grades a pathological sign (Hoffmann, Babinski, clonus); grade the {reflex.name.lower()} "
                "absent, reduced, normal or brisk. The finding was not scored",
                ("absent", "reduced", "normal", "brisk"),
            )
        )
        return
    if f.grade == "brisk":
        ctx.warnings.append(
            f"Brisk {reflex.name.lower()} ({f.side}, finding {n}): an upper motor neurone sign, not a root sign. "
            "Screen for cord compression or central causes (clonus, Hoffmann, Babinski, gait) before needling."
        )
    ctx.add(
        n,
        f.side,
        ctx.w.of("reflex", f.grade),
        _spread_roots(reflex.roots, ctx.w),
        f"{f.grade} {reflex.name.lower()} ({_roots_words(reflex.roots)})",
    )


def _sensory(ctx: _Ctx, n: int, f: exam.Sensory) -> None:
    region = ctx.resolve(n, "region", f.region, ctx.kb.find_region)
    if region is not None:
        ctx.add(
            n,
            f.side,
            ctx.w.of("sensory", f.change),
            _spread_dermatomes(region, ctx.w),
            f"{f.change} sensation over {region.name.lower()} ({', '.join(region.dermatomes)} dermatome)",
        )


_RULES: dict[str, Callable[[_Ctx, int, Any], None]] = {
    "tender_band": _tender_band,
    "skin": _skin,
    "paraspinal": _paraspinal,
    "rom": _rom,
    "weakness": _weakness,
    "reflex": _reflex,
    "sensory": _sensory,
}


def _complaint(ctx: _Ctx, complaint: exam.Complaint) -> None:
    side = complaint.side
    weight = ctx.w.of("complaint_region")
    for name in complaint.regions:
        region = ctx.resolve(None, "complaint.regions", name, ctx.kb.find_region)
        if region is not None:
            ctx.add(
                None,
                side,
                weight / len(complaint.regions),
                _spread_dermatomes(region, ctx.w),
                f"pain in the {region.name.lower()} ({', '.join(region.dermatomes)} dermatome)",
            )
    if complaint.condition:
        condition = ctx.resolve(None, "complaint.condition", complaint.condition, ctx.kb.find_condition)
        if condition is not None:
            shares = _spread_roots(_spinal_first(condition.segments, ctx.kb), ctx.w)
            ctx.add(None, side, ctx.w.of("condition"), shares, f"{condition.name} usually involves {_roots_words(condition.segments)}")


def _roots_words(roots: m.Roots) -> str:
    main = "-".join((roots.main[0], roots.main[-1])) if len(roots.main) > 1 else roots.main[0]
    return f"{main}, minor {', '.join(roots.minor)}" if roots.minor else main


# ---------------------------------------------------------------------------
# Ranking


def rank(assessment: exam.Assessment, kb: KnowledgeBase, weights: Weights | None = None) -> Localization:
    """Rank the segments an assessment points to, each with its evidence.

    result = rank(assessment, load_kb())
    [(s.segment, s.side, s.score) for s in result.segments[:3]]
    """
    ctx = _Ctx(kb, weights or weights_for(kb), assessment.format_version)
    for number, finding in enumerate(assessment.findings, 1):
        _RULES[finding.type](ctx, number, finding)
    _complaint(ctx, assessment.complaint)
    return Localization(
        segments=_ranked(ctx.lines, ctx.w, midline=assessment.complaint.side == "midline"),
        unresolved=tuple(ctx.unresolved),
        warnings=tuple(ctx.warnings),
        resolved=ctx.resolved,
    )


Lines = dict[tuple[int | None, str], float]


def _ranked(lines: dict[tuple[str, str], Lines], weights: Weights, midline: bool) -> tuple[RankedSegment, ...]:
    ratio = float(weights.data["sides"]["bilateral_ratio"])
    segments = dict.fromkeys(seg for seg, _ in lines)
    entries: list[tuple[str, str, float, list[Lines]]] = []
    for segment in segments:
        left, right = lines.get((segment, "left"), {}), lines.get((segment, "right"), {})
        lw, rw = sum(left.values()), sum(right.values())
        if (midline and not _one_sided(left, right)) or (min(lw, rw) > 0 and min(lw, rw) >= ratio * max(lw, rw)):
            entries.append((segment, "bilateral", lw + rw, [left, right]))
        else:
            entries.extend((segment, side, w, [ev]) for side, w, ev in (("left", lw, left), ("right", rw, right)) if w > 0)
    total = sum(w for _, _, w, _ in entries)
    if not total:
        return ()
    entries.sort(key=lambda e: (-e[2], e[0], e[1]))
    shown = [e for e in entries[:MAX_SHOWN] if e[2] / total >= MIN_SHOWN]
    return tuple(RankedSegment(segment, side, w / total, _evidence(parts, total)) for segment, side, w, parts in shown)


def _one_sided(left: Lines, right: Lines) -> bool:
    """Every finding (not the complaint) pointing to the segment is on one side."""
    sides_with_findings = [any(finding is not None for finding, _ in lines) for lines in (left, right)]
    return sides_with_findings.count(True) == 1


def _evidence(parts: list[Lines], total: float) -> tuple[tuple[Evidence, float], ...]:
    """One line per finding (a bilateral finding's two sides together), largest first."""
    if len(parts) == 1:
        merged = parts[0]
    else:
        merged = dict(parts[0])
        for key, weight in parts[1].items():
            merged[key] = merged.get(key, 0.0) + weight
    return tuple(
        (Evidence(finding, reason, weight), weight / total)
        for (finding, reason), weight in sorted(merged.items(), key=lambda item: -item[1])
    )
