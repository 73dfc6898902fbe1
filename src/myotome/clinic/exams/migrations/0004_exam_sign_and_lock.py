"""Saving an exam signs it: a saved exam names its signer, cannot change, and takes addenda.

- Every saved exam stored without ``saved_by`` is signed by the user who created it
  (``saved_at`` is already its signing time); each gets an audit row. Only then may the
  constraint ``saved_exam_names_signer`` hold.
- ``ExamAddendum``: dated corrections by a named user, append-only.
- Database triggers (``myotome.clinic.signing``) refuse UPDATE of a saved exam, DELETE of one
  outside audit maintenance, any change to an addendum, and an addendum to a draft.

SQLite drops a table's triggers when Django rebuilds it: a later migration that rebuilds
``exams_exam`` or ``exams_examaddendum`` must install them again (the lock tests catch it).
The reverse drops the triggers first, so earlier migrations may rewrite saved exams again.
"""

from typing import Any

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from myotome.clinic.signing import append_only_triggers, install, lock_triggers

NAME = "exams.0004_exam_sign_and_lock"
SIGNED = "a saved exam is signed and cannot change: add an addendum, or copy it forward into a new exam"
TRIGGERS = install(
    lock_triggers("exams_exam", "{row}.status = 'saved'", SIGNED),
    append_only_triggers("exams_examaddendum", "exam addenda cannot change", parent=("exam_id", "exams_exam", "{row}.status = 'saved'")),
)


def sign_saved_exams(apps: Any, schema_editor: Any) -> None:
    exam_model = apps.get_model("exams", "Exam")
    event_model = apps.get_model("audit", "AuditEvent")
    unsigned = exam_model.objects.filter(status="saved", saved_by__isnull=True).select_related("episode__patient")
    events = [
        event_model(
            action="update",
            username="migration",
            clinic_id=exam.episode.patient.clinic_id,
            record_type="exam",
            record_id=str(exam.pk),
            path=f"migrate {NAME}",
            detail="signed by its author at its saved time (saved before exams named their signer)",
        )
        for exam in unsigned
    ]
    # A queryset update: the exam's updated_at stays the clinician's last edit.
    unsigned.update(saved_by=models.F("created_by"))
    event_model.objects.bulk_create(events)
    if schema_editor.connection.vendor == "postgresql":
        # PostgreSQL will not ALTER a table with deferred foreign-key checks pending (the update
        # above): check them now, then defer again as Django's constraints are declared.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0003_exam_notes"),
        ("audit", "0005_anonymous_count"),
        ("patients", "0004_episode_clinician_day"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(sign_saved_exams, migrations.RunPython.noop),
        migrations.CreateModel(
            name="ExamAddendum",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.TextField(max_length=10000)),
                ("written_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "ordering": ["written_at", "id"],
                "abstract": False,
            },
        ),
        migrations.AddConstraint(
            model_name="exam",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status", "draft"), models.Q(("saved_at__isnull", False), ("saved_by__isnull", False)), _connector="OR"
                ),
                name="saved_exam_names_signer",
            ),
        ),
        migrations.AddField(
            model_name="examaddendum",
            name="exam",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="addenda", to="exams.exam"),
        ),
        migrations.AddField(
            model_name="examaddendum",
            name="written_by",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name="examaddendum",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length("text"), 10000),
                name="exam_addendum_text_length",
            ),
        ),
        migrations.RunPython(*TRIGGERS),
    ]
