from __future__ import annotations

from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "myotome.clinic.outcomes"
    label = "outcomes"
    verbose_name = "Outcome measures"
