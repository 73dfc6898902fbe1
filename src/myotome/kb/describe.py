"""Knowledge-base records as plain JSON-ready dictionaries.

The CLI's ``--json`` output and the web API both use these, so a record reads the
same everywhere::

    describe_muscle(kb, kb.find_muscle("ECRB"))["roots"]   # ['C6', 'C7', 'C8']
"""

from __future__ import annotations

from typing import Any

from myotome.kb import model as m
from myotome.kb.knowledge import KnowledgeBase


def roots_detail(roots: m.Roots) -> list[dict[str, str]]:
    return [{"segment": s, "level": "main"} for s in roots.main] + [{"segment": s, "level": "minor"} for s in roots.minor]


def _ref(record: Any) -> dict[str, str]:
    return {"id": record.id, "name": record.name}


def _normal(normal: m.Normal | None) -> dict[str, Any] | None:
    if normal is None:
        return None
    out: dict[str, Any] = {"value": normal.value, "unit": normal.unit, "source": normal.source}
    if normal.note:
        out["note"] = normal.note
    return out


def _needle_depth(depth: m.NeedleDepth | None) -> dict[str, Any] | None:
    if depth is None:
        return None
    return {"mm": list(depth.mm), "approach": depth.approach, "basis": depth.basis, "sources": list(depth.sources), "note": depth.note}


def describe_muscle(kb: KnowledgeBase, record: m.Muscle | m.Group) -> dict[str, Any]:
    if isinstance(record, m.Group):
        return describe_group(kb, record)
    nerve = kb.nerves[record.nerve]
    return {
        "kind": "muscle",
        "id": record.id,
        "name": record.name,
        "aliases": list(record.aliases),
        "nerve": nerve.name,
        "nerve_id": nerve.id,
        "roots": list(record.roots.all),
        "roots_detail": roots_detail(record.roots),
        "variants": [{"roots": list(v.roots), "sources": list(v.sources)} for v in record.variants],
        "body_part": record.body_part,
        "limb": record.limb,
        "rank": record.rank,
        "depth": record.depth,
        "needle_depth": _needle_depth(record.needle_depth),
        "position": record.position,
        "segmental": record.segmental,
        "cautions": [{"kind": c.kind, "structure": c.structure, "text": c.text} for c in record.cautions],
        "needling": {"allowed": record.needling.allowed, "reason": record.needling.reason, "sources": list(record.needling.sources)},
        "movements": [_ref(kb.movements[i]) for i in record.movements],
        "groups": [_ref(kb.groups[i]) for i in record.groups],
        "note": record.note,
        "sources": list(record.sources),
    }


def describe_group(kb: KnowledgeBase, group: m.Group) -> dict[str, Any]:
    members = kb.members(group)
    roots = kb.roots_of(group)
    nerves = list(dict.fromkeys(kb.nerves[mu.nerve].name for mu in members))
    return {
        "kind": "group",
        "id": group.id,
        "name": group.name,
        "aliases": list(group.aliases),
        "nerve": "; ".join(nerves),
        "nerves": nerves,
        "roots": list(roots.all),
        "roots_detail": roots_detail(roots),
        "members": [describe_muscle(kb, mu) for mu in members],
        "not_needled": [_ref(kb.muscles[i]) for i in group.not_needled],
        "note": group.note,
        "sources": list(group.sources),
    }


def describe_region(kb: KnowledgeBase, region: m.Region) -> dict[str, Any]:
    return {
        "kind": "region",
        "id": region.id,
        "name": region.name,
        "aliases": list(region.aliases),
        "dermatomes": list(region.dermatomes),
        "limb": region.limb,
        "view": region.view,
        "note": region.note,
        "sources": list(region.sources),
    }


def describe_movement(kb: KnowledgeBase, movement: m.Movement) -> dict[str, Any]:
    return {
        "kind": "movement",
        "id": movement.id,
        "name": movement.name,
        "aliases": list(movement.aliases),
        "joint": movement.joint,
        "type": movement.kind,
        "roots": list(movement.roots.all),
        "roots_detail": roots_detail(movement.roots),
        "normal_range": _normal(movement.normal),
        "other_normal_ranges": [_normal(n) for n in movement.other_normals],
        "muscles": [{**_ref(kb.muscles[i]), "role": "prime mover"} for i in movement.prime_movers]
        + [{**_ref(kb.muscles[i]), "role": "assistant"} for i in movement.assistants],
        "note": movement.note,
        "sources": list(movement.sources),
    }


def describe_reflex(kb: KnowledgeBase, reflex: m.Reflex) -> dict[str, Any]:
    return {
        "kind": "reflex",
        "id": reflex.id,
        "name": reflex.name,
        "aliases": list(reflex.aliases),
        "type": reflex.kind,
        "roots": list(reflex.roots.all),
        "roots_detail": roots_detail(reflex.roots),
        "nerve": kb.nerves[reflex.nerve].name if reflex.nerve else None,
        "muscles": [_ref(kb.muscles[i]) for i in reflex.muscles],
        "note": reflex.note,
        "sources": list(reflex.sources),
    }


def describe_segment(kb: KnowledgeBase, segment: m.Segment) -> dict[str, Any]:
    supplied = kb.by_segment(segment.id)
    return {
        "kind": "segment",
        "id": segment.id,
        "name": segment.name,
        "full_name": segment.full_name,
        "type": segment.kind,
        "muscles": [{**_ref(mu), "level": level} for mu, level in supplied["muscles"]],
        "regions": [{**_ref(r), "dermatome": level} for r, level in supplied["regions"]],
        "movements": [{**_ref(mv), "level": level} for mv, level in supplied["movements"]],
        "reflexes": [{**_ref(rf), "level": level} for rf, level in supplied["reflexes"]],
        "vertebral_levels": [
            {"id": lv.id, "name": lv.name, "weight": r.weight, "relation": r.relation}
            for lv in kb.levels_for(segment.id)
            for r in lv.roots
            if r.segment == segment.id
        ],
        "sources": list(segment.sources),
    }


def describe_level(kb: KnowledgeBase, level: m.VertebralLevel) -> dict[str, Any]:
    """A vertebra or interspace: the roots it implicates (weights) and its paraspinal muscles."""
    return {
        "kind": "level",
        "id": level.id,
        "name": level.name,
        "type": level.kind,
        "region": level.region,
        "aliases": list(level.aliases),
        "roots": [{"segment": r.segment, "weight": r.weight, "relation": r.relation} for r in kb.roots_at(level.id)],
        "paraspinal": [_ref(kb.muscles[i]) for i in level.paraspinal],
        "note": level.note,
        "sources": list(level.sources),
    }


def describe_condition(kb: KnowledgeBase, condition: m.Condition) -> dict[str, Any]:
    return {
        "kind": "condition",
        "id": condition.id,
        "name": condition.name,
        "aliases": list(condition.aliases),
        "segments": list(condition.segments.all),
        "segments_detail": roots_detail(condition.segments),
        "muscles": [_ref(kb.muscles[i]) for i in condition.muscles],
        "regions": [_ref(kb.regions[i]) for i in condition.regions],
        "confidence": condition.confidence,
        "note": condition.note,
        "sources": list(condition.sources),
    }


def describe_precaution(kb: KnowledgeBase, precaution: m.Precaution) -> dict[str, Any]:
    return {
        "kind": "precaution",
        "id": precaution.id,
        "name": precaution.name,
        "aliases": list(precaution.aliases),
        "severity": precaution.severity,
        "warning": precaution.warning,
        "excludes": [
            {
                "name": x.name,
                "muscles": [_ref(kb.muscles[i]) for i in x.muscles],
                "levels": list(x.levels),
                "whole_body": x.whole_body,
                "trimesters": list(x.trimesters),
                "reason": x.reason,
                "sources": list(x.sources),
            }
            for x in precaution.excludes
        ],
        "avoid_muscles": [_ref(kb.muscles[i]) for i in precaution.avoid_muscles],
        "avoid_levels": list(precaution.avoid_levels),
        "avoid_regions": [_ref(kb.regions[i]) for i in precaution.avoid_regions],
        "avoid_zones": list(precaution.avoid_zones),
        "avoid_local": precaution.avoid_local,
        "dose_factor": precaution.dose_factor,
        "note": precaution.note,
        "sources": list(precaution.sources),
    }


def roots_text(kb: KnowledgeBase, roots: m.Roots) -> str:
    """Roots as clinicians write them: ``C7–C8 (C6)``."""
    main = segments_text(kb, roots.main)
    return f"{main} ({segments_text(kb, roots.minor)})" if roots.minor else main


def segments_text(kb: KnowledgeBase, segments: tuple[str, ...] | list[str]) -> str:
    """Runs of consecutive spinal segments shortened to ranges: ``C5–C7, CN XI``."""
    order = kb.spinal_segments
    parts: list[str] = []
    run: list[str] = []
    for seg in segments:
        if run and seg in order and run[-1] in order and order.index(seg) == order.index(run[-1]) + 1:
            run.append(seg)
            continue
        if run:
            parts.append(run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}")
        run = [seg]
    if run:
        parts.append(run[0] if len(run) == 1 else f"{run[0]}–{run[-1]}")
    return ", ".join(parts)


def describe_planning(kb: KnowledgeBase) -> dict[str, Any]:
    """The planner's numbers (planning.yaml), each with its basis, reason and sources."""
    numbers = kb.planning
    values: dict[str, Any] = {
        "base_insertions": numbers.base_insertions,
        "min_insertions": numbers.min_insertions,
        "dose_factors": {f.key: {"factor": f.factor, "label": f.label} for f in numbers.dose_factors},
        "involved_share": numbers.involved_share,
        "max_involved": numbers.max_involved,
        "default_share": numbers.default_share,
        "needle_lengths_mm": list(numbers.needle_lengths_mm),
        "depth_class_mm": dict(numbers.depth_class_mm),
        "build_factors": dict(numbers.build_factors),
        "lung_zone_max_mm": dict(numbers.lung_zone_max_mm),
    }
    return {
        "kind": "planning",
        "entries": [
            {"name": e.name, "value": values[e.name], "basis": e.basis, "reason": e.reason, "sources": list(e.sources)}
            for e in numbers.entries.values()
        ],
    }
