"""What a session does, for the views and the demo: start it from an exam, record what was
needled, check it can be signed, sign it. Views check who may call; this module keeps the
record consistent (one transaction per change, audit rows written by the views inside it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from myotome import needling
from myotome.clinic.exams.models import Exam, ExamStatus
from myotome.clinic.patients.models import Patient
from myotome.clinic.treatments.models import (
    CptRule,
    FollowUp,
    Insertion,
    RangeMeasure,
    SessionStatus,
    SessionStep,
    TreatmentSession,
    TreatmentSettings,
)
from myotome.kb import KnowledgeBase
from myotome.kb import search as kb_names

THORACIC_FOLLOW_UP = "Thoracic needling yesterday: ask about breathlessness, chest pain or a dry cough."
#: The advice given after thoracic needling (reference file (b): onset can take hours).
THORACIC_ADVICE = (
    "Thoracic needling: go to the emergency department or call emergency services at once if breathlessness, "
    "fast breathing, chest pain, a dry cough or blue lips start, even hours later or the next day."
)
PNEUMOTHORAX_ADVICE = (
    "Suspected pneumothorax: stop needling; call emergency services (911 / 999 / 112) and arrange transfer to an "
    "emergency department; sit the patient upright, give oxygen if trained and available, and stay with them."
)


def lung_zone(step: dict[str, Any]) -> bool:
    """A plan step whose muscle carries a lung caution in the knowledge base."""
    return any(c.get("kind") == "lung" for c in step.get("cautions", []))


def offered_steps(exam: Exam, settings: TreatmentSettings) -> list[dict[str, Any]]:
    """The plan's steps in order, without lung-zone steps when the clinic forbids thoracic needling."""
    steps = list(((exam.result or {}).get("plan") or {}).get("steps", []))
    return [s for s in steps if not (settings.forbid_thoracic and lung_zone(s))]


def exam_cleared(exam: Exam) -> bool:
    """The red-flag screen lets a session start. Results saved before ``cleared`` existed count
    as cleared only with no red flag and a plan that was not withheld."""
    result = exam.result or {}
    if exam.status != ExamStatus.SAVED:
        return False
    if "cleared" in result:
        return bool(result["cleared"])
    return not result.get("red_flags") and not (result.get("plan") or {}).get("blocked")


def restricted_movements(exam: Exam, kb: KnowledgeBase) -> list[tuple[str, str, str]]:
    """(movement id, side, unit) of the exam's range findings below the KB's normal (or with no normal)."""
    out = []
    for f in exam.document.get("findings", []):
        found = kb_names.resolve(kb, "movement", str(f.get("movement", ""))) if f.get("type") == "rom" else None
        if found is None or not found.ok:
            continue
        normal = found.record.normal
        value = float(f["value"])
        if normal is None or (value < 0 if normal.value == 0 else value < normal.value):
            out.append((found.record.id, f["side"], f.get("unit", "deg")))
    return out


def readiness(user: Any, clinic_id: int, exam: Exam, credentialed: bool, settings: TreatmentSettings) -> needling.Readiness:
    """The start panel's verdict for ``user`` and this exam's plan."""
    episode = exam.episode
    patient = episode.patient
    first = (
        Exam.objects.filter(episode__patient=patient, status=ExamStatus.SAVED)
        .order_by("saved_at")
        .values_list("saved_at", flat=True)
        .first()
    )
    consents = [
        needling.ConsentOnFile(c.given_on, str(c.taken_by_id), c.taken_by.get_full_name() or c.taken_by.get_username())
        for c in patient.consents.filter(withdrawn_on__isnull=True).select_related("taken_by")
    ]
    last_thoracic = Insertion.objects.filter(session__episode__patient=patient, thoracic=True).aggregate(last=Max("made_at"))["last"]
    facts = needling.SessionFacts(
        first_assessed_on=_local_date(first) if first else _local_date(exam.created_at),
        exam_on=_local_date(exam.saved_at or exam.created_at),
        episode_started_on=_local_date(episode.created_at),
        episode_regions=", ".join(episode.regions) or "no region named",
        cleared=exam_cleared(exam),
        thoracic_planned=any(s.get("over_thorax") for s in offered_steps(exam, settings)),
        thoracic_needled_since=_local_date(last_thoracic) if last_thoracic else None,
        precautions=[needling.NewPrecaution(p.kind.replace("_", " "), _local_date(p.recorded_at)) for p in patient.active_precautions()],
    )
    return needling.readiness(needling.Practice(str(user.pk), credentialed), consents, facts)


def _local_date(moment: Any) -> date:
    return timezone.localtime(moment).date()


@transaction.atomic
def start_session(
    exam: Exam, user: Any, settings: TreatmentSettings, kb: KnowledgeBase, copy: TreatmentSession | None = None
) -> TreatmentSession:
    """A draft session for the exam's episode with the plan's steps in order (or the steps of
    ``copy``, the last session: steps, never responses), and the restricted movements to measure."""
    session = TreatmentSession.objects.create(episode=exam.episode, exam=exam, practitioner=user, copied_from=copy)
    if copy is not None:
        rows = [
            SessionStep(
                session=session,
                position=n,
                muscle_id=s.muscle_id,
                muscle_name=s.muscle_name,
                side=s.side,
                level=s.level,
                segment=s.segment,
                needle_mm=s.needle_mm,
                thoracic=s.thoracic,
                source="copy",
            )
            for n, s in enumerate(copy.steps.all(), 1)
            if not (settings.forbid_thoracic and _lung_muscle(kb, s.muscle_id))
        ]
    else:
        rows = [
            SessionStep(
                session=session,
                position=n,
                muscle_id=s["muscle"]["id"],
                muscle_name=s["muscle"]["name"],
                side=s["side"],
                level=s.get("level") or "",
                segment=s.get("segment") or "",
                needle_mm=s.get("needle_mm"),
                thoracic=bool(s.get("over_thorax")),
                source="plan",
            )
            for n, s in enumerate(offered_steps(exam, settings), 1)
        ]
    SessionStep.objects.bulk_create(rows)
    RangeMeasure.objects.bulk_create(
        [RangeMeasure(session=session, movement=m, side=side, unit=unit) for m, side, unit in restricted_movements(exam, kb)]
    )
    return session


def _lung_muscle(kb: KnowledgeBase, muscle_id: str) -> bool:
    muscle = kb.muscles.get(muscle_id)
    return muscle is not None and any(c.kind == "lung" for c in muscle.cautions)


def last_session(patient: Patient, before: TreatmentSession | None = None) -> TreatmentSession | None:
    sessions = TreatmentSession.objects.filter(episode__patient=patient)
    if before is not None:
        sessions = sessions.exclude(pk=before.pk)
    return sessions.order_by("-started_at", "-id").first()


@dataclass(frozen=True)
class Billing:
    muscles: int
    code: str | None
    rule: str


def billing(session: TreatmentSession, settings: TreatmentSettings) -> Billing:
    pairs = session.insertions.values_list("muscle_id", "side").distinct()
    count_sides = settings.cpt_rule == CptRule.MUSCLE_SIDES
    muscles = needling.distinct_muscles(pairs, count_sides=count_sides)
    return Billing(muscles, needling.cpt_code(muscles), CptRule(settings.cpt_rule).label)


def sign_problems(session: TreatmentSession) -> list[str]:
    """Why the session cannot be signed yet (empty: it can)."""
    problems = []
    needles_in = session.insertions.count()
    if session.needles_out is None:
        problems.append(f"Count the needles out: {needles_in} went in.")
    elif session.needles_out != needles_in:
        problems.append(f"Needles in ({needles_in}) and out ({session.needles_out}) differ: find every needle before signing.")
    if session.insertions.filter(thoracic=True).exists() and not session.aftercare.strip():
        problems.append("A thoracic-zone muscle was needled: record the aftercare advice given.")
    if session.left_at is None:
        problems.append("Record when the patient left (Patient left now).")
    return problems


@transaction.atomic
def sign(session: TreatmentSession, user: Any) -> None:
    now = timezone.now()
    session.status = SessionStatus.SIGNED
    session.signed_at = now
    session.signed_by = user
    session.save()


def ensure_thoracic_follow_up(session: TreatmentSession, clinic_id: int) -> bool:
    """A next-day call after thoracic needling (once per session). True when one was made now."""
    _, made = FollowUp.objects.get_or_create(
        session=session,
        reason=THORACIC_FOLLOW_UP,
        defaults={"clinic_id": clinic_id, "due_on": timezone.localdate() + timedelta(days=1)},
    )
    return made
