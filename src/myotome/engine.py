"""The engine's one entry point: an assessment in, a typed result out.

The CLI (JSON and text), the clinic, the benchmarks and the tests all call
:func:`assess`; :meth:`Result.to_json` is the JSON contract documented in
docs/assessment-format.md::

    result = assess(parse_assessment(text))    # or assess(text): parsed here
    result.plan.steps[0].muscle.name, result.to_json()["segments"][0]
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from myotome import exam, localize, plan, redflags
from myotome.kb import load_kb
from myotome.kb.knowledge import KnowledgeBase

FORMAT_1_0_NOTE = (
    'This document names no "format" and was read as format 1.0: its paraspinal levels are root segments '
    '(C5-C6 means the C5 and C6 roots). Write "format": "1.1" to give vertebral levels and interspaces '
    "(C7-T1, L5-S1) and the red-flag screen."
)


@dataclass(frozen=True)
class Result:
    """What the engine made of one assessment: red flags, localisation and plan, with the KB that produced them."""

    assessment: exam.Assessment
    screen: redflags.Screen
    localization: localize.Localization
    plan: plan.Plan  # no steps while a red flag withholds it (``blocked`` says why)
    kb_version: str

    @property
    def blocked(self) -> str | None:
        """Why the plan is withheld, or None."""
        return self.screen.reason

    @property
    def cleared(self) -> bool:
        """No red flag stands in the way: a treatment session may start from this result."""
        return self.screen.cleared

    @property
    def notes(self) -> tuple[str, ...]:
        """How the document was read, where that is worth saying."""
        notes = [FORMAT_1_0_NOTE] if self.assessment.format is None else []
        return (*notes, *self.screen.notes)

    def to_json(self) -> dict[str, Any]:
        """The result object of docs/assessment-format.md (JSON-ready: str, numbers, lists, dicts)."""
        loc, the_plan = self.localization, self.plan
        return {
            "id": self.assessment.id,
            "kb_version": self.kb_version,
            "format": self.assessment.format_version,
            "notes": list(self.notes),
            "cleared": self.cleared,
            "red_flags": [
                {
                    "code": f.code,
                    "name": f.name,
                    "action": f.action,
                    "text": f.text,
                    "findings": list(f.findings),
                    "acknowledged": f.acknowledged,
                }
                for f in self.screen.flags
            ],
            "segments": [
                {
                    "segment": r.segment,
                    "side": r.side,
                    "score": round(r.score, 3),
                    "evidence": [{"finding": e.finding, "contribution": round(share, 3), "reason": e.reason} for e, share in r.evidence],
                }
                for r in loc.segments
            ],
            "unresolved": [
                {"finding": u.finding, "field": u.field, "name": u.name, "error": u.error, "suggestions": list(u.suggestions)}
                for u in loc.unresolved
            ],
            "plan": {
                "blocked": self.blocked,
                "involved": [{"segment": r.segment, "side": r.side, "score": round(r.score, 3)} for r in the_plan.involved],
                "steps": [
                    {
                        "order": s.order,
                        "muscle": {"id": s.muscle.id, "name": s.muscle.name},
                        "segment": s.segment,
                        "side": s.side,
                        "region": s.region,
                        "reason": s.reason,
                        "cautions": [{"kind": c.kind, "structure": c.structure, "text": c.text} for c in s.cautions],
                        "needle_mm": s.needle_mm,
                        "level": s.level,
                        "segment_role": s.segment_role,
                        "basis": s.basis,
                        "suggestion": s.suggestion,
                        "findings": list(s.findings),
                        "over_thorax": s.over_thorax,
                    }
                    for s in the_plan.steps
                ],
                "max_insertions": the_plan.max_insertions,
                "dose_reasons": list(the_plan.dose_reasons),
                "dropped": [
                    {
                        "muscle": {"id": d.muscle.id, "name": d.muscle.name},
                        "side": d.side,
                        "reason": d.reason,
                        "code": d.code,
                        "banded": d.banded,
                        "findings": list(d.findings),
                        "level": d.level,
                    }
                    for d in the_plan.dropped
                ],
                "warnings": list(the_plan.warnings),
                "banded": {"found": the_plan.banded_found, "planned": the_plan.banded_planned},
            },
        }


def assess(document: exam.Assessment | str | bytes | dict[str, Any], kb: KnowledgeBase | None = None) -> Result:
    """Localise and plan one assessment (a parsed one, or a document to validate first).

    result = assess({"complaint": {"regions": ["lateral elbow"], "side": "right"}, "findings": []})
    result.to_json()["plan"]["steps"]          # raises exam.InvalidAssessment for a bad document
    """
    kb = kb or load_kb()
    assessment = document if isinstance(document, exam.Assessment) else exam.parse_assessment(document)
    found = redflags.screen(assessment, kb)
    localization = localize.rank(assessment, kb)
    the_plan = plan.build(assessment, localization, kb)
    if found.reason is not None:  # red flags come before any plan: withhold it, and say why
        the_plan = replace(
            the_plan,
            steps=(),
            dropped=(),
            dose_reasons=(),
            max_insertions=0,
            banded_planned=0,
            warnings=(found.reason, *localization.warnings),
        )
    return Result(assessment, found, localization, the_plan, kb.version)
