"""From the clinic's records to the core's document facts (``myotome.documents``): the one
place that reads sessions, exams and episodes for a handout, a summary or a report.

    record = session_record(session)         # -> SessionRecord
    facts = session_handout_facts(session)   # -> HandoutFacts
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from myotome.clinic.exams.findings import describe_finding, shown_name
from myotome.clinic.exams.models import Exam, ExamStatus
from myotome.clinic.outcomes.progress import episode_progress
from myotome.clinic.patients.models import Episode
from myotome.clinic.treatments import service
from myotome.clinic.treatments.access import clinic_settings
from myotome.clinic.treatments.models import Insertion, TreatmentSession
from myotome.clinic.treatments.views import measures
from myotome.documents import HandoutFacts
from myotome.documents.model import Graph, Point
from myotome.documents.records import EpisodeRecord, InsertionLine, MeasureLine, SessionRecord
from myotome.kb import KnowledgeBase, load_kb


def _when(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "j M Y, H:i")


def _day(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "j M Y")


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _muscle(kb: KnowledgeBase, muscle_id: str) -> str:
    found = kb.muscles.get(muscle_id)
    return found.name if found else muscle_id.replace("_", " ")


def _where(kb: KnowledgeBase, muscle_id: str, side: str, level: str) -> str:
    return f"{_muscle(kb, muscle_id)}, {side}" + (f", at {level}" if level else "")


def complaint_text(exam: Exam | None, episode: Episode, kb: KnowledgeBase) -> str:
    complaint = (exam.document.get("complaint", {}) if exam else {}) or {"regions": episode.regions, "side": episode.side}
    regions = ", ".join(shown_name(kb, "region", r) for r in complaint.get("regions", [])) or "no region named"
    parts = [f"{regions} ({complaint.get('side', episode.side)})"]
    if complaint.get("condition"):
        parts.append(shown_name(kb, "condition", complaint["condition"]))
    if complaint.get("pain") is not None:
        parts.append(f"pain {complaint['pain']}/10")
    if complaint.get("duration_weeks") is not None:
        parts.append(f"{complaint['duration_weeks']:g} weeks")
    return "Complaint: " + "; ".join(parts) + "."


def exam_lines(exam: Exam | None, kb: KnowledgeBase) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(findings, ranked segments with their evidence, plan steps) of an exam, as lines."""
    if exam is None:
        return (), (), ()
    findings = [describe_finding(f, kb) for f in exam.document.get("findings", [])]
    result = exam.result or {}
    segments = []
    for s in result.get("segments", [])[:6]:
        why = "; ".join(findings[e["finding"] - 1] if e.get("finding") else "the complaint" for e in s.get("evidence", [])[:3])
        segments.append(f"{s['segment']} {s['side']} (score {float(s['score']):.2f})" + (f": {why}" if why else ""))
    plan = [
        f"{step['order']}. {_where(kb, step['muscle']['id'], step['side'], step.get('level') or '')}"
        + (f" ({step['needle_mm']} mm needle)" if step.get("needle_mm") else "")
        for step in ((result.get("plan") or {}).get("steps") or [])
    ]
    return tuple(findings), tuple(segments), tuple(plan)


def _insertion(kb: KnowledgeBase, i: Insertion) -> InsertionLine:
    released = "—" if i.released is None else ("Yes" if i.released else "No")
    has_resistance = i.resistance_before is not None or i.resistance_after is not None
    resistance = f"{_or_dash(i.resistance_before)} → {_or_dash(i.resistance_after)}" if has_resistance else "—"
    needle = " ".join(
        x for x in (f"{i.needle_mm} mm" if i.needle_mm else "", f"x {i.gauge}" if i.gauge else "", i.get_technique_display() or "") if x
    )
    other = " ".join(
        x
        for x in (
            f"discomfort {i.discomfort}/10" if i.discomfort is not None else "",
            f"{i.seconds} s" if i.seconds is not None else "",
            i.note,
        )
        if x
    )
    return InsertionLine(
        _where(kb, i.muscle_id, i.side, i.level), i.get_response_display() or "—", released, resistance, needle or "—", other, i.thoracic
    )


def _or_dash(value: int | None) -> str:
    return "—" if value is None else str(value)


def needled_points(insertions: list[Insertion]) -> tuple[Point, ...]:
    """Each (muscle, side, level) needled, numbered in the order first needled."""
    seen: dict[tuple[str, str, str], Point] = {}
    for i in insertions:
        key = (i.muscle_id, i.side, i.level)
        if key not in seen and i.side in ("left", "right", "bilateral"):
            seen[key] = Point(len(seen) + 1, i.muscle_id, i.side, i.level)
    return tuple(seen.values())


def session_record(session: TreatmentSession, *, patient_line: bool = True) -> SessionRecord:
    kb = load_kb()
    insertions = list(session.insertions.all())
    bill = service.billing(session, clinic_settings(session.episode.patient.clinic_id))
    findings, segments, plan = exam_lines(session.exam, kb)
    status = (
        f"Signed {_when(session.signed_at)} by {_person(session.signed_by)}."
        if session.is_signed
        else "Draft: not signed; this record may still change."
    )
    return SessionRecord(
        when=_when(session.started_at),
        practitioner=_person(session.practitioner),
        status=status,
        complaint=complaint_text(session.exam, session.episode, kb),
        findings=findings,
        segments=segments,
        plan=plan,
        insertions=tuple(_insertion(kb, i) for i in insertions),
        measures=tuple(
            MeasureLine(m["label"], _or_dash(m["before"]), _or_dash(m["after"]), m["change"] or "—")
            for m in measures(session, list(session.ranges.all()))
        ),
        adverse=tuple(
            f"{a.get_kind_display()}, {a.grade}: {a.action_taken}" + (f" ({a.note})" if a.note else "")
            for a in session.adverse_events.all()
        ),
        points=needled_points(insertions),
        billing=f"{bill.muscles} distinct muscle{'s' if bill.muscles != 1 else ''} needled; CPT {bill.code or 'none'} ({bill.rule}).",
        skipped=tuple(
            f"{_where(kb, s.muscle_id, s.side, s.level)}: {s.get_skipped_display().lower()}" for s in session.steps.exclude(skipped="")
        ),
        aftercare=session.aftercare,
        note=session.note,
        addenda=_addenda(session.addenda.all()),
        exam_addenda=_addenda(session.exam.addenda.all()) if session.exam else (),
        meta=_meta(session.episode) if patient_line else (),
    )


def _addenda(addenda: Any) -> tuple[str, ...]:
    """Dated, named corrections of a signed record, oldest first: "3 Nov 2026, 10:40, Ann Lee: ..."."""
    return tuple(f"{_when(a.written_at)}, {_person(a.written_by)}: {a.text}" for a in addenda.select_related("written_by"))


def _meta(episode: Episode) -> tuple[tuple[str, str], ...]:
    patient = episode.patient
    born = f", born {date_format(patient.date_of_birth, 'j M Y')}" if getattr(patient, "date_of_birth", None) else ""
    return (("Patient", f"{patient.given_name} {patient.family_name}{born}"), ("Clinic", patient.clinic.name))


def latest_exam(episode: Episode) -> Exam | None:
    return episode.exams.filter(status=ExamStatus.SAVED).order_by("-saved_at", "-id").first()


def episode_record(episode: Episode) -> EpisodeRecord:
    kb = load_kb()
    exam = latest_exam(episode)
    findings, segments, plan = exam_lines(exam, kb)
    sessions = list(episode.treatment_sessions.select_related("practitioner", "signed_by", "exam", "episode").order_by("started_at", "id"))
    condition = shown_name(kb, "condition", episode.condition) if episode.condition else "Episode of care"
    pain = [
        f"{_day(s.started_at)}: {_or_dash(s.pain_before)} → {_or_dash(s.pain_after)}"
        for s in sessions
        if s.pain_before is not None or s.pain_after is not None
    ]
    return EpisodeRecord(
        condition=condition,
        opened=_day(episode.created_at),
        status=episode.get_status_display(),
        complaint=complaint_text(exam, episode, kb),
        findings=findings,
        segments=segments,
        plan=plan,
        sessions=tuple(session_record(s, patient_line=False) for s in sessions),
        pain_course=tuple(pain),
        exam_addenda=_addenda(exam.addenda.all()) if exam else (),
        meta=_meta(episode),
        **_progress(episode),
    )


def _progress(episode: Episode) -> dict[str, Any]:
    """The progress page's charts and baseline-versus-latest lines, for the discharge report."""
    progress = episode_progress(episode, id_prefix="doc")
    lines = tuple(
        f"{m.measure.name}{' (primary)' if m.primary else ''}: baseline {m.comparison.baseline[1]:g} ({_day_of(m.comparison.baseline[0])}), "
        f"latest {m.comparison.latest[1]:g} ({_day_of(m.comparison.latest[0])}). {m.comparison.words}"
        for m in progress.measures
        if m.comparison is not None
    )
    drawn = [m.drawn for m in progress.measures if m.comparison is not None] + list(progress.ranges)
    if progress.insertions is not None:
        drawn.append(progress.insertions)
    return {"outcomes": lines, "progress": tuple(Graph(d.svg, d.chart.desc) for d in drawn)}


def _day_of(day: Any) -> str:
    return date_format(day, "j M Y")


def _pain_areas(exam: Exam | None, episode: Episode, kb: KnowledgeBase) -> tuple[str, ...]:
    regions = (exam.document.get("complaint", {}).get("regions") if exam else None) or episode.regions
    return tuple(shown_name(kb, "region", r) for r in regions)


def _segments(exam: Exam | None) -> tuple[str, ...]:
    """The plan's involved segments, else the top ranked ones: what the handout names."""
    result = (exam.result if exam else None) or {}
    involved = [s["segment"] for s in ((result.get("plan") or {}).get("involved") or [])]
    ranked = [s["segment"] for s in result.get("segments", [])[:2]]
    return tuple(dict.fromkeys(involved or ranked))


def session_handout_facts(session: TreatmentSession) -> HandoutFacts:
    """The handout after a session: the muscles needled, in order; chest advice if a lung-zone muscle was."""
    kb = load_kb()
    insertions = list(session.insertions.all())
    muscles = tuple(dict.fromkeys(_muscle(kb, i.muscle_id) for i in insertions))
    return HandoutFacts(
        pain_areas=_pain_areas(session.exam, session.episode, kb),
        segments=_segments(session.exam),
        muscles=muscles,
        thoracic=any(i.thoracic for i in insertions),
        needled=True,
        clinic=session.episode.patient.clinic.name,
    )


def exam_handout_facts(exam: Exam) -> HandoutFacts:
    """The handout before a session: the plan's muscles; chest advice if a planned step is over the thorax."""
    kb = load_kb()
    steps = ((exam.result or {}).get("plan") or {}).get("steps") or []
    return HandoutFacts(
        pain_areas=_pain_areas(exam, exam.episode, kb),
        segments=_segments(exam),
        muscles=tuple(dict.fromkeys(_muscle(kb, s["muscle"]["id"]) for s in steps)),
        thoracic=any(s.get("over_thorax") for s in steps),
        needled=False,
        clinic=exam.episode.patient.clinic.name,
    )
