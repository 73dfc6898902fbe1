"""An episode's progress read from the database and drawn by the core (``myotome.outcomes.progress``).

progress = episode_progress(episode)   # four queries, however many scores, sessions and exams
progress.measures[0].svg               # the primary measure over time, as SVG

The same ``EpisodeProgress`` feeds the progress page and the discharge report's PDF.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from myotome.charts import BarChart, LineChart, render_bar_chart, render_line_chart
from myotome.clinic.exams.models import Exam, ExamStatus
from myotome.clinic.outcomes import service
from myotome.clinic.outcomes.models import OutcomeScore
from myotome.clinic.patients.models import Episode
from myotome.clinic.treatments.models import RangeMeasure, Response, SessionStatus, TreatmentSession
from myotome.kb import load_kb
from myotome.outcomes import Measure, load_measures
from myotome.outcomes.progress import Comparison, RangeReadings, SessionInsertions, compare, insertions_chart, measure_chart, range_chart


@dataclass(frozen=True)
class Drawn:
    """A chart, its SVG and its values as table rows (the page shows them beside the picture)."""

    key: str
    chart: LineChart | BarChart
    svg: str
    rows: tuple[tuple[str, ...], ...]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class MeasureProgress:
    measure: Measure
    primary: bool
    comparison: Comparison | None
    drawn: Drawn


@dataclass(frozen=True)
class EpisodeProgress:
    measures: tuple[MeasureProgress, ...]
    ranges: tuple[Drawn, ...]
    insertions: Drawn | None


def episode_progress(episode: Episode, id_prefix: str = "p") -> EpisodeProgress:
    """Every measure the episode collects or has scored, each restricted movement, and the insertions."""
    measures = load_measures()
    chosen = service.measure_set(episode)
    points: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for measure_id, taken_on, score in OutcomeScore.objects.filter(episode=episode, valid=True).values_list("measure", "taken_on", "score"):
        points[measure_id].append((taken_on, score))
    shown = [m for m in dict.fromkeys([*chosen, *points]) if m in measures and (points.get(m) or m == chosen[0])]
    drawn_measures = []
    for n, measure_id in enumerate(shown):
        measure = measures[measure_id]
        chart = measure_chart(measure, points.get(measure_id, []))
        rows = tuple((_day(d), f"{v:g}") for d, v in sorted(points.get(measure_id, [])))
        drawn = Drawn(measure_id, chart, render_line_chart(chart, id_prefix=f"{id_prefix}m{n}"), rows, ("Taken", "Score"))
        drawn_measures.append(MeasureProgress(measure, measure_id == chosen[0], compare(measure, points.get(measure_id, [])), drawn))
    return EpisodeProgress(tuple(drawn_measures), _ranges(episode, id_prefix), _insertions(episode, id_prefix))


def _ranges(episode: Episode, prefix: str) -> tuple[Drawn, ...]:
    """Each movement and side measured in the exams (saved) or the sessions, against the KB's normal."""
    measured: dict[tuple[str, str, str], list[tuple[date, float]]] = defaultdict(list)
    after: dict[tuple[str, str, str], list[tuple[date, float]]] = defaultdict(list)
    for saved_at, document in Exam.objects.filter(episode=episode, status=ExamStatus.SAVED).values_list("saved_at", "document"):
        for finding in (document or {}).get("findings", []):
            if finding.get("type") == "rom" and saved_at is not None:
                key = (finding["movement"], finding["side"], finding.get("unit", "deg"))
                measured[key].append((timezone.localdate(saved_at), float(finding["value"])))
    rows = RangeMeasure.objects.filter(session__episode=episode).values_list(
        "session__started_at", "movement", "side", "unit", "before", "after"
    )
    for started_at, movement, side, unit, before, after_value in rows:
        day = timezone.localdate(started_at)
        if before is not None:
            measured[(movement, side, unit)].append((day, float(before)))
        if after_value is not None:
            after[(movement, side, unit)].append((day, float(after_value)))
    kb = load_kb()
    drawn = []
    for n, key in enumerate(sorted({*measured, *after})):
        movement_id, side, unit = key
        movement = kb.movements.get(movement_id)
        normal = movement.normal if movement is not None and movement.normal is not None and movement.normal.unit == unit else None
        readings = RangeReadings(
            movement.name if movement else movement_id,
            side,
            unit,
            tuple(sorted(measured.get(key, []))),
            tuple(sorted(after.get(key, []))),
            normal.value if normal else None,
            normal.source.upper() if normal else "",
        )
        chart = range_chart(readings)
        table = [(_day(d), f"{v:g}", "measured") for d, v in readings.measured] + [
            (_day(d), f"{v:g}", "after needling") for d, v in readings.after
        ]
        drawn.append(
            Drawn(
                f"{movement_id}-{side}",
                chart,
                render_line_chart(chart, id_prefix=f"{prefix}r{n}"),
                tuple(sorted(table)),
                ("Date", unit, "When"),
            )
        )
    return tuple(drawn)


def _insertions(episode: Episode, prefix: str) -> Drawn | None:
    """Insertions per signed session and how many drew a grasp, counted in the database."""
    sessions = (
        TreatmentSession.objects.filter(episode=episode, status=SessionStatus.SIGNED)
        .annotate(made=Count("insertions"), grasps=Count("insertions", filter=Q(insertions__response=Response.GRASP)))
        .order_by("started_at", "id")
        .values_list("started_at", "made", "grasps")
    )
    counted = [SessionInsertions(timezone.localdate(started), made, grasps) for started, made, grasps in sessions]
    if not counted:
        return None
    chart = insertions_chart(counted)
    rows = tuple((_day(s.day), str(s.insertions), str(s.grasps)) for s in counted)
    return Drawn("insertions", chart, render_bar_chart(chart, id_prefix=f"{prefix}i"), rows, ("Session", "Insertions", "With a grasp"))


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
