"""A read-only view of the audit log and the anonymous-event counts for superusers: no add, change or delete."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from myotome.clinic.audit.models import AnonymousCount, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "clinic", "action", "record_type", "record_id", "owner_clinic", "remote_addr", "path"]
    list_filter = ["action", "clinic", "record_type"]
    search_fields = ["username", "record_id", "path"]
    date_hierarchy = "at"


@admin.register(AnonymousCount)
class AnonymousCountAdmin(ReadOnlyAdmin):
    list_display = ["hour", "address", "action", "count"]
    list_filter = ["action"]
    search_fields = ["address"]
    date_hierarchy = "hour"
