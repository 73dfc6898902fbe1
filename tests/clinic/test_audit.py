"""The audit log: what a clinic admin sees and filters, and that nobody can change it."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from myotome.clinic.audit.models import Action, AppendOnlyError, AuditEvent

from .conftest import OUTSIDE_ADDRESS, World


def _activity(world: World) -> None:
    world.client("alice").get(reverse("patients:detail", args=[world.patient.pk]))
    world.client("dana").get(reverse("patients:episode", args=[world.episode.pk]))  # denied
    world.client("charlie").get(reverse("patients:detail", args=[world.other_patient.pk]))
    world.client(None).post("/accounts/login/", {"username": "bob", "password": "wrong"})
    world.client(None).post("/accounts/login/", {"username": "charlie", "password": "wrong"})


def test_clinic_admin_sees_the_clinics_events_and_its_members_sign_ins_only(world: World) -> None:
    _activity(world)
    page = world.client("erin").get(reverse("audit:log")).content.decode()
    assert f"/patients/{world.patient.pk}/" in page
    assert f"/episodes/{world.episode.pk}/" in page and "Access denied" in page
    assert OUTSIDE_ADDRESS in page
    assert "Failed sign-in" in page
    assert "charlie" not in page and f"/patients/{world.other_patient.pk}/" not in page


def test_the_audit_page_shows_no_patient_names(world: World) -> None:
    _activity(world)
    page = world.client("erin").get(reverse("audit:log")).content.decode()
    assert "Quennell" not in page and "Ottoline" not in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"action": "denied"}, "/episodes/", "/patients/"),
        ({"username": "alice"}, "/patients/", "/episodes/"),
        ({"record_type": "episode"}, "/episodes/", "/patients/"),
        ({"action": "login_failed"}, "Failed sign-in", "/patients/"),
    ],
)
def test_the_log_filters(world: World, query: dict[str, str], shown: str, hidden: str) -> None:
    _activity(world)
    page = world.client("erin").get(reverse("audit:log"), query).content.decode()
    body = page.split("<tbody>")[1]
    assert shown in body and hidden not in body


def test_a_reversed_date_range_is_refused_with_both_dates_named(world: World) -> None:
    response = world.client("erin").get(reverse("audit:log"), {"since": "2026-05-02", "until": "2026-05-01"})
    assert "&#x27;To&#x27; (1 May 2026) is before &#x27;From&#x27; (2 May 2026)" in response.content.decode()


def test_reading_the_audit_log_is_itself_audited(world: World) -> None:
    world.client("erin").get(reverse("audit:log"))
    assert AuditEvent.objects.filter(action=Action.VIEW, record_type="audit_log", user=world.erin).exists()


def test_events_cannot_be_changed_or_deleted_through_the_orm(world: World) -> None:
    _activity(world)
    event = AuditEvent.objects.first()
    assert event is not None
    event.detail = "rewritten"
    with pytest.raises(AppendOnlyError, match="append-only"):
        event.save()
    with pytest.raises(AppendOnlyError, match="append-only"):
        event.delete()
    with pytest.raises(AppendOnlyError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(detail="rewritten")
    with pytest.raises(AppendOnlyError, match="append-only"):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_updates_to_events(world: World) -> None:
    _activity(world)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = 'rewritten'")
    assert not AuditEvent.objects.filter(detail="rewritten").exists()


def test_the_admin_is_read_only(world: World) -> None:
    request = RequestFactory().get("/admin/")
    request.user = world.alice
    world.alice.is_superuser = world.alice.is_staff = True
    model_admin = site._registry[AuditEvent]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_patients_are_not_in_the_admin(world: World) -> None:
    # The admin does not audit reads, so patient data stays out of it.
    assert not [m for m in site._registry if m._meta.app_label == "patients"]
