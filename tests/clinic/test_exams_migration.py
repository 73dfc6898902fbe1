"""Migration 0002 for real: back to 0001, store format 1.0 exams, forward, check; and the reverse.

Run on SQLite by default and on PostgreSQL with DATABASE_URL (see conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.exams.models import Exam
from myotome.engine import assess
from myotome.exam import parse_assessment

from .conftest import World
from .migrating import latest, migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("exams", "0001_initial")]
MIGRATION = "exams.0002_assessment_format_1_1"
AFTER = ("exams", "0002_assessment_format_1_1")


@pytest.fixture
def before_0002() -> Iterator[Any]:
    """The exams app at 0001 (the Exam model of that state); the database ends migrated to the latest."""
    executor = migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE).apps.get_model("exams", "Exam")
    finally:
        migrate(latest())


def _document(findings: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"patient": {"age": 55}, "complaint": {"regions": ["neck"], "side": "right"}, "findings": findings, **extra}


def _paraspinal(level: str, side: str = "right", sign: str = "tender") -> dict[str, Any]:
    return {"type": "paraspinal", "level": level, "side": side, "sign": sign}


def _store(model: Any, world: World, document: dict[str, Any], *, saved: bool) -> Any:
    exam = model.objects.create(episode_id=world.episode.pk, document=document, kb_version="2026.11.1", created_by_id=world.alice.pk)
    if saved:
        exam.result = assess(document).to_json()
        for key in ("format", "notes"):  # a result stored before results named their format
            exam.result.pop(key)
        exam.status, exam.saved_at, exam.saved_by_id = "saved", timezone.now(), world.alice.pk
    exam.save()
    model.objects.filter(pk=exam.pk).update(updated_at=timezone.now() - timedelta(days=30))
    return model.objects.get(pk=exam.pk)


def test_every_stored_exam_is_converted_to_format_1_1_with_the_same_meaning(world: World, before_0002: Any) -> None:
    saved = _store(
        before_0002,
        world,
        _document(
            [
                _paraspinal("C6", sign="thickened"),
                {"type": "tender_band", "muscle": "Triceps brachii", "side": "right", "severity": 2},
                _paraspinal("C8"),
                {"type": "skin", "sign": "trophedema", "segment": "C8", "side": "right"},
                _paraspinal("C5-C6", "bilateral"),
            ],
            id="exam-x",
        ),
        saved=True,
    )
    draft = _store(before_0002, world, _document([_paraspinal("S3", "left"), _paraspinal("C7-C8"), _paraspinal("L5-S1")]), saved=False)
    current = _store(before_0002, world, _document([_paraspinal("C7-T1")], format="1.1"), saved=False)
    result = saved.result

    migrate(latest())

    converted = Exam.objects.get(pk=saved.pk)
    assert converted.document["format"] == "1.1" and converted.document["id"] == "exam-x"
    assert [f.get("level") for f in converted.document["findings"]] == ["C6", None, "C7-T1", None, "C5-C6"]
    assert converted.document["findings"][3]["segment"] == "C8"  # a skin sign's segment stays a root
    assert converted.result == result and "format" not in converted.result  # results are not rewritten
    assert converted.updated_at == saved.updated_at  # the clinician's last edit, not the migration's
    assert [f["level"] for f in Exam.objects.get(pk=draft.pk).document["findings"]] == ["S1", "C7", "L5-S1"]
    assert Exam.objects.get(pk=current.pk).document == current.document
    for exam in Exam.objects.all():
        parse_assessment(exam.document)
    events = AuditEvent.objects.filter(path=f"migrate {MIGRATION}").order_by("record_id")
    assert [(e.action, e.record_type, e.record_id, e.clinic_id, e.user_id) for e in events] == [
        (Action.UPDATE, "exam", str(pk), world.clinic_a.pk, None) for pk in sorted((saved.pk, draft.pk), key=str)
    ]
    assert events[0].detail == "document converted to assessment format 1.1 (3 paraspinal findings)"

    # The reverse: back to root segments (read with the model of 0001: later migrations add columns); what 1.0 wrote otherwise (S3, C7-C8) stays merged.
    migrate(BEFORE)
    assert [f.get("level") for f in before_0002.objects.get(pk=saved.pk).document["findings"]] == ["C6", None, "C8", None, "C5-C6"]
    assert "format" not in before_0002.objects.get(pk=saved.pk).document
    assert [f["level"] for f in before_0002.objects.get(pk=draft.pk).document["findings"]] == ["S1", "C7", "L5-S1"]
    assert [f["level"] for f in before_0002.objects.get(pk=current.pk).document["findings"]] == ["C8"]
    for exam in before_0002.objects.all():
        assert parse_assessment(exam.document).format is None


def test_a_document_that_cannot_be_converted_stops_the_migration_and_nothing_is_written(world: World, before_0002: Any) -> None:
    good = _store(before_0002, world, _document([_paraspinal("C8")]), saved=False)
    # Never valid, but stored as JSON by something other than the form.
    bad = _store(before_0002, world, _document([_paraspinal("C9")]), saved=False)
    with pytest.raises(RuntimeError, match=rf"cannot be converted to assessment format 1.1: exam {bad.pk}: 'C9' is not a format 1.0"):
        migrate(latest())
    assert before_0002.objects.get(pk=good.pk).document == good.document  # rolled back with the rest
    assert not AuditEvent.objects.filter(path=f"migrate {MIGRATION}").exists()
    before_0002.objects.filter(pk=bad.pk).update(document=_document([_paraspinal("C7")]))


def test_the_reverse_stops_at_a_document_that_format_1_0_cannot_hold(world: World, before_0002: Any) -> None:
    migrate(latest())
    plain = Exam.objects.create(episode=world.episode, document=_document([_paraspinal("C7-T1")], format="1.1"), created_by=world.alice)
    flagged = Exam.objects.create(
        episode=world.episode, document=_document([_paraspinal("L4-L5")], format="1.1", sphincter="yes"), created_by=world.alice
    )
    # Read with the model of 0002: the reverse of later migrations has dropped their columns.
    at_0002 = migrate([AFTER]).loader.project_state([AFTER]).apps.get_model("exams", "Exam")
    with pytest.raises(
        RuntimeError, match=rf"cannot be converted to assessment format 1.0: exam {flagged.pk}: format 1.0 cannot hold sphincter"
    ):
        migrate(BEFORE)
    assert at_0002.objects.get(pk=plain.pk).document == plain.document  # nothing was changed
    at_0002.objects.filter(pk=flagged.pk).delete()
