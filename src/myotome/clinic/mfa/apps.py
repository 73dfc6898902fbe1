from __future__ import annotations

from django.apps import AppConfig


class MfaConfig(AppConfig):
    name = "myotome.clinic.mfa"
    label = "mfa"
    verbose_name = "Second factor"
