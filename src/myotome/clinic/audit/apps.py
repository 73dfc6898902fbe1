from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "myotome.clinic.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from myotome.clinic.audit import admin_log

        admin_log.install()
