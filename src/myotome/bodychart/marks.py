"""What the chart shows on top of the drawing: tender bands, skin and sensory signs, the plan.

Marks are plain data (JSON-friendly), so the web page can post them back and forth::

    marks = {
        "muscles": [{"muscle_id": "infraspinatus", "side": "right", "severity": 2}],
        "regions": [{"region_id": "thumb", "side": "right", "skin": ["trophedema"], "sensory": "reduced"}],
        "levels":  [{"level": "C7-T1", "side": "right", "sign": "tender"}],
        "plan":    [{"order": 1, "muscle_id": "multifidus_cervical", "side": "right", "level": "C7-T1"}],
    }

``side`` is ``left``, ``right`` or ``bilateral``; a ``level`` is a vertebra or an interspace
(``C6``, ``C7-T1``, ``C0-C1`` to ``S1``), drawn on the back view's midline. A muscle mark
lights every shape that stands for that muscle (a group's shape lights for any member).
``marks_from_assessment`` builds the same dictionary from an exam and, optionally, a plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from myotome.exam import Assessment
    from myotome.kb import KnowledgeBase
    from myotome.plan import Plan

KEYS = ("muscles", "regions", "levels", "plan")
SENSORY = ("reduced", "increased", "altered")
LEVEL_SIGNS = ("tender", "thickened")


@dataclass(frozen=True)
class PlanMark:
    order: int
    muscle_id: str
    side: str
    level: str | None = None


@dataclass(frozen=True)
class Marks:
    """Marks by (id, patient side)."""

    severity: Mapping[tuple[str, str], int] = field(default_factory=dict)
    skin: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    sensory: Mapping[tuple[str, str], str] = field(default_factory=dict)
    levels: Mapping[tuple[str, str], str] = field(default_factory=dict)
    plan: tuple[PlanMark, ...] = ()


def _sides(side: Any, where: str) -> tuple[str, ...]:
    if side == "bilateral":
        return ("left", "right")
    if side in ("left", "right"):
        return (side,)
    raise ValueError(f"{where}: side must be 'left', 'right' or 'bilateral', got {side!r}")


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: '{key}' is required and must be a non-empty string, got {value!r}")
    return value


def normalize(marks: Mapping[str, Any] | None) -> Marks:
    """Check a marks dictionary and index it; errors name the entry and what would be right."""
    if not marks:
        return Marks()
    unknown = set(marks) - set(KEYS)
    if unknown:
        raise ValueError(f"marks: unknown key(s) {', '.join(sorted(unknown))}; use {', '.join(KEYS)}")
    severity: dict[tuple[str, str], int] = {}
    for i, entry in enumerate(marks.get("muscles") or ()):
        where = f"marks.muscles[{i}]"
        mid = _text(entry, "muscle_id", where)
        sev = entry.get("severity", 2)
        if not isinstance(sev, int) or isinstance(sev, bool) or not 1 <= sev <= 3:
            raise ValueError(f"{where}: severity must be 1, 2 or 3, got {sev!r}")
        for side in _sides(entry.get("side"), where):
            severity[(mid, side)] = max(sev, severity.get((mid, side), 0))
    skin: dict[tuple[str, str], tuple[str, ...]] = {}
    sensory: dict[tuple[str, str], str] = {}
    for i, entry in enumerate(marks.get("regions") or ()):
        where = f"marks.regions[{i}]"
        rid = _text(entry, "region_id", where)
        signs = entry.get("skin") or ()
        if isinstance(signs, str) or not all(isinstance(s, str) and s for s in signs):
            raise ValueError(f"{where}: skin must be a list of sign names such as ['trophedema'], got {signs!r}")
        change = entry.get("sensory")
        if change is not None and change not in SENSORY:
            raise ValueError(f"{where}: sensory must be one of {', '.join(SENSORY)}, got {change!r}")
        if not signs and change is None:
            raise ValueError(f"{where}: give 'skin' signs, a 'sensory' change or both")
        for side in _sides(entry.get("side"), where):
            key = (rid, side)
            skin[key] = tuple(dict.fromkeys([*skin.get(key, ()), *signs]))
            if change is not None:
                sensory[key] = change
    levels: dict[tuple[str, str], str] = {}
    for i, entry in enumerate(marks.get("levels") or ()):
        where = f"marks.levels[{i}]"
        level = _text(entry, "level", where)
        sign = entry.get("sign", "tender")
        if sign not in LEVEL_SIGNS:
            raise ValueError(f"{where}: sign must be 'tender' or 'thickened', got {sign!r}")
        for side in _sides(entry.get("side"), where):
            levels[(level, side)] = sign
    plan: list[PlanMark] = []
    for i, entry in enumerate(marks.get("plan") or ()):
        where = f"marks.plan[{i}]"
        order = entry.get("order")
        if not isinstance(order, int) or isinstance(order, bool) or order < 1:
            raise ValueError(f"{where}: order must be a whole number from 1, got {order!r}")
        mid = _text(entry, "muscle_id", where)
        level = entry.get("level")
        for side in _sides(entry.get("side"), where):
            plan.append(PlanMark(order, mid, side, level if isinstance(level, str) and level else None))
    return Marks(severity, {k: v for k, v in skin.items() if v}, sensory, levels, tuple(sorted(plan, key=lambda p: p.order)))


Band = tuple[str, str, int]  # (muscle id, side, severity 1-3)
ZoneSign = tuple[str, str, str, str]  # (region id, side, "skin" | "sensory", sign or change)
LevelSign = tuple[str, str, str]  # (vertebral level, side, "tender" | "thickened")
Step = tuple[int, str, str, str | None]  # (order, muscle id, side, level of a paraspinal step)


def build_marks(
    bands: Iterable[Band] = (),
    zones: Iterable[ZoneSign] = (),
    levels: Iterable[LevelSign] = (),
    plan: Iterable[Step] = (),
) -> dict[str, list[dict[str, Any]]]:
    """The one builder of a marks dictionary, from plain tuples (the exam form's, an assessment's).

    build_marks(bands=[("supinator", "right", 2)], zones=[("thumb", "right", "sensory", "reduced")])
    # {'muscles': [...], 'regions': [{'region_id': 'thumb', 'side': 'right', 'skin': [], 'sensory': 'reduced'}]}

    A zone's signs on one side are gathered into one entry; empty keys are left out.
    """
    regions: dict[tuple[str, str], dict[str, Any]] = {}
    for region_id, side, kind, value in zones:
        entry = regions.setdefault((region_id, side), {"region_id": region_id, "side": side, "skin": []})
        if kind == "skin":
            entry["skin"].append(value)
        else:
            entry["sensory"] = value
    out: dict[str, list[dict[str, Any]]] = {
        "muscles": [{"muscle_id": m, "side": side, "severity": severity} for m, side, severity in bands],
        "regions": list(regions.values()),
        "levels": [{"level": level, "side": side, "sign": sign} for level, side, sign in levels],
        "plan": [{"order": order, "muscle_id": m, "side": side, "level": level} for order, m, side, level in plan],
    }
    return {k: v for k, v in out.items() if v}


def _sided(side: str) -> str:
    # A midline complaint or finding has no side to colour; show it on both.
    return side if side in ("left", "right") else "bilateral"


def marks_from_assessment(assessment: Assessment, kb: KnowledgeBase, plan: Plan | None = None) -> dict[str, list[dict[str, Any]]]:
    """Marks for an exam's findings (names resolved through the KB) and a plan's steps.

    marks = marks_from_assessment(parse_assessment(doc), load_kb(), plan)
    svg = render_chart("back", marks)
    """
    from myotome import exam  # the exam model is only needed here, not to render

    bands: list[Band] = []
    zones: list[ZoneSign] = []
    levels: list[LevelSign] = []
    for finding in assessment.findings:
        if isinstance(finding, exam.TenderBand):
            record = kb.find_muscle(finding.muscle)
            ids: Iterable[str] = [record.id] if record.id in kb.muscles else [m.id for m in kb.members(record)]
            bands += [(i, _sided(finding.side), finding.severity) for i in ids]
        elif isinstance(finding, exam.Skin):
            if finding.region is not None:
                regions = [kb.find_region(finding.region).id]
            else:
                regions = [r.id for r in kb.regions.values() if r.dermatomes and r.dermatomes[0] == finding.segment]
            zones += [(r, _sided(finding.side), "skin", finding.sign) for r in regions]
        elif isinstance(finding, exam.Sensory) and finding.change != "normal":
            zones.append((kb.find_region(finding.region).id, _sided(finding.side), "sensory", finding.change))
        elif isinstance(finding, exam.Paraspinal):
            # Format 1.1 names the vertebra or interspace; 1.0 named roots, drawn at the vertebrae of their names.
            found = (finding.level,) if assessment.format_version != "1.0" else finding.levels
            levels += [(level, _sided(finding.side), finding.sign) for level in found]
    steps: list[Step] = []
    if plan is not None:
        # A paraspinal step's vertebral level, or (before steps named one) its segment.
        steps = [
            (s.order, s.muscle.id, s.side, (getattr(s, "level", None) or s.segment) if s.region == "paraspinal" else None)
            for s in plan.steps
        ]
    return build_marks(bands, zones, levels, steps)
