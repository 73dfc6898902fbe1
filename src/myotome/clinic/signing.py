"""Signed records: the lock that keeps a signed record as it was signed, and its addenda.

A signed treatment session and a saved (signed) exam follow one rule: nothing in them
changes, through any route. Three layers say so, each from here:

- the models: ``LockedQuerySet`` refuses ``update()`` and ``delete()`` of locked rows, and a
  model's ``save()`` calls ``refuse_if_locked`` (the stored row decides, not a stale copy);
- the database: ``lock_triggers`` and ``append_only_triggers`` build the SQLite and PostgreSQL
  triggers a migration installs with ``install`` (raw SQL and bulk updates meet them);
- corrections are addenda (``Addendum``): dated, named, never changed or removed.

DELETE is allowed only under audit maintenance (``myotome.clinic.audit.maintenance``, which
``flush`` turns on to empty the test database). SQLite drops a table's triggers when Django
rebuilds the table: a later migration that rebuilds a locked table must install them again
(the lock tests catch it)::

    migrations.RunPython(*install(lock_triggers("exams_exam", "{row}.status = 'saved'", SAVED)))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn, TypeVar

from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone

from myotome.clinic import input_limits as limits

# The audit maintenance switch, as each database reads it (audit migration 0004).
MAINTENANCE_SQLITE = "NOT EXISTS (SELECT 1 FROM audit_maintenance)"
MAINTENANCE_POSTGRES = "EXISTS (SELECT 1 FROM audit_maintenance WHERE txid = txid_current())"


class SignedRecordError(RuntimeError):
    """Something tried to change a signed record or one of its rows."""


def refuse(message: str) -> NoReturn:
    raise SignedRecordError(message)


# -- the models -------------------------------------------------------------------------------------


M = TypeVar("M", bound=models.Model)


class LockedQuerySet(models.QuerySet[M]):
    """A queryset that refuses to update a locked row and to delete any row.

    Subclasses name the lock: ``locked`` (a ``Q`` over their rows) and ``message``.
    Records are never deleted by the application; ``flush`` goes round the ORM.
    """

    locked: models.Q
    message: str

    def delete(self) -> NoReturn:
        refuse(self.message)

    def update(self, **kwargs: Any) -> int:
        if self.filter(self.locked).exists():
            refuse(self.message)
        return super().update(**kwargs)


def refuse_if_locked(queryset: LockedQuerySet[Any], pk: Any) -> None:
    """Refuse when the stored row ``pk`` is locked (a stale instance must not unlock a record)."""
    if pk is not None and queryset.filter(queryset.locked, pk=pk).exists():
        refuse(queryset.message)


class Addendum(models.Model):
    """A dated correction or addition to a signed record, by a named user. Never changed.

    Concrete addenda add the foreign key to their record (``related_name="addenda"``).
    """

    text = models.TextField(max_length=limits.NOTES)
    written_at = models.DateTimeField(default=timezone.now)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"Addendum {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            refuse("addenda cannot change: add another addendum")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        refuse("addenda cannot change: add another addendum")


class AddendumForm(limits.LimitedForm, forms.Form):
    text = forms.CharField(label="Addendum", max_length=limits.NOTES, widget=forms.Textarea(attrs={"rows": 3}))


# -- the database -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Triggers:
    """Statements that install (``up``) and remove (``down``) triggers, per database vendor."""

    up: dict[str, list[str]] = field(default_factory=dict)
    down: dict[str, list[str]] = field(default_factory=dict)


def lock_triggers(table: str, locked: str, message: str) -> Triggers:
    """Refuse UPDATE of a locked row of ``table``, and DELETE of one outside audit maintenance.

    ``locked`` is an SQL condition on ``{row}`` (``OLD`` in the trigger), e.g. ``"{row}.status = 'saved'"``.
    """
    old = locked.format(row="OLD")
    text = _quoted(message)
    function = f"{table}_refuse_locked"
    return Triggers(
        up={
            "sqlite": [
                f"CREATE TRIGGER {table}_locked_no_update BEFORE UPDATE ON {table} WHEN {old} BEGIN SELECT RAISE(ABORT, {text}); END",
                f"CREATE TRIGGER {table}_locked_no_delete BEFORE DELETE ON {table} "
                f"WHEN {old} AND {MAINTENANCE_SQLITE} BEGIN SELECT RAISE(ABORT, {text}); END",
            ],
            "postgresql": [
                f"""CREATE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND {MAINTENANCE_POSTGRES} THEN RETURN OLD; END IF;
    IF {old} THEN RAISE EXCEPTION {text}; END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql""",
                f"CREATE TRIGGER {table}_lock BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
            ],
        },
        down={
            "sqlite": [f"DROP TRIGGER IF EXISTS {table}_locked_no_update", f"DROP TRIGGER IF EXISTS {table}_locked_no_delete"],
            "postgresql": [f"DROP TRIGGER IF EXISTS {table}_lock ON {table}", f"DROP FUNCTION IF EXISTS {function}()"],
        },
    )


def append_only_triggers(table: str, message: str, *, parent: tuple[str, str, str] | None = None) -> Triggers:
    """Refuse any UPDATE of ``table`` and DELETE outside audit maintenance (rows are only added).

    ``parent`` = (foreign-key column, parent table, SQL condition on ``{row}``) also refuses an
    INSERT unless the parent row meets the condition (an addendum needs a signed record).
    """
    text = _quoted(message)
    function = f"{table}_refuse_change"
    sqlite = [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, {text}); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} WHEN {MAINTENANCE_SQLITE} BEGIN SELECT RAISE(ABORT, {text}); END",
    ]
    sqlite_down = [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    insert_check = ""
    ops = "UPDATE OR DELETE"
    if parent is not None:
        column, parent_table, condition = parent
        needs = _quoted(f"{message}: only a signed record takes one")
        meets = f"EXISTS (SELECT 1 FROM {parent_table} AS p WHERE p.id = NEW.{column} AND {condition.format(row='p')})"
        sqlite.append(
            f"CREATE TRIGGER {table}_parent_signed BEFORE INSERT ON {table} WHEN NOT {meets} BEGIN SELECT RAISE(ABORT, {needs}); END"
        )
        sqlite_down.append(f"DROP TRIGGER IF EXISTS {table}_parent_signed")
        insert_check = f"IF TG_OP = 'INSERT' THEN IF NOT {meets} THEN RAISE EXCEPTION {needs}; END IF; RETURN NEW; END IF;\n    "
        ops = "INSERT OR UPDATE OR DELETE"
    return Triggers(
        up={
            "sqlite": sqlite,
            "postgresql": [
                f"""CREATE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    {insert_check}IF TG_OP = 'DELETE' AND {MAINTENANCE_POSTGRES} THEN RETURN OLD; END IF;
    RAISE EXCEPTION {text};
END;
$$ LANGUAGE plpgsql""",
                f"CREATE TRIGGER {table}_append_only BEFORE {ops} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
            ],
        },
        down={
            "sqlite": sqlite_down,
            "postgresql": [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}", f"DROP FUNCTION IF EXISTS {function}()"],
        },
    )


def install(*triggers: Triggers) -> tuple[Callable[[Any, Any], None], Callable[[Any, Any], None]]:
    """The forward and backward functions of a ``RunPython`` that installs ``triggers``."""
    up = {vendor: [s for t in triggers for s in t.up.get(vendor, [])] for vendor in ("sqlite", "postgresql")}
    down = {vendor: [s for t in reversed(triggers) for s in t.down.get(vendor, [])] for vendor in ("sqlite", "postgresql")}
    return run_per_vendor(up), run_per_vendor(down)


def run_per_vendor(sql: dict[str, list[str]]) -> Callable[[Any, Any], None]:
    """A ``RunPython`` function that runs the statements listed for the connection's database."""

    def apply(apps: Any, schema_editor: Any) -> None:
        with schema_editor.connection.cursor() as cursor:
            for statement in sql.get(schema_editor.connection.vendor, []):
                cursor.execute(statement)

    return apply


def _quoted(message: str) -> str:
    return "'" + message.replace("'", "''") + "'"
