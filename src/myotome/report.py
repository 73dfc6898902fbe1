"""The assessment result as a readable clinical report (a Rich renderable).

console.print(render_text(engine.assess(document), kb))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from myotome.kb.describe import segments_text
from myotome.kb.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from myotome.engine import Result


def render_text(result: Result, kb: KnowledgeBase) -> Any:
    """A Rich renderable that reads like a clinician's note."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = list(_red_flags(result))
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
        head.append(f"; {c.duration_weeks:g} week{'' if c.duration_weeks == 1 else 's'}")
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

    for u in result.localization.unresolved:
        where = f"finding {u.finding}" if u.finding else u.field
        parts.append(Text(f"Not recognised ({where}): {u.error}", style="yellow"))

    pl = result.plan
    if result.blocked:
        parts.append(Text(result.blocked, style="bold red"))
        return Group(*parts)
    for w in pl.warnings:
        parts.append(Text(f"⚠ {w}", style="bold red"))
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


_ACTION_WORDS = {"refer_urgently": "REFER URGENTLY", "refer": "REFER", "screen_first": "SCREEN FIRST"}


def _red_flags(result: Result) -> list[Any]:
    """The red flags, above everything else: what was found, what to do, and whether it was acknowledged."""
    from rich.text import Text

    out = []
    for flag in result.screen.flags:
        line = Text()
        line.append(f"RED FLAG — {_ACTION_WORDS[flag.action]}: {flag.name}", style="bold red" if not flag.acknowledged else "bold yellow")
        if flag.findings:
            line.append(f" (finding{'s' if len(flag.findings) > 1 else ''} {', '.join(map(str, flag.findings))})")
        if flag.acknowledged:
            line.append(" — acknowledged")
        line.append(f"\n  {flag.text}")
        out.append(line)
    return out
