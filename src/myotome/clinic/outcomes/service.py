"""Storing scores and choosing measure sets: the clinic's side of ``myotome.outcomes``.

measure_set(episode)                   # ('prtee', 'nprs', 'psfs') for a tennis elbow
save_score(episode, result, user, timepoint, taken_on)
due_for(episode_ids, clinic_id)        # what each episode's primary measure needs, in one query
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from myotome.clinic.outcomes.models import EpisodeMeasures, OutcomeScore, OutcomeSettings, Timepoint
from myotome.clinic.patients.models import Episode, EpisodeStatus, Patient
from myotome.clinic.treatments.models import SessionStatus, TreatmentSession
from myotome.outcomes import Score, load_measures
from myotome.outcomes.due import DEFAULT_EVERY, Due, describe
from myotome.outcomes.due import due as due_rule
from myotome.outcomes.sets import default_measure_set


def measure_set(episode: Episode) -> tuple[str, ...]:
    """The episode's chosen measures, else the default for its condition and regions; primary first."""
    chosen = EpisodeMeasures.objects.filter(episode=episode).values_list("measures", flat=True).first()
    return tuple(chosen) if chosen else default_measure_set(episode.condition, episode.regions)


def choose_measures(episode: Episode, measures: list[str], user: Any) -> None:
    EpisodeMeasures.objects.update_or_create(episode=episode, defaults={"measures": measures, "updated_by": user})


def save_score(episode: Episode, result: Score, user: Any, timepoint: str, taken_on: date) -> OutcomeScore:
    record = result.record()
    return OutcomeScore.objects.create(
        episode=episode,
        measure=result.measure.id,
        timepoint=timepoint,
        taken_on=taken_on,
        score=result.score,
        subscales=record["subscales"],
        valid=result.valid,
        reason=result.reason or "",
        responses=record["responses"],
        activity_names=record["activity_names"],
        instrument_version=result.instrument_version,
        scoring_rule_version=result.scoring_rule_version,
        missing_rule=result.missing_rule,
        recorded_by=user,
    )


def suggested_timepoint(episode: Episode, measure: str) -> str:
    """Discharge for a discharged episode, intake for a measure not yet taken, else progress."""
    if episode.status == EpisodeStatus.DISCHARGED:
        return Timepoint.DISCHARGE
    if not OutcomeScore.objects.filter(episode=episode, measure=measure, valid=True).exists():
        return Timepoint.INTAKE
    return Timepoint.PROGRESS


def last_activities(episode: Episode, measure: str) -> list[str]:
    """The activities of the episode's last PSFS form, so the patient rates the same ones again."""
    last = OutcomeScore.objects.filter(episode=episode, measure=measure).order_by("-taken_on", "-recorded_at", "-id").first()
    return list(last.activity_names) if last else []


@dataclass(frozen=True)
class Progress:
    measure: str
    baseline: OutcomeScore | None
    latest: OutcomeScore | None
    timepoints: tuple[str, ...] = ()  # of the valid scores, oldest first


def primary_progress(episode: Episode) -> Progress:
    """Baseline (first valid) and latest valid score of the primary measure, read in one query
    (an episode holds a few scores of a measure, not hundreds)."""
    primary = measure_set(episode)[0]
    valid = list(OutcomeScore.objects.filter(episode=episode, measure=primary, valid=True).order_by("taken_on", "recorded_at", "id"))
    return Progress(primary, valid[0] if valid else None, valid[-1] if valid else None, tuple(s.timepoint for s in valid))


def due_words(episode: Episode) -> str | None:
    """What the episode's primary measure needs, in words (intake, every N sessions, discharge), or None."""
    found = due_for([episode.pk], episode.patient.clinic_id)
    if not found:
        return None
    item = found[0]
    measures = load_measures()
    return describe(item.what, measures[item.measure].name if item.measure in measures else item.measure, item.every)


@dataclass(frozen=True)
class DueItem:
    episode_id: int
    patient: str
    condition: str
    what: Due
    measure: str  # the primary measure's id
    every: int


def due_for(episode_ids: Sequence[int], clinic_id: int) -> list[DueItem]:
    """What each of the episodes ``episode_ids`` needs of its primary measure (``myotome.outcomes.due``), in one query.

    The database groups each episode's valid scores by measure (latest recorded, any discharge score)
    and counts signed sessions started after each measure's latest score; Python then picks the
    primary measure's row (the chosen set's first, else the default for condition and regions)
    and applies the rule. The clinic's N comes with the rows (OutcomeSettings, else 4).
    """
    if not episode_ids:
        return []
    # The ids as a list of values: as a subquery, SQLite scanned every episode of the practice to match them.
    inner = ", ".join(["%s"] * len(episode_ids))
    score, chosen, settings_table = OutcomeScore._meta.db_table, EpisodeMeasures._meta.db_table, OutcomeSettings._meta.db_table
    sessions, episode_table, patient_table = TreatmentSession._meta.db_table, Episode._meta.db_table, Patient._meta.db_table
    sql = f"""
        SELECT g.episode_id, g.status, g.condition, g.regions, g.measures, g.measure, g.discharged, g.given_name, g.family_name,
               (SELECT COUNT(*) FROM {sessions} t WHERE t.episode_id = g.episode_id AND t.status = %s
                  AND (g.last_at IS NULL OR t.started_at > g.last_at)) AS since,
               (SELECT o.every_sessions FROM {settings_table} o WHERE o.clinic_id = %s) AS every
        FROM (
            SELECT e.id AS episode_id, e.status, e.condition, e.regions, m.measures, s.measure, p.given_name, p.family_name,
                   MAX(s.recorded_at) AS last_at, MAX(CASE WHEN s.timepoint = %s THEN 1 ELSE 0 END) AS discharged
            FROM {episode_table} e
            JOIN {patient_table} p ON p.id = e.patient_id
            LEFT JOIN {chosen} m ON m.episode_id = e.id
            LEFT JOIN {score} s ON s.episode_id = e.id AND s.valid = %s
            WHERE e.id IN ({inner})
            GROUP BY e.id, e.status, e.condition, e.regions, m.measures, s.measure, p.given_name, p.family_name
        ) g
        ORDER BY g.family_name, g.given_name, g.episode_id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [SessionStatus.SIGNED, clinic_id, Timepoint.DISCHARGE, True, *episode_ids])
        rows = cursor.fetchall()
    by_episode: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_episode.setdefault(row[0], []).append(row)
    found = []
    for episode_id, measure_rows in by_episode.items():
        _, status, condition, regions, measures, _, _, given, family, _, every = measure_rows[0]
        every = every or DEFAULT_EVERY
        primary = (_json(measures) or default_measure_set(condition, _json(regions) or []))[0]
        row = next((r for r in measure_rows if r[5] == primary), None)
        what = due_rule(
            status,
            scored=row is not None,
            discharge_scored=bool(row and row[6]),
            sessions_since=int(row[9]) if row else 0,
            every=every,
        )
        if what is not None:
            found.append(DueItem(episode_id, f"{family}, {given}", condition, what, primary, every))
    return found


def _json(value: Any) -> Any:
    """A JSON column read by a raw cursor: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value
