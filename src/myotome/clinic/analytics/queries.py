"""One row of figures per episode, worked out by the database: what both reports start from.

    facts = episode_facts(clinic, since=date(2026, 1, 1), condition="tennis_elbow")

Three queries. The first gives each episode its start, sessions and the top-ranked segment
of its first saved exam, with its condition, regions and chosen measure set, from which
its primary measure is worked out here (the chosen set's first measure, else the default
for its condition and regions, as ``outcomes.service.measure_set`` has it). The second
gives, per episode, the baseline (first valid) score of that measure, the final valid
score, whether a discharge score exists, the first date a score had improved on the
baseline by the MCID and the sessions up to that date. The third counts adverse events by
episode and grade. Figures are correlated subqueries over an index or one grouped join:
the database reads a few rows per episode and sends one row per episode; no score,
session or exam is loaded into Python. Medians and shares are made from these rows by
:mod:`myotome.clinic.analytics.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from myotome.clinic.accounts.models import Clinic
from myotome.clinic.exams.models import Exam, ExamStatus
from myotome.clinic.json_paths import JSONValue
from myotome.clinic.outcomes.models import OutcomeScore, Timepoint
from myotome.clinic.patients.models import Episode, EpisodeStatus
from myotome.clinic.treatments.models import AdverseEvent, Grade, Insertion, SessionStep, TreatmentSession
from myotome.outcomes import load_measures
from myotome.outcomes.sets import default_measure_set

# Scores are stored to two decimals; a change equal to the MCID reaches it.
TOLERANCE = 1e-6


def _count(rows: QuerySet[Any], outer: str) -> Any:
    """COUNT(*) of ``rows`` (filtered on an OuterRef) as a subquery; 0 when there are none."""
    counted = rows.order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def episode_rows(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    """``episodes`` with what does not depend on the primary measure: start, sessions, first exam."""
    sessions = TreatmentSession.objects.filter(episode=OuterRef("pk"))
    first_exam = Exam.objects.filter(episode=OuterRef("pk"), status=ExamStatus.SAVED).order_by("created_at", "id")
    first_score = OutcomeScore.objects.filter(episode=OuterRef("pk"), valid=True).order_by("taken_on")
    first_session = sessions.order_by("started_at").annotate(on=TruncDate("started_at")).values("on")[:1]
    return episodes.annotate(
        start=Coalesce(
            Subquery(first_score.values("taken_on")[:1], output_field=DateField()),
            Subquery(first_session, output_field=DateField()),
            TruncDate("created_at"),
        ),
        sessions=_count(sessions, "episode"),
        segment=Subquery(first_exam.annotate(top=JSONValue("result", "segments", 0, "segment")).values("top")[:1]),
        first_exam_id=Subquery(first_exam.values("pk")[:1]),
    )


def treatment_features(episodes: QuerySet[Episode]) -> tuple[set[int], set[int]]:
    """What the prognostic report reads of the sessions: the episodes with a paraspinal step done, and
    those with a grasp obtained; each one grouped join (see ``adverse_counts`` for why not a subquery each)."""
    ids = episodes.values("pk")
    steps = SessionStep.objects.filter(session__episode__in=ids, skipped="").exclude(level="")
    grasped = Insertion.objects.filter(session__episode__in=ids, response="grasp")
    return (
        set(steps.order_by().values_list("session__episode_id", flat=True).distinct()),
        set(grasped.order_by().values_list("session__episode_id", flat=True).distinct()),
    )


def adverse_counts(episodes: QuerySet[Episode]) -> dict[tuple[int, str], int]:
    """Adverse events by (episode, grade), counted by the database in one grouped query.

    A join grouped once rather than a subquery per episode: PostgreSQL, planning a correlated
    subquery over two joined tables with the statistics of a freshly loaded database, scanned
    every adverse event once per episode (3 s for the 2,000-patient demo).
    """
    counted = (
        AdverseEvent.objects.filter(session__episode__in=episodes.values("pk"))
        .order_by()
        .values_list("session__episode_id", "grade")
        .annotate(n=Count("pk"))
    )
    return {(episode, grade): n for episode, grade, n in counted}


def measure_rows(primary: dict[int, str]) -> QuerySet[OutcomeScore]:
    """The baseline (first valid) score of each episode's primary measure (``primary``: episode id -> measure), with its course.

    Each row is a baseline score, so the baseline is a column the subqueries compare with:
    the final valid score, whether a valid discharge score exists, the first date a score had
    improved by the MCID, and the sessions up to that date.
    """
    definitions = load_measures()
    by_measure: dict[str, list[int]] = {}
    for episode_id, measure in primary.items():
        by_measure.setdefault(measure, []).append(episode_id)
    measures = set(by_measure)
    lower = [m for m in measures if definitions[m].better == "lower"]
    higher = [m for m in measures if definitions[m].better == "higher"]
    mcid = Case(
        *[When(measure=m, then=Value(definitions[m].mcid.value)) for m in measures if definitions[m].mcid.value is not None],
        default=Value(None),
        output_field=FloatField(),
    )
    same = OutcomeScore.objects.filter(episode=OuterRef("episode"), measure=OuterRef("measure"), valid=True)
    first = same.order_by("taken_on", "recorded_at", "id").values("pk")[:1]
    last = same.order_by("-taken_on", "-recorded_at", "-id")
    crossed = same.filter(
        Q(measure__in=lower, score__lte=OuterRef("score") - OuterRef("mcid") + TOLERANCE)
        | Q(measure__in=higher, score__gte=OuterRef("score") + OuterRef("mcid") - TOLERANCE)
    ).order_by("taken_on")
    sessions = TreatmentSession.objects.filter(episode=OuterRef("episode"))
    return (
        # Only each episode's primary measure: its ids by measure, a few short lists (the other measures' rows would cost as much again).
        OutcomeScore.objects.filter(
            Q(*[Q(measure=m, episode__in=ids) for m, ids in sorted(by_measure.items())], _connector=Q.OR), valid=True
        )
        .filter(pk=Subquery(first))
        .annotate(
            mcid=mcid,
            final=Subquery(last.values("score")[:1], output_field=FloatField()),
            discharge_scored=Exists(same.filter(timepoint=Timepoint.DISCHARGE)),
        )
        .annotate(mcid_on=Subquery(crossed.values("taken_on")[:1], output_field=DateField()))
        .annotate(sessions_to_mcid=_count(sessions.filter(started_at__date__lte=OuterRef("mcid_on")), "episode"))
        .order_by()  # read into a dict: no sort needed
    )


@dataclass(frozen=True)
class EpisodeFacts:
    """One episode's figures, as the database worked them out."""

    pk: int
    condition: str
    clinician_id: int | None
    clinician: str
    status: str
    primary: str
    mcid: float | None
    baseline: float | None
    final: float | None
    discharge_scored: bool
    mcid_on: date | None
    sessions: int
    sessions_to_mcid: int
    ae_mild: int
    ae_significant: int
    ae_serious: int
    segment: str | None
    first_exam_id: int | None
    start: date | None
    paraspinal_done: bool = False
    grasp: bool = False

    @property
    def discharged(self) -> bool:
        return self.status == EpisodeStatus.DISCHARGED

    @property
    def completed(self) -> bool:
        """Discharged with a baseline and a discharge score of the primary measure."""
        return self.discharged and self.discharge_scored and self.baseline is not None and self.final is not None

    @property
    def dropped_out(self) -> bool:
        """Discharged without a discharge score of the primary measure."""
        return self.discharged and not self.discharge_scored

    @property
    def improvement(self) -> float | None:
        """Final minus baseline, signed so that improvement is positive, in the measure's points."""
        if self.baseline is None or self.final is None:
            return None
        change = self.final - self.baseline
        return -change if load_measures()[self.primary].better == "lower" else change

    @property
    def improvement_share(self) -> float | None:
        """The improvement as a share of the measure's range (measures differ in scale)."""
        improvement = self.improvement
        if improvement is None:
            return None
        low, high = load_measures()[self.primary].range
        return improvement / (high - low)

    @property
    def reached(self) -> bool | None:
        """Whether a completed episode's discharge score improved on its baseline by the MCID; None when the
        episode is not completed or its measure has no established MCID."""
        if not self.completed or self.mcid is None:
            return None
        improvement = self.improvement
        return improvement is not None and improvement >= self.mcid - TOLERANCE


EPISODE_FIELDS = ("pk", "condition", "regions", "clinician_id", "status", "sessions", "segment", "first_exam_id", "start")
EPISODE_FIELDS += ("measure_set__measures",)
NAMES = ("clinician__first_name", "clinician__last_name", "clinician__username")
MEASURE_FIELDS = ("episode_id", "measure", "score", "mcid", "final", "discharge_scored", "mcid_on", "sessions_to_mcid")


def episode_facts(
    clinic: Clinic,
    *,
    since: date | None = None,
    until: date | None = None,
    condition: str = "",
    completed_only: bool = False,
    with_treatment: bool = False,
) -> list[EpisodeFacts]:
    """The clinic's episodes (started in the range, of the condition) with their figures: three queries, five with the treatment features.

    An episode starts on its first valid score's date, else its first session's, else the day it was opened.
    The primary measure is worked out here, by the rule ``outcomes.service.measure_set`` follows.
    """
    episodes = episode_rows(Episode.objects.filter(patient__clinic=clinic))
    if condition:
        episodes = episodes.filter(condition=condition)
    if completed_only:
        episodes = episodes.filter(status=EpisodeStatus.DISCHARGED)
    if since is not None:
        episodes = episodes.filter(start__gte=since)
    if until is not None:
        episodes = episodes.filter(start__lte=until)
    paraspinal, grasp = treatment_features(episodes) if with_treatment else (set(), set())
    rows = list(episodes.order_by("pk").values(*EPISODE_FIELDS, *NAMES))
    primary = {row["pk"]: (row["measure_set__measures"] or default_measure_set(row["condition"], row["regions"]))[0] for row in rows}
    courses = {(row["episode_id"], row["measure"]): row for row in (measure_rows(primary).values(*MEASURE_FIELDS) if primary else ())}
    events = adverse_counts(episodes)
    facts = []
    for row in rows:
        first, last, username = (row[n] for n in NAMES)
        course = courses.get((row["pk"], primary[row["pk"]]), {})
        facts.append(
            EpisodeFacts(
                pk=row["pk"],
                condition=row["condition"],
                clinician_id=row["clinician_id"],
                clinician=f"{first} {last}".strip() or username or "No clinician",
                status=row["status"],
                primary=primary[row["pk"]],
                mcid=load_measures()[primary[row["pk"]]].mcid.value,
                baseline=course.get("score"),
                final=course.get("final"),
                discharge_scored=bool(course.get("discharge_scored")),
                mcid_on=course.get("mcid_on"),
                sessions=row["sessions"],
                sessions_to_mcid=course.get("sessions_to_mcid") or 0,
                ae_mild=events.get((row["pk"], Grade.MILD), 0),
                ae_significant=events.get((row["pk"], Grade.SIGNIFICANT), 0),
                ae_serious=events.get((row["pk"], Grade.SERIOUS), 0),
                segment=row["segment"],
                first_exam_id=row["first_exam_id"],
                start=row["start"],
                paraspinal_done=row["pk"] in paraspinal,
                grasp=row["pk"] in grasp,
            )
        )
    return [f for f in facts if f.completed] if completed_only else facts
