"""Demo sessions: a step of :data:`myotome.clinic.demo.STEPS`, after the exams.

Each saved, cleared exam with a plan gets a session that day by the episode's clinician,
following the plan: mostly grasp with falling resistance ("rubber eraser" to "soft
butter"), some twitches and quiet muscles, a skipped step now and then, a few adverse
events, aftercare and a (done) follow-up call after thoracic needling. Sessions are signed,
some with addenda, except a recent one left in draft. Clinicians get needling credentials,
and consent is recorded by the practitioner on the first session's day (after assessment).

Sessions are inserted as drafts and signed together by the next step (``sign_rows``): the
database refuses rows added to a signed session (migration 0002).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db.models import F, Model

from myotome.clinic.exams import demo as exam_demo
from myotome.clinic.exams.models import Exam
from myotome.clinic.patients.models import Consent, ConsentMethod, EpisodeStatus
from myotome.clinic.treatments import service
from myotome.clinic.treatments.models import (
    Addendum,
    AdverseEvent,
    FollowUp,
    Insertion,
    NeedlingCredential,
    Profession,
    RangeMeasure,
    SessionStatus,
    SessionStep,
    TreatmentSession,
)

ADVERSE = [  # kind, grade, action, share of sessions (mild events as Brady 2014 and Boyce 2020 saw them, far rarer serious ones)
    ("bruising", "mild", "Pressure applied for one minute; explained it fades in days.", 0.07),
    ("bleeding", "mild", "Pressure with gauze until it stopped.", 0.04),
    ("increased_pain", "mild", "Heat and gentle movement advised; reviewed next visit.", 0.02),
    ("vasovagal", "significant", "Needling stopped; lay flat with legs raised; recovered in ten minutes, observed before leaving.", 0.005),
]
ADDENDA = [
    "Pain after was reported by phone the next day as 2/10, better than at the end of the session.",
    "Correction: the second insertion was at the left side, not the right.",
    "Patient rang: soreness settled within 48 hours as expected.",
]


def kept_exam_rows(practice: Any, number: int) -> Iterator[Model]:
    """The exams step's rows, kept by patient number for the sessions step (never queried back)."""
    kept = practice.exams_of.setdefault(number, [])
    for row in exam_demo.exam_rows(practice, number):
        if isinstance(row, Exam):
            kept.append(row)
        yield row


def session_rows(practice: Any, number: int) -> Iterator[Model]:
    """Patient ``number``'s sessions (and, on the first call, every clinician's credential)."""
    if number == 0:
        yield from _credentials(practice)
    rng: random.Random = practice.rng
    exams = [
        e for e in practice.exams_of.get(number, []) if e.result and e.result.get("cleared") and (e.result.get("plan") or {}).get("steps")
    ]
    consented: set[int] = set()
    for exam in exams:
        latest = exam is exams[-1]
        yield from _session(practice, rng, exam, latest, consented)


def _credentials(practice: Any) -> Iterator[Model]:
    admin = practice.users["ada"]
    for index, clinicians in enumerate(practice.clinicians):
        for user in clinicians:
            yield NeedlingCredential(
                user=user, clinic=practice.clinics[index], profession=Profession.PHYSIOTHERAPIST,
                registration=f"DN-{1000 + user.pk}", training="UBC Gunn IMS certificate", recorded_by=admin,
            )  # fmt: skip


def _session(practice: Any, rng: random.Random, exam: Exam, latest: bool, consented: set[int]) -> Iterator[Model]:
    episode = exam.episode
    who = episode.clinician
    started = (exam.saved_at or exam.created_at) + timedelta(minutes=5)
    if who.pk not in consented:  # consent to needling by this practitioner, after the assessment
        consented.add(who.pk)
        yield Consent(
            patient=episode.patient,
            given_on=started.date(),
            taken_by=who,
            method=ConsentMethod.WRITTEN,
            risks_explained=True,
            recorded_by=who,
        )
    session = TreatmentSession(pk=practice.new_id(TreatmentSession), episode=episode, exam=exam, practitioner=who, started_at=started)
    draft = latest and episode.status == EpisodeStatus.ACTIVE and rng.random() < 0.3  # today's session, not yet signed
    plan = exam.result["plan"]
    made = started + timedelta(minutes=8)
    count = 0
    for position, step in enumerate(plan["steps"][: plan.get("max_insertions") or 8], 1):
        row = SessionStep(
            pk=practice.new_id(SessionStep), session_id=session.pk, position=position, muscle_id=step["muscle"]["id"],
            muscle_name=step["muscle"]["name"], side=step["side"], level=step.get("level") or "", segment=step.get("segment") or "",
            needle_mm=step.get("needle_mm"), thoracic=bool(step.get("over_thorax")),
        )  # fmt: skip
        if rng.random() < 0.06:
            row.skipped = rng.choice(("declined", "not_tolerated", "not_needed"))
        yield row
        if row.skipped:
            continue
        for _ in range(2 if rng.random() < 0.15 else 1):
            count += 1
            made += timedelta(seconds=rng.randint(40, 120))
            yield _insertion(rng, session, row, count, made)
    yield from _measures(practice, rng, session, exam, episode)
    events = [a for a in ADVERSE if rng.random() < a[3]]
    for kind, grade, action, _ in events:
        yield AdverseEvent(session=session, kind=kind, grade=grade, action_taken=action, recorded_at=made, recorded_by=who)
    thoracic = any(s.get("over_thorax") for s in plan["steps"][: plan.get("max_insertions") or 8])
    if thoracic:
        session.aftercare = service.THORACIC_ADVICE
        due = started.date() + timedelta(days=1)
        done = due < practice.today
        yield FollowUp(
            session=session, clinic=episode.patient.clinic, due_on=due,
            reason=service.THORACIC_FOLLOW_UP, done_at=started + timedelta(days=1, hours=2) if done else None, done_by=who if done else None,
        )  # fmt: skip
    session.needles_out = count
    session.left_at = made + timedelta(minutes=rng.randint(5, 15))
    yield session
    if draft:
        practice.draft_sessions.add(session.pk)
    elif rng.random() < 0.1:
        yield Addendum(session=session, text=rng.choice(ADDENDA), written_at=session.left_at + timedelta(days=1), written_by=who)


def sign_rows(practice: Any, number: int) -> Iterator[Model]:
    """Sign every demo session but the drafts, once all are in (the step after "sessions"): the
    database refuses rows added to a signed session, and a batch inserts a model at a time."""
    if number == 0:
        TreatmentSession.objects.filter(status=SessionStatus.DRAFT).exclude(pk__in=practice.draft_sessions).update(
            status=SessionStatus.SIGNED, signed_at=F("left_at"), signed_by=F("practitioner")
        )
    yield from ()


def _insertion(rng: random.Random, session: TreatmentSession, step: SessionStep, n: int, made: Any) -> Insertion:
    roll = rng.random()
    response = "grasp" if roll < 0.72 else "twitch" if roll < 0.84 else "fasciculation" if roll < 0.88 else "none"
    before = rng.randint(6, 9) if response != "none" else rng.randint(2, 4)
    row = Insertion(
        session_id=session.pk, step_id=step.pk, key=f"demo-{session.pk}-{n}", muscle_id=step.muscle_id, side=step.side, level=step.level,
        thoracic=step.thoracic, needle_mm=step.needle_mm, gauge=rng.choice((0.25, 0.30)), technique="in_and_out", response=response,
        made_at=made, recorded_by_id=session.practitioner_id,
    )  # fmt: skip
    if response == "grasp":
        row.released = rng.random() < 0.85
        row.resistance_before, row.resistance_after = before, max(0, before - rng.randint(3, 6) if row.released else before - 1)
    elif rng.random() < 0.7:  # not everything is always measured: left empty, never a made-up value
        row.resistance_before = before
    if rng.random() < 0.8:
        row.discomfort = rng.randint(2, 7)
        row.seconds = rng.randint(4, 20)
    return row


def _measures(practice: Any, rng: random.Random, session: TreatmentSession, exam: Exam, episode: Any) -> Iterator[Model]:
    pain = episode.pain if episode.pain is not None else rng.randint(4, 8)
    session.pain_before = pain
    session.pain_after = max(0, pain - rng.choice((0, 1, 2, 2, 3)))
    values = {(f.get("side"), f.get("movement")): f.get("value") for f in exam.document.get("findings", []) if f.get("type") == "rom"}
    for movement, side, unit in service.restricted_movements(exam, practice.kb):
        name = practice.kb.movements[movement].name
        before = next((v for (s, m), v in values.items() if s == side and m and m.lower() == name.lower()), None)
        if before is None:
            continue
        after = int(before + rng.choice((0, 5, 10, 15)))
        yield RangeMeasure(session=session, movement=movement, side=side, before=int(before), after=after, unit=unit)
