"""Storing scores and choosing measure sets: the clinic's side of ``myotome.outcomes``.

measure_set(episode)                   # ('prtee', 'nprs', 'psfs') for a tennis elbow
save_score(episode, result, user, timepoint, taken_on)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from myotome.clinic.outcomes.models import EpisodeMeasures, OutcomeScore, Timepoint
from myotome.clinic.patients.models import Episode, EpisodeStatus
from myotome.outcomes import Score
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


def primary_progress(episode: Episode) -> Progress:
    """Baseline (first valid) and latest valid score of the primary measure."""
    primary = measure_set(episode)[0]
    valid = OutcomeScore.objects.filter(episode=episode, measure=primary, valid=True)
    return Progress(
        primary, valid.order_by("taken_on", "recorded_at", "id").first(), valid.order_by("-taken_on", "-recorded_at", "-id").first()
    )


def due(episode: Episode) -> str | None:
    """What the episode is missing: an intake score of the primary measure, or a discharge score."""
    primary = measure_set(episode)[0]
    scores = OutcomeScore.objects.filter(episode=episode, measure=primary, valid=True)
    if not scores.exists():
        return "intake"
    if episode.status == EpisodeStatus.DISCHARGED and not scores.filter(timepoint=Timepoint.DISCHARGE).exists():
        return "discharge"
    return None
