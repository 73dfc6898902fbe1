from __future__ import annotations

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "myotome.clinic.analytics"
    label = "analytics"
    verbose_name = "Practice analytics"
