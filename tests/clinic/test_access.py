"""Every view against every persona: the clinician (Alice), a colleague (Bob), front desk
(Dana), an outsider from clinic B (Charlie) and anonymous.

A record of another clinic is a 404 on every route, GET and POST, and nothing changes;
front desk gets a 403 with a clear message on clinical pages; anonymous users are sent
to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from myotome.clinic.accounts.access import CLINICAL_ONLY
from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.patients.models import Consent, Episode, Patient, Precaution

from .conftest import World


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    clinical: bool
    url: Callable[[World, bool], str]  # (world, other clinic?) -> url
    data: Callable[[World, str | None], dict[str, Any]] = lambda w, who: {}

    def __str__(self) -> str:
        return f"{self.method} {self.name}"


def _patient(name: str) -> Callable[[World, bool], str]:
    return lambda w, other: reverse(name, args=[(w.other_patient if other else w.patient).pk])


def _episode(name: str) -> Callable[[World, bool], str]:
    return lambda w, other: reverse(name, args=[(w.other_episode if other else w.episode).pk])


def _withdraw(w: World, other: bool) -> str:
    patient, consent = (w.other_patient, w.other_consent) if other else (w.patient, w.consent)
    return reverse("patients:consent_withdraw", args=[patient.pk, consent.pk])


def _demographics(w: World, who: str | None) -> dict[str, Any]:
    return {"family_name": "Changed", "given_name": "Name", "date_of_birth": "1970-01-01", "sex": "female"}


def _episode_form(w: World, who: str | None) -> dict[str, Any]:
    return {"regions_text": "lateral elbow", "side": "left", "condition": "tennis_elbow", "status": "active", "pain": "3"}


def _consent_form(w: World, who: str | None) -> dict[str, Any]:
    # Taken by the requester: for the outsider that is valid in clinic B, so only scoping can refuse it.
    taker = getattr(w, who) if who in ("alice", "bob", "charlie") else w.alice
    return {"given_on": date.today().isoformat(), "taken_by": str(taker.pk), "method": "written", "risks_explained": "on"}


RECORD_ROUTES = [
    Route("patients:detail", "get", False, _patient("patients:detail")),
    Route("patients:edit", "get", False, _patient("patients:edit")),
    Route("patients:edit", "post", False, _patient("patients:edit"), _demographics),
    Route("patients:precautions", "get", True, _patient("patients:precautions")),
    Route("patients:precautions", "post", True, _patient("patients:precautions"), lambda w, who: {"on_pregnancy": "on"}),
    Route("patients:consent_new", "get", True, _patient("patients:consent_new")),
    Route("patients:consent_new", "post", True, _patient("patients:consent_new"), _consent_form),
    Route("patients:consent_withdraw", "post", True, _withdraw),
    Route("patients:episode_new", "get", True, _patient("patients:episode_new")),
    Route("patients:episode_new", "post", True, _patient("patients:episode_new"), _episode_form),
    Route("patients:episode", "get", True, _episode("patients:episode")),
    Route("patients:episode_edit", "get", True, _episode("patients:episode_edit")),
    Route("patients:episode_edit", "post", True, _episode("patients:episode_edit"), _episode_form),
]
PAGE_ROUTES = [
    Route("day", "get", False, lambda w, o: reverse("day")),
    Route("patients:list", "get", False, lambda w, o: reverse("patients:list")),
    Route("patients:search", "post", False, lambda w, o: reverse("patients:search"), lambda w, who: {"q": "quen"}),
    Route("patients:new", "get", False, lambda w, o: reverse("patients:new")),
    Route("patients:new", "post", False, lambda w, o: reverse("patients:new"), _demographics),
    Route("audit:log", "get", False, lambda w, o: reverse("audit:log")),
]
ALL_ROUTES = RECORD_ROUTES + PAGE_ROUTES


def _send(world: World, who: str | None, route: Route, other: bool = False) -> Any:
    client = world.client(who)
    return getattr(client, route.method)(route.url(world, other), route.data(world, who))


def _snapshot() -> tuple[Any, ...]:
    return (
        list(Patient.objects.order_by("pk").values_list("family_name", "given_name")),
        list(Episode.objects.order_by("pk").values_list("pk", "side", "regions")),
        list(Consent.objects.order_by("pk").values_list("pk", "withdrawn_on")),
        list(Precaution.objects.order_by("pk").values_list("pk", "kind", "ended_at")),
    )


@pytest.mark.parametrize("route", ALL_ROUTES, ids=str)
def test_anonymous_is_sent_to_login_and_nothing_changes(world: World, route: Route) -> None:
    before = _snapshot()
    response = _send(world, None, route)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=/")
    assert _snapshot() == before


@pytest.mark.parametrize("route", RECORD_ROUTES, ids=str)
def test_outsider_gets_404_for_another_clinics_record_and_nothing_changes(world: World, route: Route) -> None:
    before = _snapshot()
    response = _send(world, "charlie", route)
    assert response.status_code == 404
    assert world.patient.family_name not in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize("route", RECORD_ROUTES, ids=str)
def test_outsider_reaches_the_same_route_for_own_clinics_record(world: World, route: Route) -> None:
    # The control for the 404 test above: the route works, only the record is out of scope.
    response = _send(world, "charlie", route, other=True)
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("who", ["alice", "bob"])
@pytest.mark.parametrize("route", [r for r in ALL_ROUTES if r.name != "audit:log"], ids=str)
def test_clinicians_of_the_clinic_reach_every_page(world: World, route: Route, who: str) -> None:
    response = _send(world, who, route)
    assert response.status_code == (200 if route.method == "get" else 302), response.content.decode()[:2000]


@pytest.mark.parametrize("route", [r for r in RECORD_ROUTES if r.clinical], ids=str)
def test_front_desk_is_refused_clinical_pages_with_a_clear_message(world: World, route: Route) -> None:
    before = _snapshot()
    response = _send(world, "dana", route)
    assert response.status_code == 403
    assert CLINICAL_ONLY in response.content.decode()
    assert _snapshot() == before
    denied = AuditEvent.objects.get(action=Action.DENIED, user=world.dana)
    assert denied.path == route.url(world, False)
    assert denied.remote_addr == "203.0.113.7"


@pytest.mark.parametrize("route", [r for r in ALL_ROUTES if not r.clinical and r.name != "audit:log"], ids=str)
def test_front_desk_reaches_demographic_pages(world: World, route: Route) -> None:
    response = _send(world, "dana", route)
    assert response.status_code == (200 if route.method == "get" else 302)


def test_front_desk_chart_shows_demographics_without_clinical_content(world: World) -> None:
    page = world.client("dana").get(reverse("patients:detail", args=[world.patient.pk])).content.decode()
    assert "Quennell" in page and "+44 20 7946 0123" in page
    for clinical in ("Tennis elbow", "Anticoagulant", "apixaban", "Consent to needling", "Episodes of care", "Lateral elbow"):
        assert clinical not in page
    assert "visible to clinicians only" in page


def test_front_desk_day_lists_patients_without_episodes(world: World) -> None:
    page = world.client("dana").get(reverse("day")).content.decode()
    assert "Quennell" in page
    assert "Tennis elbow" not in page and "My active episodes" not in page


def test_clinician_chart_shows_clinical_content(world: World) -> None:
    page = world.client("alice").get(reverse("patients:detail", args=[world.patient.pk])).content.decode()
    for clinical in (
        "Tennis elbow",
        "Anticoagulant or antiplatelet medication",
        "apixaban 5 mg",
        "On file: given 5 Jan 2026",
        "Lateral elbow",
    ):
        assert clinical in page


def test_lists_show_only_the_active_clinics_patients(world: World) -> None:
    for who, shown, hidden in (("alice", "Quennell", "Zabriskie"), ("charlie", "Zabriskie", "Quennell")):
        page = world.client(who).get(reverse("patients:list")).content.decode()
        assert shown in page and hidden not in page


def test_a_clinician_cannot_name_another_clinics_user_as_responsible(world: World) -> None:
    data = {**_episode_form(world, "alice"), "clinician": str(world.charlie.pk)}
    response = world.client("alice").post(reverse("patients:episode_new", args=[world.patient.pk]), data)
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not Episode.objects.filter(clinician=world.charlie, patient=world.patient).exists()


@pytest.mark.parametrize("who", ["alice", "bob", "dana", "charlie"])
def test_audit_log_is_for_clinic_admins_only(world: World, who: str) -> None:
    response = world.client(who).get(reverse("audit:log"))
    assert response.status_code == 403
    assert "Only a clinic admin" in response.content.decode()


def test_a_user_without_a_clinic_is_told_so(world: World, password_hash: str) -> None:
    from django.contrib.auth import get_user_model

    loner = get_user_model().objects.create(username="loner", password=password_hash)
    client = world.client(None)
    client.force_login(loner)
    response = client.get(reverse("day"))
    assert response.status_code == 403
    assert "not a member of any clinic" in response.content.decode()


def test_unknown_record_ids_are_404_too(world: World) -> None:
    client = world.client("alice")
    assert client.get(reverse("patients:detail", args=[999999])).status_code == 404
    assert client.get(reverse("patients:episode", args=[999999])).status_code == 404
    withdraw = reverse("patients:consent_withdraw", args=[world.patient.pk, world.other_consent.pk])
    assert client.post(withdraw).status_code == 404  # a consent of another clinic's patient, under Alice's own patient
