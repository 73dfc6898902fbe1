"""Queries compiled once (myotome.clinic.prepared) answer exactly what their QuerySet answers.

Every prepared query of the app is run with every argument the test world can give it (each
id of each table, each session key, ids that exist nowhere or beyond 64 bits) and compared,
object by object, field by field and related object by related object, with the plain QuerySet
it stands for. On PostgreSQL too (CI's second pass). Then the queries it must refuse.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import Model
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import timezone

from myotome.clinic.accounts.models import Clinic, Membership
from myotome.clinic.exams.models import Exam
from myotome.clinic.mfa.models import TotpDevice
from myotome.clinic.patients.models import Consent, Episode, Patient
from myotome.clinic.prepared import Prepared, PreparedQueryError
from myotome.clinic.treatments.models import FollowUp, Insertion, NeedlingCredential, SessionStep, TreatmentSession, TreatmentSettings

from .conftest import World
from .session_data import TODAY, insert, started

MISSING_IDS = (0, -1, 10**6, 2**63 - 1, 2**63, 2**70, -(2**63) - 1)


@pytest.fixture
def filled(world: World) -> World:
    """A session with two insertions, a clinic's settings, signed-in sessions (one expired) and Erin's device."""
    session = started(world)
    for who in ("alice", "erin", "charlie"):
        world.client(who)
    for _ in range(2):
        assert insert(world.client("alice"), session).status_code == 201
    TreatmentSettings.objects.create(clinic=world.clinic_b, forbid_thoracic=True)
    for days, done in ((-2, False), (0, False), (1, False), (-1, True)):
        FollowUp.objects.create(
            session=session,
            clinic=world.clinic_a,
            due_on=TODAY + timedelta(days=days),
            reason=f"call {days}",
            done_at=timezone.now() if done else None,
        )
    expired = Session.objects.order_by("pk").first()
    assert expired is not None
    Session.objects.filter(pk=expired.pk).update(expire_date="2000-01-01T00:00:00Z")
    return world


def _ints() -> list[int]:
    ids = set(MISSING_IDS)
    for model in (
        get_user_model(),
        Clinic,
        Membership,
        Patient,
        Episode,
        Consent,
        Exam,
        TreatmentSession,
        SessionStep,
        TotpDevice,
        NeedlingCredential,
    ):
        ids.update(model.objects.values_list("pk", flat=True))
    return sorted(ids)


def _strs() -> list[str]:
    keys = [*Session.objects.values_list("session_key", flat=True), *Insertion.objects.values_list("key", flat=True)]
    return [*keys, "", "no-such-key", "%"]


def _state(obj: Model) -> dict[str, Any]:
    """What a page reads of an object: its fields and annotations, and the related objects loaded with it."""
    fields = {k: v for k, v in vars(obj).items() if k != "_state"}
    related = {name: _state(other) if other is not None else None for name, other in obj._state.fields_cache.items()}
    return {"type": type(obj), "fields": fields, "related": related, "db": obj._state.db, "adding": obj._state.adding}


def _dates() -> list[date]:
    return sorted({TODAY + timedelta(days=d) for d in (-3, -2, -1, 0, 1, 2)} | {date(1900, 1, 1), date(9999, 12, 31)})


def _all_prepared() -> list[Prepared[Any]]:
    get_resolver().url_patterns  # noqa: B018 - imports every view, and with them every prepared query
    engines["django"].engine.template_libraries  # noqa: B018 - and every template tag library
    return list(Prepared.every)


def test_the_app_prepares_the_lookups_of_every_request_and_page() -> None:
    models = {p.model.__name__ for p in _all_prepared()}
    every_request = {"Session", "User", "Membership", "TotpDevice"}
    by_id = {"Patient", "Episode", "Exam", "TreatmentSession", "SessionStep", "Insertion"}
    pages = {"Consent", "NeedlingCredential", "TreatmentSettings", "FollowUp"}
    assert every_request | by_id | pages <= models


def test_every_prepared_query_answers_as_its_queryset(filled: World) -> None:
    candidates = {int: _ints(), str: _strs(), date: _dates()}
    compared = 0
    for prepared in _all_prepared():
        for args in itertools.product(*(candidates[kind] for kind in prepared.kinds)):
            with CaptureQueriesContext(connection) as queries:
                got = prepared(*args)
            if any(type(a) is int and not -(2**63) <= a < 2**63 for a in args):
                # No row holds it; Django answers nothing for a primary key and crashes for a foreign key.
                assert got == [] and len(queries) == 0
                continue
            expected = list(prepared.queryset(*args))
            assert [_state(o) for o in got] == [_state(o) for o in expected], f"{prepared!r} with {args}"
            assert len(queries) == 1
            compared += bool(expected)
    assert compared >= 20, "the world gave too few rows to compare"


def test_a_session_past_its_expiry_is_no_session(filled: World) -> None:
    expired = Session.objects.filter(expire_date__year=2000).get()
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore(expired.session_key)
    assert store.load() == {} and store.session_key is None
    live = Session.objects.exclude(pk=expired.pk).first()
    assert live is not None
    assert import_module(settings.SESSION_ENGINE).SessionStore(live.session_key).load() != {}


@pytest.mark.parametrize(
    ("build", "kinds", "refusal"),
    [
        (lambda name: Patient.objects.filter(family_name__icontains=name), (str,), "does not reach the SQL unchanged"),
        (lambda name: Patient.objects.filter(family_name__startswith=name), (str,), "does not reach the SQL unchanged"),
        (lambda pk: Patient.objects.filter(pk=pk).values("family_name"), (int,), "yields model instances"),
        (lambda pk: Patient.objects.filter(pk=pk).prefetch_related("episodes"), (int,), "yields model instances"),
        (lambda pk: Patient.objects.all(), (int,), "does not reach the SQL"),
        (lambda when: Patient.objects.filter(created_at__lte=when), (object,), "prepared queries take int, str or date"),
    ],
)
def test_a_query_that_cannot_be_compiled_once_is_refused_when_first_run(
    db: None, build: Any, kinds: tuple[type, ...], refusal: str
) -> None:
    prepared = Prepared(build, *kinds)
    Prepared.every.remove(prepared)
    with pytest.raises(PreparedQueryError, match=refusal):
        prepared(*(kind() for kind in kinds))


def test_arguments_of_another_type_are_refused(db: None) -> None:
    prepared = Prepared(lambda pk: Patient.objects.filter(pk=pk), int)
    Prepared.every.remove(prepared)
    for wrong in ("3", 3.0, None, True):
        with pytest.raises(TypeError, match=r"takes \(int\)"):
            prepared(wrong)
