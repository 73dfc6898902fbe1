"""Dates as the clinic writes them: shown and typed in one format, set for the installation.

``MYOTOME_DATE_FORMAT`` picks it: "d MMM yyyy" (28 Nov 2026, the default), "dd/mm/yyyy",
"mm/dd/yyyy" or "yyyy-mm-dd". Date fields are text inputs in that format, because a
browser's date picker follows the browser's locale (a US picker beside "28 Nov 2026").
ISO dates (2026-11-28) are read in every format: nothing else is ambiguous with them::

    shown(date(2026, 11, 28))          # "28 Nov 2026"
    ClinicDateField(label="Date of birth").clean("28 Nov 2026")   # date(2026, 11, 28)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import dateformat

from myotome.clinic import input_limits

ISO = "%Y-%m-%d"


@dataclass(frozen=True)
class DateFormat:
    display: str  # Django's date filter format, for pages
    entry: str  # how a stored date is written into its input
    reads: tuple[str, ...]  # the strptime formats an input is read with
    example: str  # 28 Nov 2026 written this way
    words: str  # the order, in words, for error messages


FORMATS = {
    "d MMM yyyy": DateFormat("j M Y", "%d %b %Y", ("%d %b %Y", "%d %B %Y", ISO), "28 Nov 2026", "day, month name, year"),
    "dd/mm/yyyy": DateFormat("d/m/Y", "%d/%m/%Y", ("%d/%m/%Y", ISO), "28/11/2026", "day/month/year"),
    "mm/dd/yyyy": DateFormat("m/d/Y", "%m/%d/%Y", ("%m/%d/%Y", ISO), "11/28/2026", "month/day/year"),
    "yyyy-mm-dd": DateFormat("Y-m-d", ISO, (ISO,), "2026-11-28", "year-month-day"),
}


def current() -> DateFormat:
    return FORMATS[settings.MYOTOME_DATE_FORMAT]


def shown(value: date | datetime | None) -> str:
    """A date (or the day of a date and time) in the clinic's format; empty for None."""
    return "" if value is None else str(dateformat.format(value, current().display))


def parse(text: str) -> date | None:
    """The date ``text`` holds in the clinic's format (or ISO), or None."""
    for pattern in current().reads:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


class ClinicDateInput(forms.DateInput):
    """A text input showing its date in the clinic's format, with the format as its placeholder."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "spellcheck": "false", "class": "date-input", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", current().example)
        return context

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, date):
            return value.strftime(current().entry)
        return super().format_value(value)


class ClinicDateField(forms.DateField):
    """A date typed in the clinic's format; an error names the field, the value and the format."""

    widget = ClinicDateInput

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        found = parse(str(value))
        if found is None:
            written = current()
            raise ValidationError(
                f"{self.label}: '{input_limits.shown(str(value))}' is not a date; write it as {written.example} ({written.words}).",
                code="invalid",
            )
        return found
