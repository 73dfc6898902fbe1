"""The assessment result: the JSON contract and a readable clinical report.

result = assess(json_text)          # raises exam.InvalidAssessment
print(json.dumps(result))
"""

from __future__ import annotations

from typing import Any

from myotome import exam, localize, plan
from myotome.kb import load_kb
from myotome.kb.describe import segments_text
from myotome.kb.knowledge import KnowledgeBase


def assess(document: str | bytes | dict[str, Any], kb: KnowledgeBase | None = None) -> dict[str, Any]:
    """Validate, localise and plan one assessment document; return the result object.

    assess({"complaint": {"regions": ["lateral elbow"], "side": "right"}, "findings": []})
    """
    kb = kb or load_kb()
    assessment = exam.parse_assessment(document)
    localization = localize.rank(assessment, kb)
    the_plan = plan.build(assessment, localization, kb)
    return result(assessment, localization, the_plan, kb)


def result(assessment: exam.Assessment, loc: localize.Localization, the_plan: plan.Plan, kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "id": assessment.id,
        "kb_version": kb.version,
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
                }
                for s in the_plan.steps
            ],
            "max_insertions": the_plan.max_insertions,
            "dose_reasons": list(the_plan.dose_reasons),
            "dropped": [
                {"muscle": {"id": d.muscle.id, "name": d.muscle.name}, "side": d.side, "reason": d.reason} for d in the_plan.dropped
            ],
            "warnings": list(the_plan.warnings),
        },
    }


def render_text(res: dict[str, Any], assessment: exam.Assessment, kb: KnowledgeBase) -> Any:
    """A Rich renderable that reads like a clinician's note."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = []
    c = assessment.complaint
    p = assessment.patient
    who = ", ".join(x for x in (f"{p.age} y" if p.age is not None else "", p.sex or "", p.build or "", p.temperament or "") if x)
    head = Text()
    head.append(f"IMS assessment {res['id'] or ''}".strip() + "\n", style="bold")
    head.append(f"Complaint: {', '.join(c.regions)} ({c.side})")
    if c.condition:
        head.append(f"; {c.condition}")
    if c.pain is not None:
        head.append(f"; pain {c.pain}/10")
    if c.duration_weeks is not None:
        head.append(f"; {c.duration_weeks:g} weeks")
    if who:
        head.append(f"\nPatient: {who}")
    parts.append(head)

    table = Table(title="Likely segments (score = share of the evidence)", title_justify="left", show_lines=False)
    table.add_column("Segment")
    table.add_column("Side")
    table.add_column("Score", justify="right")
    table.add_column("", no_wrap=True)
    table.add_column("Evidence (finding: reason)", overflow="fold")
    for seg in res["segments"][:6]:
        bar = "█" * max(1, round(seg["score"] * 20))
        why = "; ".join(f"{'#' + str(e['finding']) if e['finding'] else 'complaint'}: {e['reason']}" for e in seg["evidence"][:3])
        table.add_row(seg["segment"], seg["side"], f"{seg['score']:.2f}", bar, why)
    parts.append(table)
    parts.append(
        Text(
            "Clinical root-level localisation is about 60–75% accurate in the neck and weak between L5 and S1: "
            "weigh the top candidates, not only the first.",
            style="dim",
        )
    )

    for u in res["unresolved"]:
        where = f"finding {u['finding']}" if u["finding"] else u["field"]
        parts.append(Text(f"Not recognised ({where}): {u['error']}", style="yellow"))

    pl = res["plan"]
    for w in pl["warnings"]:
        parts.append(Text(f"⚠ {w}", style="bold red"))
    involved = segments_text(kb, [r["segment"] for r in pl["involved"]])
    steps = Table(
        title=f"Plan: involved {involved or 'none'}; up to {pl['max_insertions']} insertions"
        + (f" ({', '.join(pl['dose_reasons'])})" if pl["dose_reasons"] else ""),
        title_justify="left",
    )
    for col in ("#", "Muscle", "Side", "Level", "Needle", "Why", "Cautions"):
        steps.add_column(col, overflow="fold")
    for s in pl["steps"]:
        cautions = "; ".join(f"{c['kind']}: {c['structure'] or c['text']}" for c in s["cautions"])
        steps.add_row(str(s["order"]), s["muscle"]["name"], s["side"], s["segment"] or "", f"{s['needle_mm']} mm", s["reason"], cautions)
    parts.append(steps)
    left_out: dict[str, list[str]] = {}
    for d in pl["dropped"]:
        why, _, detail = d["reason"].partition("; ")
        left_out.setdefault(why, []).append(f"{d['muscle']['name']} ({d['side']}{', ' + detail if detail else ''})")
    for why, muscles in left_out.items():
        parts.append(Text(f"Left out — {why}: {'; '.join(muscles)}", style="dim"))
    return Group(*parts)
