from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "myotome.clinic.accounts"
    label = "accounts"
    verbose_name = "Clinics and accounts"

    def ready(self) -> None:
        from myotome.clinic.accounts import signals  # noqa: F401  (connects the login receivers)
