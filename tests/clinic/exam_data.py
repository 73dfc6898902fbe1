"""Exams for the exam tests: a tennis-elbow picture, posted as the form posts it or stored directly.

The findings are a textbook C6 radiculopathy on the right (tender bands in ECRB and
supinator, paraspinal thickening at C6, a reduced brachioradialis reflex, trophedema
over the lateral forearm, restricted shoulder abduction), so the engine's answer is known.
Documents are format 1.1, as the form writes them: the C6 level is the C6 vertebra.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from myotome.clinic.exams import service
from myotome.clinic.exams.findings import Band, ExamInput, ZoneSign
from myotome.clinic.exams.models import Exam
from myotome.clinic.patients.models import Episode
from myotome.kb import load_kb

# What the exam form posts for the C6 picture (the chart's hidden inputs and the tables' fields).
C6_POST: dict[str, Any] = {
    "band": ["extensor_carpi_radialis_brevis:right", "supinator:right"],
    "severity_extensor_carpi_radialis_brevis_right": "3",
    "severity_supinator_right": "2",
    "zone": ["lateral_forearm:right:skin:trophedema"],
    "para_C6_right": "thickened",
    "reflex_brachioradialis_reflex_right": "reduced",
    "reflex_brachioradialis_reflex_left": "normal",
    "rom_shoulder_abduction_right": "120",
    "weak_name": ["wrist extension", ""],
    "weak_side": ["right", "right"],
    "weak_grade": ["4", ""],
    "build": "average",
    "temperament": "anxious",
    "first_session": "on",
    "action": "save",
}


def c6_input() -> ExamInput:
    return ExamInput(
        bands=[Band("extensor_carpi_radialis_brevis", "right", 3), Band("supinator", "right", 2)],
        zones=[ZoneSign("lateral_forearm", "right", "skin", "trophedema")],
        rom={("shoulder_abduction", "right"): 120.0},
        reflexes={("brachioradialis_reflex", "right"): "reduced"},
        levels={("C6", "right"): "thickened"},
        build="average",
    )


def make_exam(
    episode: Episode, user: Any, data: ExamInput | None = None, *, saved: bool = True, stored: Callable[[Exam], None] | None = None
) -> Exam:
    """An exam stored the way the exam view stores it (through exams/service.py: document, result, KB version).

    ``stored`` changes the exam just before it is written: a result as an older release stored
    it, say (a saved exam is signed and cannot change afterwards).
    """
    kb = load_kb()
    document = service.document(data or c6_input(), episode=episode, kb=kb)
    exam = Exam.objects.create(episode=episode, document=document, kb_version=kb.version, created_by=user)
    exam.document = service.named(document, exam.pk)
    if saved:
        service.finalise([exam], kb, by=user, at=timezone.now())
    if stored is not None:
        stored(exam)
    exam.save()
    return exam
