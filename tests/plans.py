"""Helpers for the planning tests: a format 1.1 exam written as a few findings, planned with the real KB."""

from __future__ import annotations

from typing import Any

from myotome.exam import parse_assessment
from myotome.kb import KnowledgeBase
from myotome.localize import rank
from myotome.plan import Plan, Step, build


def F(kind: str, side: str = "right", **fields: Any) -> dict[str, Any]:
    """One finding."""
    return {"type": kind, "side": side, **fields}


def plan11(
    kb: KnowledgeBase,
    *findings: dict[str, Any],
    regions: tuple[str, ...] = ("lateral elbow",),
    side: str = "right",
    patient: dict[str, Any] | None = None,
    fmt: str | None = "1.1",
    **fields: Any,
) -> Plan:
    """The plan for a document (format 1.1 unless ``fmt`` says otherwise); ``fields`` adds the
    complaint's condition or top-level fields such as ``thoracic_needling``."""
    complaint = {"regions": list(regions), "side": side}
    if "condition" in fields:
        complaint["condition"] = fields.pop("condition")
    document: dict[str, Any] = {"patient": patient or {}, "complaint": complaint, "findings": list(findings), **fields}
    if fmt:
        document["format"] = fmt
    assessment = parse_assessment(document)
    return build(assessment, rank(assessment, kb), kb)


def ids(plan: Plan) -> list[str]:
    return [s.muscle.id for s in plan.steps]


def paraspinal(plan: Plan) -> list[tuple[str | None, str | None, str, str]]:
    """(level, segment, muscle id, side) of each paraspinal step, in plan order."""
    return [(s.level, s.segment, s.muscle.id, s.side) for s in plan.steps if s.region == "paraspinal"]


def step(plan: Plan, muscle: str, side: str = "right") -> Step:
    [found] = [s for s in plan.steps if s.muscle.id == muscle and s.side == side]
    return found
