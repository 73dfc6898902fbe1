"""Every stored exam document (drafts and saved exams) in assessment format 1.1.

Format 1.0 wrote a paraspinal level as root segments; 1.1 writes the vertebra or
interspace (``myotome.clinic.exams.formats``, which this migration's meaning is fixed to):

- a root with a vertebra of its name (C1-C7, T1-T12, L1-L5, S1) becomes that vertebra,
  which implicates that root alone (levels.yaml), so the localisation is the same;
- C8 becomes C7-T1, the interspace where the C8 root leaves;
- S2-S5 become S1: the sacrum below S1 is fused and 1.1 has no level there. The finding
  itself is kept, nothing is deleted; only the level is merged into S1;
- two adjacent roots "A-B" become the interspace A-B, which is what clinicians meant by
  them, where it exists; otherwise (C7-C8, C8-T1, S1-S2 ...) the upper root's level.

Every finding keeps its place, so a stored result's "finding 3" names the same finding.
Documents already in 1.1 are left alone. Stored results are not rewritten: each keeps the
knowledge-base version and the reading that produced it (a result from a 1.0 document
has no "format"; the exam page says it was assessed as 1.0). Each converted exam gets an
audit row (counts only). A document that cannot be converted stops the migration, naming
the exams, and nothing is written.

The reverse turns 1.1 documents back into 1.0 (vertebra -> root, interspace -> root pair,
C7-T1 -> C8, C0-C1 -> C1). Levels merged on the way in (S2-S5, C7-C8) do not come back,
and a document using what 1.0 cannot hold (the red-flag screen, a trimester, a positive
or negative sign, a lack of extension) stops the reverse, naming the exams.
"""

from collections.abc import Callable
from typing import Any

from django.db import migrations, models

from myotome.clinic.exams import formats

NAME = "exams.0002_assessment_format_1_1"
BATCH = 500


def _convert(apps: Any, convert: Callable[[dict[str, Any]], dict[str, Any] | None], to: str) -> None:
    exam_model = apps.get_model("exams", "Exam")
    event_model = apps.get_model("audit", "AuditEvent")
    ids = list(exam_model.objects.order_by("pk").values_list("pk", flat=True))
    problems: list[str] = []
    # The migration runs in one transaction: rows converted before a problem is found are
    # rolled back with it, so a stopped run leaves every document as it was.
    for start in range(0, len(ids), BATCH):
        batch = exam_model.objects.filter(pk__in=ids[start : start + BATCH]).select_related("episode__patient").order_by("pk")
        changed, events = [], []
        for exam in batch:
            try:
                document = convert(exam.document) if isinstance(exam.document, dict) else None
            except ValueError as exc:
                problems.append(f"exam {exam.pk}: {exc}")
                continue
            if document is None:
                continue
            exam.document = document
            changed.append(exam)
            levels = sum(1 for f in document.get("findings") or [] if isinstance(f, dict) and f.get("type") == "paraspinal")
            events.append(
                event_model(
                    action="update",
                    username="migration",
                    clinic_id=exam.episode.patient.clinic_id,
                    record_type="exam",
                    record_id=str(exam.pk),
                    path=f"migrate {NAME}"[:500],
                    detail=f"document converted to assessment format {to} ({levels} paraspinal finding{'s' * (levels != 1)})",
                )
            )
        # A queryset update: the exam's updated_at stays the clinician's last edit.
        exam_model.objects.bulk_update(changed, ["document"])
        event_model.objects.bulk_create(events)
    if problems:
        shown = "; ".join(problems[:20]) + (f"; and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise RuntimeError(
            f"Exam documents cannot be converted to assessment format {to}: {shown}. Nothing was changed; "
            "correct these exams with the release that stored them, then migrate again."
        )


def to_1_1(apps: Any, schema_editor: Any) -> None:
    _convert(apps, formats.document_1_1, "1.1")


def to_1_0(apps: Any, schema_editor: Any) -> None:
    _convert(apps, formats.document_1_0, "1.0")


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0001_initial"),
        ("audit", "0005_anonymous_count"),
    ]

    operations = [
        migrations.AlterField(
            model_name="exam",
            name="document",
            field=models.JSONField(help_text="The assessment document (myotome.exam), format 1.1."),
        ),
        migrations.AlterField(
            model_name="exam",
            name="result",
            field=models.JSONField(
                blank=True, help_text="The engine's result (myotome.engine), with the plan; empty for a draft.", null=True
            ),
        ),
        migrations.RunPython(to_1_1, to_1_0),
    ]
