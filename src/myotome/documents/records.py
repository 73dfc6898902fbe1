"""The session summary and the episode discharge report, for the record or a referrer:
findings, segments, plan, what was needled and how each muscle answered, the measures
before and after, adverse events, addenda, and the body chart with the points needled.

    doc = session_summary(SessionRecord(...))
    doc = discharge_report(EpisodeRecord(...))

The caller (the clinic, a script) gathers the facts as text; this module only arranges them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from myotome.documents.model import Block, Bullets, Chart, Document, Graph, Notice, Paragraph, Point, Section, Table
from myotome.needling import RESISTANCE_SCALE

NOT_RECORDED = "—"


@dataclass(frozen=True, slots=True)
class InsertionLine:
    muscle: str  # display name with side and level: "Supinator, right"
    response: str
    released: str
    resistance: str  # "8 → 3"
    needle: str
    other: str
    thoracic: bool = False


@dataclass(frozen=True, slots=True)
class MeasureLine:
    label: str
    before: str
    after: str
    change: str


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One treatment session, as text the documents print."""

    when: str
    practitioner: str
    status: str  # "Signed 3 Nov 2026, 10:40 by ..." or "Draft: not signed"
    complaint: str
    findings: tuple[str, ...]
    segments: tuple[str, ...]  # "C6 right (0.74): reduced sensation over thumb; ..."
    plan: tuple[str, ...]  # "1. Cervical multifidus, right, at C5-C6"
    insertions: tuple[InsertionLine, ...]
    measures: tuple[MeasureLine, ...]
    adverse: tuple[str, ...]
    points: tuple[Point, ...]
    billing: str = ""
    skipped: tuple[str, ...] = ()
    aftercare: str = ""
    note: str = ""
    addenda: tuple[str, ...] = ()
    exam_addenda: tuple[str, ...] = ()  # corrections to the exam, printed under its findings
    meta: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # patient, clinic: the caller's choice


def _table_or_none(columns: tuple[str, ...], rows: Sequence[tuple[str, ...]], empty: str) -> Block:
    return Table(columns, tuple(rows)) if rows else Paragraph(empty)


def _insertions(lines: Sequence[InsertionLine]) -> Block:
    rows = [
        (str(n), i.muscle + (" (thorax)" if i.thoracic else ""), i.response, i.released, i.resistance, i.needle, i.other)
        for n, i in enumerate(lines, 1)
    ]
    return _table_or_none(("#", "Muscle", "Response", "Released", "Resistance", "Needle", "Other"), rows, "Nothing needled.")


def _measures(lines: Sequence[MeasureLine]) -> Block:
    rows = [(m.label, m.before, m.after, m.change) for m in lines]
    return _table_or_none(("Measure", "Before", "After", "Change"), rows, "No measures recorded.")


def _bullets_or(items: Sequence[str], empty: str) -> Block:
    return Bullets(tuple(items)) if items else Paragraph(empty)


def _exam_addenda(addenda: Sequence[str]) -> list[Block]:
    return [Paragraph("Exam addendum " + a) for a in addenda]


def session_sections(r: SessionRecord, *, full: bool = True) -> tuple[Section, ...]:
    """A session's sections; ``full=False`` leaves out the exam (the discharge report prints it once)."""
    sections = []
    if full:
        sections += [
            Section(
                "Complaint and findings",
                (Paragraph(r.complaint), _bullets_or(r.findings, "No findings recorded."), *_exam_addenda(r.exam_addenda)),
            ),
            Section("Likely segments", (_bullets_or(r.segments, "No segment ranked."),)),
            Section("Plan", (_bullets_or(r.plan, "No plan."),)),
        ]
    needled: list[Block] = [_insertions(r.insertions)]
    if r.insertions:
        needled.append(Paragraph(f"Resistance, before → after: {RESISTANCE_SCALE}."))
    if r.skipped:
        needled.append(Paragraph("Skipped: " + "; ".join(r.skipped) + "."))
    if r.billing:
        needled.append(Paragraph(r.billing))
    needled.append(Chart(r.points, "Points needled, numbered in the order first needled."))
    sections += [
        Section("What was needled", tuple(needled)),
        Section("Before and after", (_measures(r.measures),)),
        Section("Adverse events", (_bullets_or(r.adverse, "None recorded."),)),
    ]
    closing: list[Block] = []
    if r.aftercare:
        closing.append(Notice("Aftercare advice given: " + r.aftercare))
    if r.note:
        closing.append(Paragraph(r.note))
    closing.append(Paragraph(r.status))
    closing += [Paragraph("Addendum " + a) for a in r.addenda]
    sections.append(Section("Notes and signature", tuple(closing)))
    return tuple(sections)


def session_summary(r: SessionRecord) -> Document:
    """The summary of one session.

    doc = session_summary(record)
    to_pdf(doc)
    """
    return Document(
        kind="session-summary",
        title="IMS session summary",
        subtitle=f"{r.when} · {r.practitioner}",
        sections=session_sections(r),
        footer="Confidential clinical record.",
        meta=r.meta,
    )


@dataclass(frozen=True, slots=True)
class EpisodeRecord:
    """An episode of care: its exam (the latest saved) and every session, oldest first."""

    condition: str
    opened: str
    status: str  # "Open" / "Closed 3 Dec 2026"
    complaint: str
    findings: tuple[str, ...]
    segments: tuple[str, ...]
    plan: tuple[str, ...]
    sessions: tuple[SessionRecord, ...]
    pain_course: tuple[str, ...] = ()  # "3 Nov: 6 → 3"
    exam_addenda: tuple[str, ...] = ()
    meta: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    outcomes: tuple[str, ...] = ()  # "NPRS: baseline 7 (3 Nov 2026), latest 4 (24 Nov 2026). Reached the MCID: ..."
    progress: tuple[Graph, ...] = ()  # measures over time, range against normal, insertions


def discharge_report(e: EpisodeRecord) -> Document:
    """The episode's discharge report: the exam once, then each session and the course of pain.

    doc = discharge_report(episode_record)
    """
    adverse = [f"{s.when}: {a}" for s in e.sessions for a in s.adverse]
    sections = [
        Section(
            "Episode",
            (Paragraph(f"{e.condition}. Opened {e.opened}. {e.status}. Sessions: {len(e.sessions)}."), Paragraph(e.complaint)),
        ),
        Section("Findings", (_bullets_or(e.findings, "No findings recorded."), *_exam_addenda(e.exam_addenda))),
        Section("Likely segments", (_bullets_or(e.segments, "No segment ranked."),)),
        Section("Plan", (_bullets_or(e.plan, "No plan."),)),
        Section("Course of pain (NPRS 0-10, before → after each session)", (_bullets_or(e.pain_course, "No pain scores recorded."),)),
        Section("Outcome measures: baseline and latest", (_bullets_or(e.outcomes, "No outcome measure scored."),)),
        *([Section("Progress charts", e.progress)] if e.progress else []),
        Section("Adverse events", (_bullets_or(adverse, "None recorded in this episode."),)),
    ]
    for n, s in enumerate(e.sessions, 1):
        first, *rest = session_sections(s, full=False)
        sections.append(Section(f"Session {n}: {s.when}, {s.practitioner}", first.blocks))
        sections.extend(Section(f"Session {n}: {x.heading.lower()}", x.blocks) for x in rest)
    return Document(
        kind="discharge-report",
        title="IMS discharge report",
        subtitle=e.condition,
        sections=tuple(sections),
        footer="Confidential clinical record.",
        meta=e.meta,
    )
