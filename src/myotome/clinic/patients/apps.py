from __future__ import annotations

from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "myotome.clinic.patients"
    label = "patients"
    verbose_name = "Patients"
