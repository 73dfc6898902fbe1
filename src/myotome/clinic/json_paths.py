"""Values inside a JSON column, read by the database: so that a list can show a few facts of a
large stored document without loading it (SQLite's json_* functions, PostgreSQL's jsonb operators)::

    Exam.objects.annotate(steps=JSONLength("result", "plan", "steps"), first=JSONValue("result", "segments", 0, "segment"))
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, F, Func, IntegerField

Path = tuple[str | int, ...]


def _sqlite_path(path: Path) -> str:
    return "$" + "".join(f"[{key}]" if isinstance(key, int) else f'."{key}"' for key in path)


class _AtPath(Func):
    def __init__(self, column: str, *path: str | int) -> None:
        super().__init__(F(column))
        self.path: Path = path

    def _column(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return sql, list(params)


class JSONValue(_AtPath):
    """The scalar at ``path`` in a JSON column (text, or a number on SQLite); None when absent."""

    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = self._column(compiler, connection)
        return f"json_extract({sql}, %s)", [*params, _sqlite_path(self.path)]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = self._column(compiler, connection)
        return f"({sql} #>> %s)", [*params, [str(key) for key in self.path]]


class JSONLength(_AtPath):
    """The length of the array at ``path`` in a JSON column; None when there is none."""

    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = self._column(compiler, connection)
        return f"json_array_length({sql}, %s)", [*params, _sqlite_path(self.path)]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = self._column(compiler, connection)
        # jsonb_typeof guards a plan stored as JSON null: jsonb_array_length refuses a non-array.
        return (
            f"(CASE WHEN jsonb_typeof({sql} #> %s) = 'array' THEN jsonb_array_length({sql} #> %s) END)",
            [*params, [str(k) for k in self.path], *params, [str(k) for k in self.path]],
        )
