"""The assessment result as a readable clinical report (a Rich renderable).

console.print(render_text(engine.assess(document), kb))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from myotome import redflags
from myotome.kb.describe import segments_text
from myotome.kb.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from myotome.engine import Result


def render_text(result: Result, kb: KnowledgeBase) -> Any:
    """A Rich renderable that reads like a clinician's note."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = red_flags_text(result)  # above everything else
    assessment = result.assessment
    c = assessment.complaint
    p = assessment.patient
    who = ", ".join(x for x in (f"{p.age} y" if p.age is not None else "", p.sex or "", p.build or "", p.temperament or "") if x)
    head = Text()
    head.append(f"IMS assessment {assessment.id or ''}".strip() + "\n", style="bold")
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
    parts.extend(Text(note, style="dim") for note in result.notes)

    table = Table(title="Likely segments (score = share of the evidence)", title_justify="left", show_lines=False)
    table.add_column("Segment")
    table.add_column("Side")
    table.add_column("Score", justify="right")
    table.add_column("", no_wrap=True)
    table.add_column("Evidence (finding: reason)", overflow="fold")
    for seg in result.localization.segments[:6]:
        bar = "█" * max(1, round(seg.score * 20))
        why = "; ".join(f"{'#' + str(e.finding) if e.finding else 'complaint'}: {e.reason}" for e, _ in seg.evidence[:3])
        table.add_row(seg.segment, seg.side, f"{seg.score:.2f}", bar, why)
    parts.append(table)
    parts.append(
        Text(
            "Clinical root-level localisation is about 60–75% accurate in the neck and weak between L5 and S1: "
            "weigh the top candidates, not only the first.",
            style="dim",
        )
    )

    for u in (*result.localization.unresolved, *redflags.unresolved(result.gate)):
        where = f"finding {u.finding}" if u.finding else u.field
        parts.append(Text(f"Not recognised ({where}): {u.error}", style="yellow"))

    pl = result.plan
    for w in pl.warnings:
        parts.append(Text(f"⚠ {w}", style="bold red"))
    if result.blocked:
        return Group(*parts)  # the first warning says why there is no plan
    involved = segments_text(kb, [r.segment for r in pl.involved])
    steps = Table(
        title=f"Plan: involved {involved or 'none'}; up to {pl.max_insertions} insertions"
        + (f" ({', '.join(pl.dose_reasons)})" if pl.dose_reasons else ""),
        title_justify="left",
    )
    for col in ("#", "Muscle", "Side", "Level", "Needle", "Why", "Cautions"):
        steps.add_column(col, overflow="fold")
    for s in pl.steps:
        cautions = "; ".join(f"{c.kind}: {c.structure or c.text}" for c in s.cautions)
        steps.add_row(str(s.order), s.muscle.name, s.side, s.label, f"{s.needle_mm} mm", s.reason, cautions)
    parts.append(steps)
    left_out: dict[str, list[str]] = {}
    for d in pl.dropped:
        why, _, detail = d.reason.partition("; ")
        left_out.setdefault(why, []).append(f"{d.muscle.name} ({d.side}{', ' + detail if detail else ''})")
    for why, muscles in left_out.items():
        parts.append(Text(f"Left out — {why}: {'; '.join(muscles)}", style="dim"))
    return Group(*parts)


def red_flags_text(result: Result) -> list[Any]:
    """The red flags as the report's first lines: action, code, text and findings, most urgent first."""
    from rich.text import Text

    if not result.red_flags:
        return []
    head = Text("RED FLAGS", style="bold white on red")
    head.append("  no plan until they are dealt with" if result.blocked else "  acknowledged: the plan follows", style="bold red")
    lines: list[Any] = [head]
    for flag in result.red_flags:
        line = Text(f"■ {redflags.ACTION_WORDS[flag.action].upper()} — {flag.code}", style="bold red")
        if result.gate.is_acknowledged(flag):
            line.append(" (acknowledged" + (", but an urgent referral never unlocks a plan)" if flag.action == "refer_urgently" else ")"))
        line.append(f"\n  {flag.text}", style="red")
        lines.append(line)
    lines.append(Text(""))
    return lines
