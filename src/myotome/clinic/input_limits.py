"""Limits on what people type: how long free text may be and which characters it may
hold, the window a recorded date must fall in, and the range of a whole number.

One policy, defined here and used by every form and every model that stores free text.
A form follows it by mixing in ``LimitedForm``; a model takes its lengths from here
and gets database checks for them from ``length_checks``::

    class ThingForm(input_limits.LimitedForm, forms.ModelForm):
        ...
    notes = models.TextField(max_length=input_limits.NOTES, blank=True)
    constraints = [*input_limits.length_checks("thing", notes=input_limits.NOTES)]

``LimitedForm`` gives every text field a length (its own, else ``LINE`` or ``NOTES``
for a text area) and refuses control characters (a text area may hold line breaks and
tabs); every date must fall between ``EARLIEST_DATE`` and tomorrow; every whole number
must fit in 64 bits. Each refusal names the field, the value and what would be right.
A hand-written form (the exam form) calls ``text_problem`` and ``date_problem``; an id
read from a post by hand goes through ``parse_record_id``, which never raises.

A new kind of text takes a new length here, named for what it holds. A date that is
planned rather than recorded (an appointment) needs a window of its own, added here.
tests/clinic/test_form_fuzz.py finds every form on the clinic's pages and posts hostile
values to it, so a form that skips the policy is found there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.forms.utils import pretty_name
from django.utils import timezone

from myotome.kb.search import MAX_NAME
from myotome.text import shown, text_problem

# -- lengths, in characters ------------------------------------------------------------

PERSON_NAME = 100  # a family or given name
PHONE = 40
EMAIL = 254  # the longest address mail servers accept (RFC 5321)
KB_NAME = MAX_NAME  # a muscle, body area, movement or condition typed to be looked up (the core's limit)
NAME_LIST = 500  # names separated by commas (the regions of an episode)
SEARCH = 100  # a patient search
SHORT_NOTE = 300  # details beside a tick box: a drug and dose, a date of surgery
REASON = 500  # why something was done: an unlock, a withdrawal, a correction
NOTES = 10_000  # a note of several lines: about three pages
LINE = 200  # any other single line of text
PASSWORD = 1024  # a pass phrase: longer than any password manager makes, short enough that hashing it costs nothing

# -- dates and numbers ---------------------------------------------------------------------

EARLIEST_DATE = date(1900, 1, 1)  # before this, a recorded date is a typo for the year
# The clinic's day can begin before the server's (time zones, a clock a little fast).
FUTURE_MARGIN = timedelta(days=1)
# Record ids and counts are 64-bit in both databases; beyond that SQLite cannot even compare.
WHOLE_NUMBER_MAX = 2**63 - 1
WHOLE_NUMBER_MIN = -(2**63)


def latest_date() -> date:
    """The latest date a recorded event (a birth, a consent, an onset) may have."""
    today: date = timezone.localdate()
    return today + FUTURE_MARGIN


def date_problem(value: date) -> str | None:
    """What is wrong with a recorded date (it is quoted first), or None."""
    written = f"{value.day:02d} {value:%b} {value.year:04d}"
    if value < EARLIEST_DATE:
        return f"{written} is before {EARLIEST_DATE.year}; check the year."
    if value > latest_date():
        return f"{written} is in the future; enter a date on or before today."
    return None


def number_problem(value: int) -> str | None:
    if not WHOLE_NUMBER_MIN <= value <= WHOLE_NUMBER_MAX:
        return f"{shown(str(value), 20)} is out of range: no record or count is that large; check the number."
    return None


def parse_record_id(raw: str) -> int | None:
    """A record id posted as text (ASCII digits, in range), or None: never an exception."""
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    number = int(raw)
    return number if 0 < number <= WHOLE_NUMBER_MAX else None


# -- forms -----------------------------------------------------------------------------------


class LimitCheck:
    """A form field validator that prefixes the field's label to a problem found by ``check``."""

    def __init__(self, label: str, check: Callable[[Any], str | None], code: str):
        self.label, self.check, self.code = label, check, code

    def __call__(self, value: Any) -> None:
        if value in validators.EMPTY_VALUES:
            return
        problem = self.check(value)
        if problem:
            raise ValidationError(f"{self.label} {problem}", code=self.code)


# Django's own checks that ours replace, so that one problem gives one message.
_REPLACED = (validators.MaxLengthValidator, validators.ProhibitNullCharactersValidator)


def limit_field(name: str, field: forms.Field) -> None:
    """Apply the policy to one form field (``LimitedForm`` does it for every field); once is enough."""
    if any(isinstance(v, LimitCheck) for v in field.validators):
        return
    label = str(field.label or pretty_name(name))
    if isinstance(field, forms.CharField) and isinstance(field.widget, forms.PasswordInput):
        # Only the length: a message must never quote a password, and any character may be in one.
        field.max_length = min(int(field.max_length or PASSWORD), PASSWORD)
        field.validators.append(LimitCheck(label, password_problem, "password_length"))
    elif isinstance(field, forms.CharField):
        multi_line = isinstance(field.widget, forms.Textarea)
        if field.max_length is None:
            field.max_length = NOTES if multi_line else LINE
            field.widget.attrs.update(field.widget_attrs(field.widget))
        limit = int(field.max_length)
        field.validators = [v for v in field.validators if not isinstance(v, _REPLACED)]
        field.validators.append(LimitCheck(label, lambda v: text_problem(v, limit, multi_line=multi_line), "text"))
    elif isinstance(field, forms.DateField):
        field.validators.append(LimitCheck(label, date_problem, "date_window"))
    elif isinstance(field, forms.IntegerField):
        field.validators.append(LimitCheck(label, number_problem, "number_range"))


def password_problem(value: str) -> str | None:
    """A password longer than the policy allows (without quoting it), or None."""
    return f"is {len(value):,} characters long; a password can be at most {PASSWORD:,}" if len(value) > PASSWORD else None


class LimitedForm:
    """Mix into a Form or ModelForm (first) to apply the policy to each of its fields,
    including fields a form adds in its own ``__init__`` (they are limited before cleaning)."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.limit_fields()

    def limit_fields(self) -> None:
        for name, field in self.fields.items():
            limit_field(name, field)

    def full_clean(self) -> None:
        self.limit_fields()
        super().full_clean()  # type: ignore[misc]


# -- models -----------------------------------------------------------------------------------


def length_checks(prefix: str, **lengths: int) -> list[models.CheckConstraint]:
    """Database checks that each named text column is at most its length.

    A CharField's length is not enforced by SQLite and a TextField's by neither database,
    so these hold the policy for writes that do not come through a form.
    """
    return [
        models.CheckConstraint(condition=LessThanOrEqual(Length(field), length), name=f"{prefix}_{field}_length")
        for field, length in lengths.items()
    ]
