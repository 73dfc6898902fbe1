"""Demo measure histories: a step of :data:`myotome.clinic.demo.STEPS`, after the sessions.

Every episode with a treated visit (a saved exam the sessions step needled from) gets its
measure set (the default for its condition and regions: the primary measure, then NPRS and
PSFS) at intake, the day of its first exam; again at each later exam; and, for a discharged
episode, at discharge two or three weeks after the last visit. Most improve past the MCID
(half are drawn to improve by 30 to 50% of the scale, 90% of those with the planted sign
below; a patient's scatter carries a few more over it), the rest by less or not at all; 12% of discharged episodes have no discharge score (drop-outs, as real
practices lose them); 2% of forms have too many missing items to score.

Item responses are made for a target level of disability and scored by the core
(``myotome.outcomes.score``), so every stored score is what its stored responses give.

One effect is planted for the prognostic report to find, and only one: episodes whose first
exam found a sudomotor skin sign (sweating in the dermatome) reach the MCID more often (90%
against 50% drawn to improve). Nothing else in the demo (practitioner, condition, other signs, sessions)
changes the chance of improving. The exam demo draws that sign apart from every other: the
other skin signs replace one another on a side, so an effect planted on one of them would
show, reversed, on the others.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Model

from myotome.clinic.outcomes.models import OutcomeScore, Timepoint
from myotome.outcomes import Measure, load_measures, score
from myotome.outcomes.definitions import NOT_APPLICABLE
from myotome.outcomes.sets import default_measure_set

if TYPE_CHECKING:
    from myotome.clinic.demo import DemoPractice

#: The one planted effect: this skin sign on the first exam.
PLANTED_SIGN = "sudomotor"
IMPROVE_WITH, IMPROVE_WITHOUT = 0.9, 0.5
DROP_OUT = 0.12  # discharged episodes without a discharge score
UNSCORABLE = 0.02  # forms with too many items missing
ACTIVITIES = (
    "lifting a kettle",
    "putting on a coat",
    "sleeping on that side",
    "climbing stairs",
    "sitting at a desk for an hour",
    "gardening",
    "walking to work",
    "playing with the children",
    "driving and looking over a shoulder",
    "carrying shopping",
    "running 5 km",
    "typing",
)


def planted(document: dict[str, Any]) -> bool:
    """Whether an exam document shows the demo's planted sign."""
    return any(f.get("type") == "skin" and f.get("sign") == PLANTED_SIGN for f in document.get("findings", []))


def score_rows(practice: DemoPractice, number: int) -> Iterator[Model]:
    """Patient ``number``'s measure histories, one episode at a time."""
    rng = practice.rng
    measures = load_measures()
    by_episode: dict[int, list[Any]] = {}
    for exam in practice.exams_of.get(number, []):
        # The visits the sessions step needled at (a saved, cleared exam with a plan): forms are filled in at those.
        if exam.saved_at is not None and exam.result and exam.result.get("cleared") and (exam.result.get("plan") or {}).get("steps"):
            by_episode.setdefault(exam.episode.pk, []).append(exam)
    for exams in by_episode.values():
        yield from _history(practice, rng, measures, exams)


def _history(practice: DemoPractice, rng: random.Random, measures: Any, exams: list[Any]) -> Iterator[Model]:
    episode = exams[0].episode
    visits = sorted({e.saved_at.date() for e in exams})
    discharged = episode.status == "discharged"
    if discharged:
        visits.append(min(practice.today, visits[-1] + timedelta(days=rng.randint(14, 21))))
    timepoints = [Timepoint.INTAKE] + [Timepoint.PROGRESS] * (len(visits) - 1)
    # Most of the change comes early in a course of IMS: the second visit is already past half way.
    course = len(visits) + (0 if discharged else 1)
    if discharged:
        timepoints[-1] = Timepoint.DISCHARGE
        if len(visits) > 1 and rng.random() < DROP_OUT:  # never came back for the discharge forms
            visits, timepoints = visits[:-1], timepoints[:-1]
    improves = rng.random() < (IMPROVE_WITH if planted(exams[0].document) else IMPROVE_WITHOUT)
    start = rng.uniform(0.45, 0.8)  # disability at intake, 0 (none) to 1 (worst)
    end = start - (rng.uniform(0.3, 0.5) if improves else rng.uniform(-0.05, 0.1))
    activities = rng.sample(ACTIVITIES, k=rng.randint(3, 5))
    for n, (when, timepoint) in enumerate(zip(visits, timepoints, strict=True)):
        level = start + (end - start) * (n / max(1, course - 1)) ** 0.6
        for measure_id in default_measure_set(episode.condition, episode.regions):
            yield _score(rng, measures[measure_id], episode, timepoint, when, max(0.0, min(1.0, level)), activities)


def _score(
    rng: random.Random, measure: Measure, episode: Any, timepoint: str, when: date, level: float, activities: list[str]
) -> OutcomeScore:
    if measure.activities is not None:
        allowed = _numeric(measure.parts[0].values[0])
        responses: Any = {"activities": [{"name": a, "score": _pick(rng, allowed, level, measure.better)} for a in activities]}
    else:
        responses = {
            part.id: [_pick(rng, _numeric(part.allowed(i)), level, measure.better) for i in range(part.items)]
            for part in measure.parts
            if not part.optional
        }
        if rng.random() < UNSCORABLE:
            first = next(iter(responses.values()))
            first[: measure.missing.max_missing + 1] = [None] * (measure.missing.max_missing + 1)
    result = score(measure.id, responses).record()
    return OutcomeScore(
        episode=episode,
        measure=measure.id,
        timepoint=timepoint,
        taken_on=when,
        score=result["score"],
        subscales=result["subscales"],
        valid=result["valid"],
        reason=result["reason"] or "",
        responses=result["responses"],
        activity_names=result["activity_names"],
        instrument_version=result["instrument_version"],
        scoring_rule_version=result["scoring_rule_version"],
        missing_rule=result["missing_rule"],
        recorded_by=episode.clinician,
    )


@functools.cache
def _numeric(values: tuple[Any, ...]) -> tuple[int, ...]:
    """An item's allowed values as numbers, lowest first (asked once per item and visit: cached)."""
    return tuple(sorted(v for v in values if v != NOT_APPLICABLE))


def _pick(rng: random.Random, allowed: tuple[int, ...], level: float, better: str) -> int:
    """An item value for a disability ``level`` (0 none, 1 worst), with a patient's scatter."""
    quantile = level if better == "lower" else 1 - level
    index = round(quantile * (len(allowed) - 1) + rng.gauss(0, 0.12 * len(allowed)))
    return allowed[max(0, min(len(allowed) - 1, index))]
