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
    timepoints: tuple[str, ...] = ()  # of the valid scores, oldest first


def primary_progress(episode: Episode) -> Progress:
    """Baseline (first valid) and latest valid score of the primary measure, read in one query
    (an episode holds a few scores of a measure, not hundreds)."""
    primary = measure_set(episode)[0]
    valid = list(OutcomeScore.objects.filter(episode=episode, measure=primary, valid=True).order_by("taken_on", "recorded_at", "id"))
    return Progress(primary, valid[0] if valid else None, valid[-1] if valid else None, tuple(s.timepoint for s in valid))


def due(episode: Episode, progress: Progress | None = None) -> str | None:
    """What the episode is missing: an intake score of the primary measure, or a discharge score."""
    progress = progress or primary_progress(episode)
    if progress.baseline is None:
        return "intake"
    if episode.status == EpisodeStatus.DISCHARGED and Timepoint.DISCHARGE not in progress.timepoints:
        return "discharge"
    return None


def due_for(episodes: list[Episode]) -> list[tuple[Episode, str, str]]:
    """(episode, what is due, primary measure) for each of ``episodes`` that lacks an intake or a
    discharge score, in two queries whatever the number of episodes (the patient page lists them all)."""
    ids = [e.pk for e in episodes if e.status != EpisodeStatus.ON_HOLD]
    chosen = dict(EpisodeMeasures.objects.filter(episode_id__in=ids).values_list("episode_id", "measures"))
    taken: dict[tuple[int, str], set[str]] = {}
    for episode_id, measure, timepoint in OutcomeScore.objects.filter(episode_id__in=ids, valid=True).values_list(
        "episode_id", "measure", "timepoint"
    ):
        taken.setdefault((episode_id, measure), set()).add(timepoint)
    found = []
    for episode in (e for e in episodes if e.pk in ids):
        primary = (chosen.get(episode.pk) or default_measure_set(episode.condition, episode.regions))[0]
        timepoints = taken.get((episode.pk, primary))
        if timepoints is None:
            found.append((episode, "intake", primary))
        elif episode.status == EpisodeStatus.DISCHARGED and Timepoint.DISCHARGE not in timepoints:
            found.append((episode, "discharge", primary))
    return found
