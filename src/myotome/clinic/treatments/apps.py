from __future__ import annotations

from django.apps import AppConfig


class TreatmentsConfig(AppConfig):
    name = "myotome.clinic.treatments"
    label = "treatments"  # not "sessions": that label is Django's own
    verbose_name = "Treatment sessions"
