from __future__ import annotations

from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "myotome.clinic.exams"
    label = "exams"
    verbose_name = "Exams and plans"
