"""Every exam view against every persona: the clinician (Alice), a colleague (Bob), front desk
(Dana), an outsider from clinic B (Charlie) and anonymous.

An exam or episode of another clinic is a 404 on every route, GET and POST, and nothing
changes; front desk gets a 403 with the foundation's message (and an audit row); anonymous
users are sent to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from myotome.clinic.accounts.access import CLINICAL_ONLY
from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.exams.models import Exam

from .conftest import World
from .exam_data import C6_POST, make_exam


@dataclass
class Exams:
    saved: Exam  # clinic A, Alice's patient
    draft: Exam
    other_saved: Exam  # clinic B, Charlie's patient
    other_draft: Exam


@pytest.fixture
def exams(world: World) -> Exams:
    return Exams(
        make_exam(world.episode, world.alice),
        make_exam(world.episode, world.alice, saved=False),
        make_exam(world.other_episode, world.charlie),
        make_exam(world.other_episode, world.charlie, saved=False),
    )


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    url: Callable[[World, Exams, bool], str]  # (world, exams, other clinic?) -> url
    data: dict[str, Any] | None = None
    ok: int = 200  # the status for a clinician of the record's clinic

    def __str__(self) -> str:
        return f"{self.method} {self.name}"


def _episode(name: str) -> Callable[[World, Exams, bool], str]:
    return lambda w, x, other: reverse(name, args=[(w.other_episode if other else w.episode).pk])


def _saved(name: str) -> Callable[[World, Exams, bool], str]:
    return lambda w, x, other: reverse(name, args=[(x.other_saved if other else x.saved).pk])


def _draft(name: str) -> Callable[[World, Exams, bool], str]:
    return lambda w, x, other: reverse(name, args=[(x.other_draft if other else x.draft).pk])


ROUTES = [
    Route("exams:new", "get", _episode("exams:new")),
    Route("exams:new", "post", _episode("exams:new"), C6_POST, ok=302),
    Route("exams:new (add a band)", "post", _episode("exams:new"), {"band_name": "ECRB", "action": "add_band"}),
    Route("exams:copy_forward", "get", _episode("exams:copy_forward")),
    Route("exams:detail", "get", _saved("exams:detail")),
    Route("exams:detail (draft)", "get", _draft("exams:detail")),
    Route("exams:edit", "get", _draft("exams:edit")),
    Route("exams:edit", "post", _draft("exams:edit"), C6_POST, ok=302),
    Route("exams:export", "get", _saved("exams:export")),
]


def _send(world: World, exams: Exams, who: str | None, route: Route, other: bool = False) -> Any:
    client = world.client(who)
    url = route.url(world, exams, other)
    return client.post(url, route.data or {}) if route.method == "post" else client.get(url)


def _snapshot() -> list[tuple[Any, ...]]:
    return list(Exam.objects.order_by("pk").values_list("pk", "status", "document", "result", "kb_version"))


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_anonymous_is_sent_to_login_and_nothing_changes(world: World, exams: Exams, route: Route) -> None:
    before = _snapshot()
    response = _send(world, exams, None, route)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=/")
    assert _snapshot() == before


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_outsider_gets_404_for_another_clinics_exam_and_nothing_changes(world: World, exams: Exams, route: Route) -> None:
    before = _snapshot()
    response = _send(world, exams, "charlie", route)
    assert response.status_code == 404
    page = response.content.decode()
    assert world.patient.family_name not in page and "Extensor carpi radialis brevis" not in page
    assert _snapshot() == before


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_outsider_reaches_the_same_route_for_own_clinics_exam(world: World, exams: Exams, route: Route) -> None:
    # The control for the 404 test above: the route works, only the record is out of scope.
    assert _send(world, exams, "charlie", route, other=True).status_code == route.ok


@pytest.mark.parametrize("who", ["alice", "bob"])
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_clinicians_of_the_clinic_reach_every_exam_route(world: World, exams: Exams, route: Route, who: str) -> None:
    response = _send(world, exams, who, route)
    assert response.status_code == route.ok, response.content.decode()[:3000]


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_front_desk_is_refused_every_exam_route_with_a_clear_message(world: World, exams: Exams, route: Route) -> None:
    before = _snapshot()
    response = _send(world, exams, "dana", route)
    assert response.status_code == 403
    page = response.content.decode()
    assert CLINICAL_ONLY in page
    assert "Extensor carpi radialis brevis" not in page
    assert _snapshot() == before
    denied = AuditEvent.objects.get(action=Action.DENIED, user=world.dana)
    assert denied.path == route.url(world, exams, False)


def test_front_desk_sees_no_exams_on_the_chart(world: World, exams: Exams) -> None:
    page = world.client("dana").get(reverse("patients:detail", args=[world.patient.pk])).content.decode()
    assert "Exams and plans" not in page and reverse("exams:detail", args=[exams.saved.pk]) not in page


def test_unknown_exam_ids_are_404(world: World, exams: Exams) -> None:
    client = world.client("alice")
    for name in ("exams:detail", "exams:edit", "exams:export"):
        assert client.get(reverse(name, args=[999999])).status_code == 404
    assert client.get(reverse("exams:new", args=[999999])).status_code == 404


# -- the names look-up: login and a clinical role, KB names only ------------------------------


def _names(world: World, who: str | None, **params: str) -> Any:
    return world.client(who).get(reverse("exams:names"), params)


def test_names_lookup_needs_a_login(world: World) -> None:
    response = _names(world, None, kind="muscle", q="ECRB")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_names_lookup_is_refused_to_front_desk(world: World) -> None:
    assert _names(world, "dana", kind="muscle", q="ECRB").status_code == 403


@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_names_lookup_answers_with_knowledge_base_names_only(world: World, exams: Exams, who: str) -> None:
    response = _names(world, who, kind="muscle", q="ECRB")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["match"] == {
        "kind": "muscle",
        "id": "extensor_carpi_radialis_brevis",
        "name": "Extensor carpi radialis brevis",
        "detail": "",
    }
    text = response.content.decode()
    for patient_data in (world.patient.family_name, world.other_patient.family_name, world.patient.given_name, "apixaban"):
        assert patient_data not in text
    # A look-up reads no patient record, so it writes no audit row either.
    assert not AuditEvent.objects.filter(path=reverse("exams:names")).exists()


@pytest.mark.parametrize(
    ("params", "status", "key", "expected"),
    [
        ({"kind": "muscle", "q": "supinater"}, 200, "error", "unknown muscle 'supinater'; did you mean 'Supinator'?"),
        ({"kind": "muscle", "q": "supinater"}, 200, "suggestions", ["Supinator"]),
        (
            {"kind": "region", "q": "pinky"},
            200,
            "match",
            {"kind": "region", "id": "little_finger", "name": "Little finger", "detail": "C8"},
        ),
        ({"kind": "weakness", "q": "grip"}, 200, "match", {"kind": "movement", "id": "grip", "name": "Grip", "detail": ""}),
        ({"kind": "region", "q": ""}, 200, "error", "Type a body area name."),
        ({"kind": "patient", "q": "Quennell"}, 400, "error", "kind must be one of muscle, region, movement, weakness, got 'patient'"),
    ],
)
def test_names_lookup_answers(world: World, params: dict[str, str], status: int, key: str, expected: object) -> None:
    response = _names(world, "alice", **params)
    assert response.status_code == status and response.json()[key] == expected
