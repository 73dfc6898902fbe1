"""Sessions in the admin: read-only, so that the admin is not a way round the lock."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from myotome.clinic.treatments.models import Addendum, Insertion, TreatmentSession


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TreatmentSession)
class SessionAdmin(ReadOnly):
    list_display = ["id", "episode", "practitioner", "status", "started_at", "signed_at"]


admin.site.register(Insertion, ReadOnly)
admin.site.register(Addendum, ReadOnly)
