"""Hot read queries whose SQL Django compiles once per process and database connection.

Django builds and compiles every QuerySet anew: 0.2-0.5 ms of Python for a lookup that SQLite
answers in tens of microseconds. The queries every request makes (its session, its user, the
user's memberships and second-factor device) and each page's lookups by id differ only in their
values, so a :class:`Prepared` query is compiled once, with placeholder values, and then run with
each call's values in their places; its rows become model instances as Django's own iterator
makes them (``select_related``, ``defer`` and annotations included)::

    MEMBERSHIPS = Prepared(lambda user_id: Membership.objects.filter(user_id=user_id).select_related("clinic"), int)
    MEMBERSHIPS(user.pk)  # -> [Membership, ...], the objects the QuerySet gives
    MEMBERSHIPS.first(user.pk)  # -> the first, or None

The query's shape must not depend on its arguments (no ``if`` on them, no lists of varying
length). Each argument is an int, a str or a date, declared after ``build``, and must reach the
SQL unchanged: a lookup that rewrites its value (``icontains`` adds wildcards) is refused when the
query is first compiled, as is a queryset that yields something else than model instances or
prefetches. Ints are compared for equality: one beyond 64 bits matches no row and is not sent.
tests/clinic/test_prepared.py holds every prepared query of the app to its QuerySet's answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators
from django.utils.functional import cached_property

M = TypeVar("M", bound=Model)

# Placeholder values: a value no real query asks for, told apart from each other by position.
_INT_PLACEHOLDER = -1_947_000_000  # within 32 bits: some ids are 32-bit on PostgreSQL (auth_user)
_STR_PLACEHOLDER = "\x00myotome-prepared-"
_DATE_PLACEHOLDER = date(1900, 1, 1)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class PreparedQueryError(ValueError):
    """The queryset cannot be run from SQL compiled once (said when it is first compiled)."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int, Callable[[Any], Any] | None], ...]  # (position in params, argument index, how the value is adapted)
    compiler: Any
    model: type[Model]
    init_list: tuple[str, ...]
    model_start: int
    model_end: int
    populators: tuple[Any, ...]
    annotations: tuple[tuple[str, int], ...]
    converters: dict[int, Any]


class Prepared(Generic[M]):
    """A read query built by ``build(*args)``, compiled on first use on each connection."""

    every: ClassVar[list[Prepared[Any]]] = []  # for the tests: each one is held to its QuerySet's answers

    def __init__(self, build: Callable[..., QuerySet[M]], *kinds: type):
        self._build = build
        self.kinds = kinds  # int, str or date: one per argument
        Prepared.every.append(self)

    def __call__(self, *args: Any, using: str = DEFAULT_DB_ALIAS) -> list[M]:
        if len(args) != len(self.kinds) or any(type(a) is not k for a, k in zip(args, self.kinds, strict=True)):
            raise TypeError(f"prepared query takes ({', '.join(k.__name__ for k in self.kinds)}), given {args!r}")
        if any(type(a) is int and not _INT64_MIN <= a <= _INT64_MAX for a in args):
            return []  # no integer column holds it: Django's lookups answer nothing too (and the driver would refuse it)
        connection = connections[using]
        compiled = self._compiled(connection, using)
        params = list(compiled.params)
        for position, index, adapt in compiled.slots:
            params[position] = args[index] if adapt is None else adapt(args[index])
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return self._objects(compiled, rows, using)

    def first(self, *args: Any, using: str = DEFAULT_DB_ALIAS) -> M | None:
        found = self(*args, using=using)
        return found[0] if found else None

    def __repr__(self) -> str:
        return f"Prepared({self.model.__name__}: {self.queryset(*self._placeholders()).query})"

    @cached_property
    def model(self) -> type[M]:
        return self._build(*self._placeholders()).model

    def queryset(self, *args: Any) -> QuerySet[M]:
        """The plain QuerySet these arguments stand for (what the tests compare with)."""
        return self._build(*args)

    def _compiled(self, connection: Any, using: str) -> _Compiled:
        # Kept on the connection object: one per thread and database, as Django keeps connections.
        cache: dict[Prepared[Any], _Compiled] = connection.__dict__.setdefault("_myotome_prepared", {})
        compiled = cache.get(self)
        if compiled is None:
            compiled = cache[self] = self._compile(connection, using)
        return compiled

    def _placeholders(self) -> list[Any]:
        made: list[Any] = []
        for i, kind in enumerate(self.kinds):
            if kind is int:
                made.append(_INT_PLACEHOLDER - i)
            elif kind is str:
                made.append(f"{_STR_PLACEHOLDER}{i}")
            elif kind is date:
                made.append(_DATE_PLACEHOLDER + timedelta(days=i))
            else:
                raise PreparedQueryError(f"argument {i + 1} is a {kind.__name__}; prepared queries take int, str or date")
        return made

    def _compile(self, connection: Any, using: str) -> _Compiled:
        placeholders = self._placeholders()
        queryset = self._build(*placeholders)
        if queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise PreparedQueryError("a prepared query yields model instances, without prefetch_related or related managers")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if compiler.has_extra_select:
            raise PreparedQueryError("a prepared query selects only its model's columns and annotations")
        slots = _slots(params, placeholders, connection.ops.adapt_datefield_value)
        klass_info = compiler.klass_info
        select = compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slots=slots,
            compiler=compiler,
            model=klass_info["model"],
            init_list=tuple(column[0].target.attname for column in select[start:end]),
            model_start=start,
            model_end=end,
            populators=tuple(get_related_populators(klass_info, select, using)),
            annotations=tuple(compiler.annotation_col_map.items()),
            converters=compiler.get_converters([column[0] for column in select[: compiler.col_count]]),
        )

    @staticmethod
    def _objects(compiled: _Compiled, rows: Sequence[Any], using: str) -> list[M]:
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        found = []
        for row in rows:
            obj = compiled.model.from_db(using, compiled.init_list, row[compiled.model_start : compiled.model_end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found


def _slots(params: Sequence[Any], placeholders: list[Any], adapt_date: Callable[[Any], Any]) -> tuple[tuple[int, int, Any], ...]:
    """Where each argument's placeholder sits in the compiled parameters; every one must be there, unchanged
    (a date as the database takes dates)."""
    slots = []
    for index, placeholder in enumerate(placeholders):
        adapt = adapt_date if type(placeholder) is date else None
        expected = placeholder if adapt is None else adapt(placeholder)
        positions = [p for p, value in enumerate(params) if type(value) is type(expected) and value == expected]
        if not positions:
            raise PreparedQueryError(f"argument {index + 1} does not reach the SQL unchanged (a lookup rewrites it)")
        slots.extend((position, index, adapt) for position in positions)
    if any(isinstance(v, str) and _STR_PLACEHOLDER in v and v not in placeholders for v in params):
        raise PreparedQueryError("an argument reaches the SQL changed (a lookup rewrites it)")
    return tuple(slots)
