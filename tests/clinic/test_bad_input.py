"""Bad input anywhere is refused with a message, never a server error: ids beyond 64 bits,
dates outside the window, control characters and over-long text (myotome.clinic.input_limits)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.db import DataError, IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from myotome.clinic import input_limits
from myotome.clinic.accounts.forms import ClinicSwitchForm, ThrottledAuthenticationForm
from myotome.clinic.accounts.provisioning import PasswordRefused, check_password
from myotome.clinic.audit.forms import AuditFilterForm
from myotome.clinic.mfa.forms import CodeForm
from myotome.clinic.patients.forms import ConsentForm, EpisodeForm, PatientForm, PrecautionsForm, SearchForm
from myotome.clinic.patients.models import Consent, Episode, Patient, Precaution

from . import migrating
from .conftest import OUTSIDE_ADDRESS, PASSWORD, World

# -- numbers and dates that overflowed --------------------------------------------------------


@pytest.mark.parametrize("clinic", [str(2**63), str(2**70), "9" * 40])
def test_a_clinic_id_beyond_64_bits_is_no_such_clinic(world: World, clinic: str) -> None:
    response = world.client("alice").post(reverse("accounts:switch_clinic"), {"clinic": clinic})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("until=9999-12-31", "To 31 Dec 9999 is in the future; enter a date on or before today."),
        ("since=0001-01-01", "From 01 Jan 0001 is before 1900; check the year."),
    ],
)
def test_an_audit_filter_date_outside_the_window_is_refused_naming_the_field(world: World, query: str, message: str) -> None:
    response = world.client("erin").get(reverse("audit:log") + "?" + query)
    assert response.status_code == 200 and message in response.content.decode()


def test_the_names_lookup_refuses_a_name_with_a_nul_instead_of_matching_what_is_left(world: World) -> None:
    answer = world.client("alice").get(reverse("exams:names"), {"kind": "muscle", "q": "a\x00b"}).json()
    assert answer["match"] is None and answer["results"] == []
    assert "contains a control character (U+0000)" in answer["error"]


# -- the policy itself -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "multi_line", "problem"),
    [
        ("Ottoline", False, None),
        ("Ottoline\nQuennell", True, None),
        ("a\tb\r\nc", True, None),
        ("Zoë O'Brien-Łukasiewicz 李", False, None),
        ("a\x00b", False, r"'a\x00b' contains a control character (U+0000)"),
        ("a\x00b", True, "contains a control character (U+0000)"),
        ("bell\x07", True, "(U+0007)"),
        ("two\nlines", False, "(U+000A)"),
        ("c1\x85", False, "(U+0085)"),
        ("line\u2028sep", False, "(U+2028)"),
        ("x" * 81, False, "is 81 characters long; the limit is 80"),
    ],
)
def test_text_problem(value: str, multi_line: bool, problem: str | None) -> None:
    found = input_limits.text_problem(value, 80, multi_line=multi_line)
    assert found is None if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), ("0", None), ("-3", None), ("²", None), ("١٢", None), (str(2**63), None), ("9" * 5000, None), ("", None)],
)
def test_parse_record_id_never_raises(raw: str, expected: int | None) -> None:
    assert input_limits.parse_record_id(raw) == expected


def test_every_text_field_of_every_form_is_bounded_and_checked(world: World) -> None:
    """Every form of the clinic uses the policy: each text field has a length and the policy's check."""
    built: list[forms.BaseForm] = [
        PatientForm(),
        EpisodeForm(clinic=world.clinic_a),
        PrecautionsForm(current={}),
        ConsentForm(clinic=world.clinic_a),
        SearchForm(),
        ClinicSwitchForm(),
        AuditFilterForm(),
        ThrottledAuthenticationForm(),
        CodeForm(),
    ]
    for form in built:
        for name, field in form.fields.items():
            if isinstance(field, forms.CharField | forms.DateField | forms.IntegerField):
                checks = [v for v in field.validators if isinstance(v, input_limits.LimitCheck)]
                assert len(checks) == 1, f"{type(form).__name__}.{name} does not use input_limits"
            if isinstance(field, forms.CharField):
                assert field.max_length is not None and field.max_length <= input_limits.NOTES


# Text the application writes itself (ids from the knowledge base, tokens and hashes), never typed by a person.
WRITTEN_BY_THE_APP = {
    "precaution.kind",
    "episode.condition",
    "submission.token",
    "submission.record_type",
    "submission.fingerprint",
    "patientsearchkey.key",
}


def test_every_typed_text_column_of_the_patient_records_has_a_length_and_a_database_check() -> None:
    for model in apps.get_app_config("patients").get_models():
        checked = {c.name for c in model._meta.constraints}
        for field in model._meta.get_fields():
            written_by_app = f"{model._meta.model_name}.{field.name}" in WRITTEN_BY_THE_APP
            if isinstance(field, models.CharField | models.TextField) and not field.choices and not written_by_app:
                assert field.max_length is not None, f"{model.__name__}.{field.name} has no max_length"
                assert f"{model._meta.model_name}_{field.name}_length" in checked, f"{model.__name__}.{field.name} has no length check"


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Patient, {"notes": "x" * (input_limits.NOTES + 1)}),
        (Patient, {"family_name": "x" * (input_limits.PERSON_NAME + 1)}),
        (Episode, {"notes": "x" * (input_limits.NOTES + 1)}),
        (Consent, {"notes": "x" * (input_limits.NOTES + 1)}),
        (Precaution, {"note": "x" * (input_limits.SHORT_NOTE + 1)}),
    ],
)
def test_the_database_refuses_over_long_text_that_bypasses_the_forms(
    world: World, model: type[models.Model], values: dict[str, Any]
) -> None:
    record = {Patient: world.patient, Episode: world.episode, Consent: world.consent, Precaution: world.precaution}[model]
    # A CHECK constraint on SQLite; on PostgreSQL varchar(n) itself refuses a long CharField.
    with pytest.raises((IntegrityError, DataError), match=r"(?i)check|_length|too long"), transaction.atomic():
        model.objects.filter(pk=record.pk).update(**values)


def test_a_date_tomorrow_is_allowed_for_time_zones_but_not_the_day_after() -> None:
    today = timezone.localdate()
    assert input_limits.date_problem(today + timedelta(days=1)) is None
    problem = input_limits.date_problem(today + timedelta(days=2))
    assert problem is not None and "is in the future" in problem


@pytest.mark.django_db(transaction=True)
def test_the_length_migration_stops_naming_the_records_that_are_too_long_rather_than_cut_them() -> None:
    latest = migrating.latest()  # every app's: going back to patients 0001 unapplies the apps built on it
    executor = migrating.migrate([("patients", "0001_initial")])
    old = executor.loader.project_state([("patients", "0001_initial")]).apps
    clinic = old.get_model("accounts", "Clinic").objects.create(name="Old clinic")
    patient = old.get_model("patients", "Patient").objects.create(
        clinic=clinic, family_name="Long", given_name="Notes", date_of_birth=date(1970, 1, 1), notes="x" * 10_001
    )
    try:
        with pytest.raises(RuntimeError, match=rf"patient notes longer than 10,000 characters \(ids {patient.pk}\)"):
            migrating.migrate(latest)
    finally:
        old.get_model("patients", "Patient").objects.filter(pk=patient.pk).update(notes="short")
        migrating.migrate(latest)
    assert Patient.objects.get(pk=patient.pk).notes == "short"


def test_a_password_beyond_the_policy_is_refused_at_sign_in_unchecked_and_unquoted(world: World) -> None:
    from django.test import Client

    from myotome.clinic.accounts.models import SignInCounter

    huge = PASSWORD + "x" * input_limits.PASSWORD
    response = Client(REMOTE_ADDR=OUTSIDE_ADDRESS).post(reverse("accounts:login"), {"username": "alice", "password": huge})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"at most {input_limits.PASSWORD:,}" in page and "xxxxxxxx" not in page
    assert not SignInCounter.objects.exists()  # refused before any guess was counted or checked


def test_createuser_refuses_a_password_beyond_the_policy() -> None:
    with pytest.raises(PasswordRefused, match=r"at most 1,024"):
        check_password("é" * (input_limits.PASSWORD + 1), username="newcomer")
