"""Changes made in the Django admin are audited as the app's own are.

The admin reports every add, change and delete it makes through three methods of
``ModelAdmin`` (``log_addition``, ``log_change``, ``log_deletions``: Django's own
history), and saves inline rows in ``save_related``. Wrapping those four on the base
class once, from ``AuditConfig.ready``, covers every registered model (Django's User
and Group included, and any registered later) whatever its ModelAdmin, without a
mixin each admin class would have to remember.

``detail`` holds field names only, never values or ``str(obj)``: a record's text
could be patient data.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import wraps
from typing import Any

from django.contrib.admin import ModelAdmin
from django.db.models import Model
from django.http import HttpRequest

from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event

_INSTALLED = "_myotome_audited"


def install() -> None:
    """Wrap the admin's logging methods (once, however often the app registry is set up)."""
    if getattr(ModelAdmin, _INSTALLED, False):
        return
    ModelAdmin.log_addition = _after(ModelAdmin.log_addition, Action.CREATE)  # type: ignore[method-assign]
    ModelAdmin.log_change = _after(ModelAdmin.log_change, Action.UPDATE)  # type: ignore[method-assign]
    ModelAdmin.log_deletions = _deletions(ModelAdmin.log_deletions)  # type: ignore[method-assign]
    ModelAdmin.save_related = _inlines(ModelAdmin.save_related)  # type: ignore[method-assign]
    setattr(ModelAdmin, _INSTALLED, True)


def _after(log: Any, action: Action) -> Any:
    @wraps(log)
    def wrapper(self: ModelAdmin, request: HttpRequest, obj: Model, message: Any) -> Any:
        entry = log(self, request, obj, message)
        audit_admin_change(request, action, obj, _fields(message))
        return entry

    return wrapper


def _deletions(log: Any) -> Any:
    # Called before the rows are deleted, inside the admin's transaction for a single delete.
    @wraps(log)
    def wrapper(self: ModelAdmin, request: HttpRequest, queryset: Iterable[Model]) -> Any:
        objects = list(queryset)
        entries = log(self, request, objects)
        for obj in objects:
            audit_admin_change(request, Action.DELETE, obj)
        return entries

    return wrapper


def _inlines(save_related: Any) -> Any:
    @wraps(save_related)
    def wrapper(self: ModelAdmin, request: HttpRequest, form: Any, formsets: list[Any], change: bool) -> Any:
        # Deleting an inline row clears its pk: note what goes before it goes.
        doomed = [(f.instance, f.instance.pk) for fs in formsets for f in getattr(fs, "deleted_forms", []) if f.instance.pk is not None]
        result = save_related(self, request, form, formsets, change)
        parent = form.instance
        within = f"with {parent._meta.model_name} {parent.pk}"
        for formset in formsets:
            for obj in getattr(formset, "new_objects", []):
                audit_admin_change(request, Action.CREATE, obj, within=within)
            for obj, fields in getattr(formset, "changed_objects", []):
                audit_admin_change(request, Action.UPDATE, obj, list(fields), within=within)
        for obj, pk in doomed:
            audit_admin_change(request, Action.DELETE, obj, record_id=pk, within=within)
        return result

    return wrapper


def audit_admin_change(
    request: HttpRequest,
    action: Action,
    obj: Model,
    fields: list[str] | None = None,
    *,
    record_id: Any = None,
    within: str = "",
) -> None:
    verb = {Action.CREATE: "added", Action.UPDATE: "changed", Action.DELETE: "deleted"}[action]
    detail = f"admin: {verb}"
    if fields:
        detail += " " + ", ".join(fields)
    if within:
        detail += f" ({within})"
    record_event(
        request,
        action,
        record_type=obj._meta.model_name or "",
        record_id=obj.pk if record_id is None else record_id,
        detail=detail,
        clinic=_clinic_of(obj),
    )


def _clinic_of(obj: Model) -> Any:
    """The clinic a record belongs to, so that clinic's admins see the change in their log.

    A clinic record itself gets none: a row pointing at it would keep a clinic made by
    mistake from ever being deleted (audit rows protect what they name).
    """
    from myotome.clinic.accounts.models import Clinic

    clinic = getattr(obj, "clinic", None)
    return clinic if isinstance(clinic, Clinic) else None


def _fields(message: Any) -> list[str]:
    """The changed field labels from the admin's change message (a list of dicts; anything else says nothing)."""
    if not isinstance(message, list):
        return []
    for part in message:
        if isinstance(part, dict) and "changed" in part and "name" not in part["changed"]:
            return [str(label) for label in part["changed"].get("fields", [])]
    return []
