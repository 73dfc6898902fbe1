"""Episodes with measure histories, sessions, adverse events and exams, written row by row for the analytics tests.

    course(world.alice, "low_back_pain", scores=[(0, "intake", 40), (21, "discharge", 20)], sessions=[0, 7])

Days count from :data:`DAY0`; sessions start at 10:00 UTC, so their date is the same in any
clinic time zone the tests use. Sessions stay drafts (adverse events cannot be added to a
signed one), which the analytics count all the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from myotome.clinic.exams.models import Exam, ExamStatus
from myotome.clinic.outcomes.models import OutcomeScore
from myotome.clinic.patients.models import Episode, EpisodeStatus, Patient
from myotome.clinic.treatments.models import AdverseEvent, Insertion, SessionStep, TreatmentSession

DAY0 = date(2026, 3, 2)
REGIONS = {
    "low_back_pain": ["low_back"],
    "stiff_neck": ["posterior_neck"],
    "knee_osteoarthritis": ["knee"],
    "tennis_elbow": ["lateral_elbow"],
}


def on(day: int) -> date:
    return DAY0 + timedelta(days=day)


def at(day: int) -> datetime:
    return datetime.combine(on(day), time(10, 0), tzinfo=UTC)


def course(
    clinician: Any,
    condition: str,
    *,
    patient: Patient,
    scores: Sequence[tuple[int, str, float]] = (),
    sessions: Sequence[int] = (),
    discharged: bool = True,
    events: Sequence[str] = (),
    segments: Sequence[str] = (),
    findings: Sequence[dict[str, Any]] = (),
    grasp: bool = False,
    paraspinal: bool = False,
    measure: str | None = None,
) -> Episode:
    """An episode of ``condition`` with its primary measure's ``scores`` (day, timepoint, score), its ``sessions``
    (days; the adverse ``events``, by grade, go to the first), and a saved exam per top-ranked segment in
    ``segments`` (the first carries ``findings``), a day apart from day 0."""
    episode = Episode.objects.create(
        patient=patient,
        clinician=clinician,
        regions=REGIONS[condition],
        side="left",
        condition=condition,
        status=EpisodeStatus.DISCHARGED if discharged else EpisodeStatus.ACTIVE,
    )
    primary = measure or {"low_back_pain": "odi", "stiff_neck": "ndi", "knee_osteoarthritis": "lefs", "tennis_elbow": "prtee"}[condition]
    for day, timepoint, value in scores:
        OutcomeScore.objects.create(
            episode=episode, measure=primary, timepoint=timepoint, taken_on=on(day), score=value, valid=True, responses={},
            instrument_version="test", scoring_rule_version="test", missing_rule="test", recorded_by=clinician,
        )  # fmt: skip
    for n, segment in enumerate(segments):
        document = {
            "format": "1.1",
            "complaint": {"regions": episode.regions, "side": "left"},
            "findings": list(findings) if n == 0 else [],
        }
        Exam.objects.create(
            episode=episode, status=ExamStatus.SAVED, document=document, kb_version="test", created_at=at(n) - timedelta(hours=2),
            created_by=clinician, saved_at=at(n) - timedelta(hours=1), saved_by=clinician,
            result={"segments": [{"segment": segment, "side": "left", "score": 1.0}], "plan": {"steps": []}},
        )  # fmt: skip
    for n, day in enumerate(sessions):
        session = TreatmentSession.objects.create(episode=episode, practitioner=clinician, started_at=at(day))
        if n == 0:
            for grade in events:
                AdverseEvent.objects.create(session=session, kind="bruising", grade=grade, action_taken="Pressure.", recorded_by=clinician)
            step = SessionStep.objects.create(
                session=session, position=1, muscle_id="multifidus_lumbar", muscle_name="Multifidus", side="left",
                level="L5" if paraspinal else "", skipped="" if paraspinal else "declined",
            )  # fmt: skip
            if grasp:
                Insertion.objects.create(
                    session=session, step=step, key=f"test-{session.pk}", muscle_id="multifidus_lumbar", side="left",
                    response="grasp", recorded_by=clinician,
                )  # fmt: skip
    return episode
