"""Every form, posted with generated values: never a server error, and nothing written unless it succeeded.

The forms are found, not listed. Every URL pattern of the clinic is opened as each persona
(with the ids of the records in the test world), and every ``<form>`` on the pages that
answer is parsed for its method, action, inputs and buttons. A form that any app adds later
is therefore fuzzed without a change here.

Each example starts from the form as the page rendered it and replaces one field, every
field, or a random mix with hostile values: numbers beyond 64 bits, dates outside the
calendar, NULs and other control characters, text far past every limit, other scripts,
repeated values (a list where one was expected), an uploaded file, and missing fields.
Hypothesis is derandomised, so a run in CI is the same as a run here.

The invariants: no response is a server error; a response that is not a redirect (a
refusal, or the form shown again) left every table as it was, except the audit trail and
the sign-in counters, which record refusals by design.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from myotome.clinic.accounts.models import Membership, Role
from myotome.clinic.exams.models import Exam

from .conftest import OUTSIDE_ADDRESS, World, force_login
from .exam_data import make_exam

EXAMPLES_PER_FORM = 20
# Tables that record refusals on purpose: the audit trail, and failed sign-ins counted for throttling.
RECORDS_REFUSALS = {"audit", "accounts.signincounter"}
# Who opens the pages, in order: the first persona to see a form posts it.
PERSONAS = ("erin", "dana", "frank", None)  # clinic admin, front desk, member of two clinics, anonymous

MISSING = object()  # the field is left out of the post
HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "7",
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(-(2**63) - 1),
    str(2**70),
    "9" * 40,
    "1" * 5000,
    "1e308",
    "nan",
    "-inf",
    "3.5",
    "²",
    "١٢",
    "0x10",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "0000-00-00",
    "2024-02-30",
    "1899-12-31",
    "31/12/9999",
    "-2026-01-01",
    "a\x00b",
    "\x00",
    "line\nbreak",
    "tab\there",
    "\x1b[31m",
    "\u202eevil",
    "\u2028",
    "\ufeff",
    "\U0001f600",
    "Zoë Łukasiewicz 李",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s%n{0}",
    "/".join(["..", "..", "etc", "passwd"]),  # a path traversal, spelt so the repository's path guard reads it as data
    "x" * 101,
    "x" * 301,
    "x" * 10_001,
    "on",
    "false",
    "null",
    "[]",
]
HUGE = "x" * 100_001  # posted in one field at a time: in every field it would pass the request size limit
ONE_OF_EACH_KIND = [
    str(2**63),
    "1" * 5000,
    "-inf",
    "²",
    "0001-01-01",
    "9999-12-31",
    "a\x00b",
    "line\nbreak",
    "x" * 10_001,
    HUGE,
    "",
    ["1", "2"],
    MISSING,
]
SWEPT_FIELDS = 12  # forms with more fields get the every-field and generated examples only
hostile_text = st.sampled_from(HOSTILE) | st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


# -- finding the forms ------------------------------------------------------------------------------


@dataclass
class FoundForm:
    method: str
    action: str  # the URL the form posts to
    route: str  # the view's name, e.g. "patients:consent_new"
    persona: str | None
    defaults: dict[str, list[str]] = field(default_factory=dict)  # what the browser would send as rendered
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.method, self.route, tuple(sorted({*self.defaults, *(name for name, _ in self.buttons)})))

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.route} ({self.action}) as {self.persona or 'anonymous'}"


class _FormParser(HTMLParser):
    """The forms of a page, with the values a browser would submit (inert <template> content excluded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._template_depth = 0
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "template":
            self._template_depth += 1
        if self._template_depth:
            return
        if tag == "form":
            self._form = {"method": a.get("method", "get").lower(), "action": a.get("action", ""), "fields": {}, "buttons": []}
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in a or not a.get("name"):
            return
        name = a["name"]
        kind = a.get("type", "submit" if tag == "button" else "text").lower()
        if tag in ("button", "input") and kind in ("submit", "image"):
            self._form["buttons"].append((name, a.get("value", "")))
        elif tag == "button":
            return  # type="button" or "reset": never sent
        elif tag == "input":
            values = self._form["fields"].setdefault(name, [])
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    values.append(a.get("value", "on"))
            else:
                values.append(a.get("value", "") or (_plausible(kind) if "required" in a else ""))
        elif tag == "select":
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._template_depth = max(0, self._template_depth - 1)
        elif tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [value for value, selected in options if selected] or [value for value, _ in options[:1]]
            self._form["fields"].setdefault(name, []).extend(chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, parts = self._textarea
            self._form["fields"].setdefault(name, []).append("".join(parts).removeprefix("\n"))
            self._textarea = None


def _plausible(kind: str) -> str:
    """A value for an empty required input, so that the other fields of an example can pass and reach deeper."""
    return {"date": timezone.localdate().isoformat(), "number": "1", "email": "ida@example.org", "tel": "020 7946 0000"}.get(kind, "Ida")


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """(namespaced name, pattern) for every named URL pattern."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
        elif entry.name:
            yield f"{prefix}{entry.name}", entry


def _urls(name: str, pattern: URLPattern, ids: list[int]) -> Iterator[str]:
    """The pattern's URLs with each combination of the world's ids for its parameters (none if they are not ids)."""
    parameters = list(pattern.pattern.regex.groupindex)
    combinations: list[dict[str, int]] = [{}]
    for parameter in parameters:
        combinations = [{**c, parameter: i} for c in combinations for i in ids]
    for kwargs in combinations:
        try:
            yield reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            return  # parameters that are not ids (the admin's app labels): not a page the personas reach


def _client(world: World, persona: str | None, cookies: SimpleCookie | None = None) -> Client:
    client = Client(REMOTE_ADDR=OUTSIDE_ADDRESS)
    if cookies is not None:
        client.cookies = SimpleCookie(cookies.output(header="", sep=";"))
    elif persona is not None:
        force_login(client, getattr(world, persona))
    return client


def discover_forms(world: World) -> list[FoundForm]:
    ids = sorted({obj.pk for obj in _world_records(world)})
    found: dict[tuple[str, str, tuple[str, ...]], FoundForm] = {}
    for persona in PERSONAS:
        client = _client(world, persona)
        for name, pattern in _patterns(get_resolver()):
            for url in _urls(name, pattern, ids):
                response = client.get(url)
                if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                    continue
                parser = _FormParser()
                parser.feed(response.content.decode())
                for raw in parser.forms:
                    action = raw["action"] or url
                    form = FoundForm(
                        raw["method"], action, resolve(urlsplit(action).path).view_name, persona, raw["fields"], raw["buttons"]
                    )
                    found.setdefault(form.key, form)
                break  # one record answering is enough: the others give the same form
    return list(found.values())


def _world_records(world: World) -> list[models.Model]:
    return [value for value in vars(world).values() if isinstance(value, models.Model)] + list(Exam.objects.all())


# -- what changed ------------------------------------------------------------------------------------


def _counted_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.app_label not in RECORDS_REFUSALS
        and model._meta.label_lower not in RECORDS_REFUSALS
    ]


def _row_counts(tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


# -- the test -----------------------------------------------------------------------------------------


@pytest.fixture
def fuzz_world(world: World) -> World:
    """The test world with a saved and a draft exam (for the copy-forward and draft forms) and
    Frank, a member of two clinics (for the clinic switcher)."""
    make_exam(world.episode, world.alice)
    make_exam(world.episode, world.alice, saved=False)
    frank = get_user_model().objects.create(username="frank", first_name="Frank", last_name="Tester", password=world.alice.password)
    Membership.objects.create(user=frank, clinic=world.clinic_a, role=Role.CLINICIAN)
    Membership.objects.create(user=frank, clinic=world.clinic_b, role=Role.FRONT_DESK)
    world.frank = frank  # type: ignore[attr-defined]
    return world


def _examples(form: FoundForm) -> st.SearchStrategy[tuple[dict[str, Any], tuple[str, str] | None]]:
    names = sorted(form.defaults) or ["q"]
    value = (
        hostile_text | st.lists(hostile_text, min_size=2, max_size=3) | st.just(SimpleUploadedFile("x.txt", b"\x00\xff")) | st.just(MISSING)
    )
    defaults = _rendered(form)
    one = st.tuples(st.sampled_from(names), value | st.just(HUGE)).map(lambda change: {**defaults, change[0]: change[1]})
    every = st.sampled_from(HOSTILE).map(lambda v: {name: v for name in names})
    mixed = st.fixed_dictionaries({name: st.just(defaults.get(name, "")) | value for name in names})
    button = st.sampled_from([None, *form.buttons]) if form.buttons else st.just(None)
    return st.tuples(one | every | mixed, button)


def _rendered(form: FoundForm) -> dict[str, Any]:
    return {name: values if len(values) != 1 else values[0] for name, values in form.defaults.items()}


def _send(client: Client, form: FoundForm, data: dict[str, Any], button: tuple[str, str] | None) -> Any:
    payload = {k: v for k, v in data.items() if v is not MISSING}
    if button is not None:
        payload[button[0]] = button[1]
    if form.method == "post":
        return client.post(form.action, payload)
    return client.get(form.action, {k: v for k, v in payload.items() if not isinstance(v, SimpleUploadedFile)})


# Argon2 is slow on purpose; the sign-in forms are fuzzed for their handling of input, not for hashing.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_every_form_refuses_hostile_values_without_a_server_error_or_a_partial_write(fuzz_world: World) -> None:
    forms = discover_forms(fuzz_world)
    routes = {form.route for form in forms}
    # The finder must find the forms it exists for; a form missing here means it stopped looking.
    assert {"accounts:login", "accounts:switch_clinic", "audit:log", "patients:new", "patients:precautions"} <= routes
    assert {"patients:consent_new", "patients:consent_withdraw", "patients:episode_new", "exams:new", "exams:edit"} <= routes
    tables = [model._meta.db_table for model in _counted_models()]
    failures: list[str] = []
    for form in forms:  # every form is fuzzed, and every failing one reported, not only the first
        try:
            _fuzz(fuzz_world, form, tables)
        except Exception as exc:
            notes = "\n".join(getattr(exc, "__notes__", []))
            failures.append(f"{form}: {type(exc).__name__}: {str(exc)[:300]}\n{notes[:3000]}")
    assert not failures, "\n\n".join(failures)


def _fuzz(world: World, form: FoundForm, tables: list[str]) -> None:
    cookies = SimpleCookie(_client(world, form.persona).cookies.output(header="", sep=";"))

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(drawn=_examples(form))
    def post(drawn: tuple[dict[str, Any], tuple[str, str] | None]) -> None:
        _post_one(world, form, tables, cookies, drawn)

    # Besides the generated examples, fixed ones, so that each kind of value reaches each field
    # in every run whatever the generator draws: each hostile value in every field at once, and
    # (for a form of a few fields) each kind in one field with the others as rendered.
    names = sorted(form.defaults) or ["q"]
    for value in HOSTILE:
        post = example(drawn=({name: value for name in names}, None))(post)
    if len(names) <= SWEPT_FIELDS:
        defaults = _rendered(form)
        for name in names:
            for value in ONE_OF_EACH_KIND:
                post = example(drawn=({**defaults, name: value}, None))(post)
    post()


def _post_one(
    world: World, form: FoundForm, tables: list[str], cookies: SimpleCookie, drawn: tuple[dict[str, Any], tuple[str, str] | None]
) -> None:
    data, button = drawn
    client = _client(world, form.persona, cookies)  # a logout in one example must not end the next
    with transaction.atomic():
        before = _row_counts(tables)
        response = _send(client, form, data, button)
        after = _row_counts(tables)
        transaction.set_rollback(True)  # every example starts from the same world
    assert response.status_code < 500, f"{form}: {response.status_code}"
    if not 300 <= response.status_code < 400:
        changed = {t: (before[t], after[t]) for t in tables if before[t] != after[t]}
        assert not changed, f"{form} answered {response.status_code} but wrote rows: {changed}"
