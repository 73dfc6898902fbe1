"""Demo exams and plans: each consented episode gets one to three exams over its course.

The findings are written from the episode's condition the way a clinician would find
them: paraspinal signs at a vertebra or interspace that implicates one of its usual roots
(C7-T1 for C8), tender bands in its usual muscles and in other muscles of that myotome, a
skin sign in that dermatome, sometimes a reduced reflex, weakness or sensory change, and a
restricted range; later exams show the same picture improving. Saving signs an exam, and
about one saved exam in ten has an addendum the next day (a correction by its clinician).
Every document is built and assessed by ``service.py``, exactly as a saved exam is, a batch
at a time::

    Step("exams", exam_rows, prepare=start_exams)   # in myotome.clinic.demo.STEPS
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Model
from django.utils import timezone

from myotome.clinic.exams import catalogue, formats, service
from myotome.clinic.exams.findings import Band, ExamInput, Weak, ZoneSign
from myotome.clinic.exams.models import Exam, ExamAddendum
from myotome.clinic.patients.models import Episode, EpisodeStatus
from myotome.kb import KnowledgeBase

if TYPE_CHECKING:
    from myotome.clinic.demo import DemoPractice

UPPER = ("C5", "C6", "C7", "C8", "T1")
LOWER = ("L2", "L3", "L4", "L5", "S1", "S2")
ADDENDA = (
    "Correction: the patient reports the pain began after gardening, not lifting.",
    "Reflex re-tested at the end of the visit: as recorded.",
    "Addendum: the patient mentioned a recent change of pillow; reviewed next visit.",
    "Correction: range of motion measured in sitting, not standing.",
)
ADDENDUM_SHARE = 0.1
# Where a condition with every level (postural problems) is examined.
POSTURAL_LEVELS = ("C5", "C6", "T4", "L4", "L5")


def exam_rows(practice: DemoPractice, number: int) -> Iterator[Exam | ExamAddendum]:
    """The exams of patient ``number``'s episodes, if consented: a step of :data:`myotome.clinic.demo.STEPS`."""
    if number not in practice.consented:
        return
    rng, kb = practice.rng, practice.kb
    precautions = practice.precautions_of[number]
    first_session = True
    for episode in sorted(practice.episodes_of[number], key=lambda e: (e.onset_date or practice.today, e.pk)):
        if episode.clinician is None:
            continue
        count = rng.choice((2, 3)) if episode.status == EpisodeStatus.DISCHARGED else rng.choice((1, 1, 2, 3))
        dates = _dates(rng, episode, practice.today, count)
        data = _first_exam(rng, kb, episode, precautions)
        data.first_session, first_session = first_session, False
        previous = None
        for order, when in enumerate(dates):
            if order:
                data = _improved(rng, data)
            draft = order == count - 1 and order > 0 and episode.status == EpisodeStatus.ACTIVE and rng.random() < 0.2
            exam_id = practice.new_id(Exam)
            context = {"episode": episode, "kb": kb, "exam_id": exam_id, "precautions": precautions, "today": when.date()}
            exam = Exam(
                pk=exam_id, episode=episode, kb_version=kb.version, created_at=when, created_by=episode.clinician, copied_from=previous
            )
            if draft:
                exam.document = service.document(data, **context)
            else:  # validated and assessed in bulk by start_exams, before the batch is inserted
                exam.document = service.unchecked(data, **context)
                exam.saved_at = when + timedelta(minutes=20)
                exam.saved_by = episode.clinician
            previous = exam
            yield exam
            # A draw of its own, fixed by the exam: the practice's sequence (and so the rest of the demo) is unchanged.
            draw = _draw(exam_id)
            if not draft and draw < ADDENDUM_SHARE:
                text = ADDENDA[int(draw / ADDENDUM_SHARE * len(ADDENDA))]
                yield ExamAddendum(exam=exam, text=text, written_at=when + timedelta(days=1), written_by=episode.clinician)


_MASK64 = 2**64 - 1


def _draw(key: int) -> float:
    """A number in [0, 1) fixed by ``key``: splitmix64's finaliser, where seeding a Random per exam cost 70 us."""
    z = (key * 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return ((z ^ (z >> 31)) >> 11) / 2**53  # 53 bits: a float below 1


def start_exams(practice: DemoPractice, rows: list[Model]) -> Callable[[], None]:
    """Start validating and assessing the batch's saved exams (not drafts) on the engine's workers;
    the call returned gives each its document and result."""
    saved = [row for row in rows if isinstance(row, Exam) and row.saved_at is not None]
    checked = practice.assessor.start_checked([exam.document for exam in saved])

    def finish() -> None:
        pairs = checked()
        for exam, (document, _) in zip(saved, pairs, strict=True):
            exam.document = service.stored(document, exam.pk)
        service.finalise(saved, practice.kb, results=[result for _, result in pairs])

    return finish


def _dates(rng: random.Random, episode: Episode, today: object, count: int) -> list[datetime]:
    days = [timezone.localtime(episode.created_at).date()]  # the first exam on the episode's first visit
    for _ in range(count - 1):
        days.append(min(today, days[-1] + timedelta(days=rng.randint(7, 21))))  # type: ignore[type-var]
    hour = rng.choice((8, 9, 10, 11, 13, 14, 15, 16))
    return [timezone.make_aware(datetime.combine(d, time(hour, rng.choice((0, 15, 30, 45))))) for d in days]  # type: ignore[arg-type]


def _focus(rng: random.Random, kb: KnowledgeBase, episode: Episode) -> str:
    condition = kb.conditions.get(episode.condition)
    spinal = [s for s in (condition.segments.main if condition else ()) if s in kb.spinal_segments]
    if not spinal and condition is not None:
        spinal = [s for s in condition.segments.minor if s in kb.spinal_segments]
    if not spinal or len(spinal) > 8:
        spinal = list(POSTURAL_LEVELS)
    return rng.choice(spinal)


def _level_of(rng: random.Random, kb: KnowledgeBase, root: str) -> str:
    """A vertebral level that implicates the root (levels.yaml), or, below the last one (S2-S5), S1."""
    levels = [level.id for level in kb.levels_for(root)]
    return rng.choice(levels) if levels else formats.level_1_1(root)


def _sides(rng: random.Random, episode: Episode) -> list[str]:
    if episode.side in ("left", "right"):
        return [episode.side]
    return ["left", "right"] if episode.side == "bilateral" or rng.random() < 0.5 else [rng.choice(["left", "right"])]


def _first_exam(rng: random.Random, kb: KnowledgeBase, episode: Episode, precautions: list[str]) -> ExamInput:
    focus = _focus(rng, kb, episode)
    sides = _sides(rng, episode)
    limb = "upper" if focus in UPPER else "lower" if focus in LOWER else "axial"
    data = ExamInput()
    data.build = rng.choice(("slender", "average", "average", "muscular"))
    data.temperament = rng.choice(("calm", "calm", "anxious", "type_a"))
    # The demo clinician screens for red flags as every exam should: asked, none found; a chest
    # complaint has had its cardiac screen.
    data.sphincter = "no"
    if set(episode.regions) & set(kb.red_flags.regions["chest"]):
        data.cardiac_screen = "done"
    data.needle_fear = "needle_phobia" in precautions
    level = _level_of(rng, kb, focus)
    for side in sides:
        data.levels[(level, side)] = rng.choice(("tender", "thickened"))
        at = catalogue.LEVELS.index(level) + rng.choice((-1, 1))
        if 0 <= at < len(catalogue.LEVELS) and rng.random() < 0.5:
            data.levels[(catalogue.LEVELS[at], side)] = "tender"
    # Tender bands: the condition's usual muscles, then others of the same myotome.
    condition = kb.conditions.get(episode.condition)
    usual = [kb.muscles[i] for i in (condition.muscles if condition else ()) if i in kb.muscles and kb.muscles[i].rank != "paraspinal"]
    myotome = [
        mu
        for mu, level in kb.by_segment(focus)["muscles"]
        if level == "main" and mu.rank != "paraspinal" and (limb == "axial" or mu.limb == limb)
    ]
    chosen = rng.sample(usual, k=min(len(usual), rng.randint(2, 4))) + rng.sample(myotome, k=min(len(myotome), rng.randint(1, 2)))
    for muscle in dict.fromkeys(chosen):
        for side in sides:
            data.bands.append(Band(muscle.id, side, rng.choice((1, 2, 2, 3))))
    # Skin in the dermatome, sometimes a sensory change.
    zones = [r for r in kb.regions.values() if r.dermatomes and r.dermatomes[0] == focus]
    if zones:
        for side in sides:
            zone = rng.choice(zones)
            data.zones.append(ZoneSign(zone.id, side, "skin", rng.choice(("trophedema", "trophedema", "pilomotor", "vasomotor"))))
        # Sweating in the dermatome, on the painful side, drawn apart from the other skin signs: the
        # demo's measure histories plant their one prognostic effect on it (analytics/demo.py).
        if rng.random() < 0.3:
            data.zones.append(ZoneSign(rng.choice(zones).id, sides[0], "skin", "sudomotor"))
        # A sensory change on the painful side only: in both legs it would be a cauda equina red flag.
        if rng.random() < 0.35:
            data.zones.append(ZoneSign(rng.choice(zones).id, sides[0], "sensory", rng.choice(("reduced", "reduced", "altered"))))
    # Root signs: the reflex of that root reduced on the painful side, the others normal.
    for reflex in catalogue.reflexes(kb):
        # Pathological signs (Hoffmann, plantar response, clonus) are positive or negative, never "reduced": not root signs.
        if focus in reflex.roots.main and not reflex.pathological and rng.random() < 0.5:
            data.reflexes[(reflex.id, sides[0])] = "reduced"
            data.reflexes[(reflex.id, "left" if sides[0] == "right" else "right")] = "normal"
        elif (reflex.id in ("biceps_reflex", "triceps_reflex") and limb == "upper") or (
            reflex.id in ("patellar_reflex", "achilles_reflex") and limb == "lower"
        ):
            for side in catalogue.SIDES:
                data.reflexes.setdefault((reflex.id, side), "normal")
    weak = [mv for mv, level in kb.by_segment(focus)["movements"] if level == "main" and mv.kind == "joint"]
    if weak and rng.random() < 0.4:
        # MRC 4: a root sign; 3 or less in a key muscle is a red flag the demo's everyday caseload does not show.
        movement = rng.choice(weak).id
        grade = 4 if movement in kb.red_flags.key_movements else rng.choice((3, 4, 4))
        data.weakness.append(Weak("movement", movement, sides[0], grade))
    # Restricted range in a movement of that myotome.
    rows = [
        row
        for row in catalogue.rom_rows(kb)
        if focus in row.movement.roots.all or (limb == "axial" and row.group in ("Neck and jaw", "Trunk"))
    ]
    for row in rng.sample(rows, k=min(len(rows), rng.randint(1, 2))):
        for side in row.sides if row.sides == ("bilateral",) else sides:
            data.rom[(row.id, side)] = round(row.normal * rng.uniform(0.55, 0.85) / 5) * 5
    return data


def _improved(rng: random.Random, before: ExamInput) -> ExamInput:
    """The next exam of a course of treatment: bands softer, range better, skin settling."""
    after = ExamInput(
        build=before.build,
        temperament=before.temperament,
        needle_fear=before.needle_fear,
        first_session=False,
        reflexes=dict(before.reflexes),
        weakness=list(before.weakness),
        sphincter=before.sphincter,
        cardiac_screen=before.cardiac_screen,
    )
    after.bands = [Band(b.muscle_id, b.side, b.severity - 1 if rng.random() < 0.6 else b.severity) for b in before.bands]
    after.bands = [b for b in after.bands if b.severity > 0]
    after.zones = [z for z in before.zones if rng.random() < 0.6]
    after.levels = {k: v for k, v in before.levels.items() if rng.random() < 0.8}
    after.rom = {k: min(v * rng.uniform(1.05, 1.25), v + 40) for k, v in before.rom.items()}
    after.rom = {k: float(round(v / 5) * 5) for k, v in after.rom.items()}
    return after
