"""Every refused record lookup is audited, and the refusal tells the requester nothing.

A table of every route that takes a record id × the personas: the clinician Alice, her
colleague Bob (both clinic A) and the outsider Charlie (clinic B) × a record of clinic A,
a record of clinic B, an id that exists nowhere (a probe) and one beyond any database id.
A record of the requester's clinic opens; anything else is a 404 with one DENIED row in
the requester's clinic, the same row (and the same page) whether the record exists in
another clinic or not. When it does, the row names the clinic that holds the record, so
that clinic's admin sees the attempt.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from myotome.clinic.accounts.models import Membership, Role
from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.exams.models import Exam
from myotome.clinic.outcomes import kiosk
from myotome.clinic.treatments.models import FollowUp, NeedlingCredential, Profession, TreatmentSession

from .conftest import OUTSIDE_ADDRESS, World, enrol_second_factor, force_login
from .exam_data import make_exam

NOT_IN_CLINIC = "not found in the active clinic"  # the detail of the DENIED row
NOWHERE = 10**9  # no test creates that many rows
BEYOND = 2**64  # more than any 64-bit key: SQLite cannot even compare it


@dataclass
class Records:
    """The ids a route can be given: each target names a record of clinic A, of clinic B, or nothing."""

    world: World
    exam: dict[str, Exam]  # target -> a saved exam
    draft: dict[str, Exam]
    sessions: dict[str, TreatmentSession]  # target -> a draft session from the saved exam
    links: dict[str, int] = field(default_factory=dict)  # target -> a kiosk link on its episode

    def patient(self, target: str) -> int:
        return {"A": self.world.patient.pk, "B": self.world.other_patient.pk}.get(target, _missing(target))

    def episode(self, target: str) -> int:
        return {"A": self.world.episode.pk, "B": self.world.other_episode.pk}.get(target, _missing(target))

    def consent(self, target: str) -> int:
        return {"A": self.world.consent.pk, "B": self.world.other_consent.pk}.get(target, _missing(target))

    def saved(self, target: str) -> int:
        return self.exam[target].pk if target in self.exam else _missing(target)

    def draft_exam(self, target: str) -> int:
        return self.draft[target].pk if target in self.draft else _missing(target)

    def session(self, target: str) -> int:
        return self.sessions[target].pk if target in self.sessions else _missing(target)

    def kiosk_link(self, target: str) -> int:
        """A kiosk link made on the target's episode (by its clinician), for the page that shows it."""
        if target not in ("A", "B"):
            return _missing(target)
        if target not in self.links:  # one link a target: the test asks for the route's ids more than once
            episode = {"A": self.world.episode, "B": self.world.other_episode}[target]
            self.links[target] = kiosk.make_link(episode, "nprs", episode.clinician, episode.patient.clinic)[1].pk
        return self.links[target]

    def follow_up(self, target: str) -> int:
        if target not in self.sessions:
            return _missing(target)
        session = self.sessions[target]
        task, _ = FollowUp.objects.get_or_create(
            session=session,
            clinic=session.episode.patient.clinic,
            reason="thoracic needling",
            defaults={"due_on": session.started_at.date()},
        )
        return task.pk


def _missing(target: str) -> int:
    return BEYOND if target == "beyond" else NOWHERE


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    record_type: str  # the record the first id names
    args: Callable[[Records, str], list[int]]

    def __str__(self) -> str:
        return self.name


def _by(kind: str) -> Callable[[Records, str], list[int]]:
    return lambda r, target: [getattr(r, kind)(target)]


ROUTES = [
    Route("patients:detail", "get", "patient", _by("patient")),
    Route("patients:edit", "get", "patient", _by("patient")),
    Route("patients:precautions", "get", "patient", _by("patient")),
    Route("patients:consent_new", "get", "patient", _by("patient")),
    Route("patients:consent_withdraw", "post", "patient", lambda r, t: [r.patient(t), r.consent(t)]),
    Route("patients:episode_new", "get", "patient", _by("patient")),
    Route("patients:episode", "get", "episode", _by("episode")),
    Route("patients:episode_edit", "get", "episode", _by("episode")),
    Route("exams:new", "get", "episode", _by("episode")),
    Route("exams:copy_forward", "get", "episode", _by("episode")),
    Route("exams:detail", "get", "exam", _by("saved")),
    Route("exams:edit", "get", "exam", _by("draft_exam")),
    Route("exams:export", "get", "exam", _by("saved")),
    Route("exams:autosave_new", "post", "episode", _by("episode")),
    Route("exams:autosave", "post", "exam", _by("draft_exam")),
    Route("exams:addendum", "post", "exam", _by("saved")),
    Route("documents:session_summary", "get", "treatmentsession", _by("session")),
    Route("documents:session_summary_pdf", "get", "treatmentsession", _by("session")),
    Route("documents:session_handout", "get", "treatmentsession", _by("session")),
    Route("documents:session_handout_pdf", "get", "treatmentsession", _by("session")),
    Route("documents:exam_handout", "get", "exam", _by("saved")),
    Route("documents:exam_handout_pdf", "get", "exam", _by("saved")),
    Route("documents:discharge", "get", "episode", _by("episode")),
    Route("documents:discharge_pdf", "get", "episode", _by("episode")),
    Route("treatments:start", "get", "exam", _by("saved")),
    Route("treatments:session", "get", "treatmentsession", _by("session")),
    *(
        Route(f"treatments:{name}", "post", "treatmentsession", _by("session"))
        for name in ("insertion", "field", "add_step", "skip_step", "move_step", "adverse", "sign", "addendum")
    ),
    Route("treatments:follow_up_done", "post", "followup", _by("follow_up")),
    Route("outcomes:episode", "get", "episode", _by("episode")),
    Route("outcomes:set", "post", "episode", _by("episode")),
    Route("outcomes:enter", "get", "episode", lambda r, target: [r.episode(target), "nprs"]),
    Route("outcomes:progress", "get", "episode", _by("episode")),
    Route("outcomes:make_kiosk", "post", "episode", lambda r, target: [r.episode(target), "nprs"]),
    Route("outcomes:kiosk_link", "get", "episode", lambda r, target: [r.episode(target), r.kiosk_link(target)]),
]
PERSONAS = {"alice": "A", "bob": "A", "charlie": "B"}
TARGETS = ["A", "B", "nowhere", "beyond"]


@pytest.fixture
def records(world: World) -> Records:
    exam = {"A": make_exam(world.episode, world.alice), "B": make_exam(world.other_episode, world.charlie)}
    return Records(
        world,
        exam=exam,
        draft={
            "A": make_exam(world.episode, world.alice, saved=False),
            "B": make_exam(world.other_episode, world.charlie, saved=False),
        },
        sessions={t: TreatmentSession.objects.create(episode=e.episode, exam=e, practitioner=e.created_by) for t, e in exam.items()},
    )


def _send(client: Client, route: Route, records: Records, target: str) -> Any:
    url = reverse(route.name, args=route.args(records, target))
    return client.post(url) if route.method == "post" else client.get(url)


def _id_routes(patterns: list[Any], prefix: str = "") -> set[str]:
    """Every named route of the app whose path takes an id (the Django admin has its own checks)."""
    found: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                found |= _id_routes(pattern.url_patterns, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.pattern.converters:
            found.add(prefix + pattern.name)
    return found


# Clinic admins' pages about a member: the id is a user's, and only members of the active clinic are found.
ADMIN_ROUTES = ["accounts:unlock", "accounts:reset_second_factor"]
# A clinic admin ending a member's needling credential: the id is the credential's.
CREDENTIAL_ROUTE = "treatments:end_credential"


# The kiosk's path holds its link's token, not a record's id: a token is its own authority, for one
# questionnaire of one episode, without sign-in (tests/clinic/test_outcomes_kiosk.py).
KIOSK_ROUTE = "outcomes:kiosk"


def test_the_table_covers_every_route_that_takes_an_id() -> None:
    covered = {route.name for route in ROUTES} | {*ADMIN_ROUTES, CREDENTIAL_ROUTE, KIOSK_ROUTE}
    assert covered == _id_routes(get_resolver().url_patterns)


@pytest.mark.parametrize("target", ["A", "B", "nowhere"])
def test_a_credential_outside_the_admins_clinic_is_an_audited_404(world: World, target: str) -> None:
    made = {
        clinic: NeedlingCredential.objects.create(
            user=user, clinic=world_clinic, profession=Profession.PHYSIOTHERAPIST, registration="R-1", recorded_by=world.erin
        )
        for clinic, user, world_clinic in (("A", world.alice, world.clinic_a), ("B", world.charlie, world.clinic_b))
    }
    credential_id = made[target].pk if target in made else NOWHERE
    response = world.client("erin").post(reverse(CREDENTIAL_ROUTE, args=[credential_id]))
    denied = list(AuditEvent.objects.filter(user=world.erin, action=Action.DENIED))
    if target == "A":
        assert response.status_code == 302 and denied == []
        made["A"].refresh_from_db()
        assert made["A"].ended_at is not None
        return
    assert response.status_code == 404
    [event] = denied
    assert (event.clinic, event.record_type, event.record_id, event.detail) == (
        world.clinic_a,
        "needlingcredential",
        str(credential_id),
        NOT_IN_CLINIC,
    )
    assert event.owner_clinic == (world.clinic_b if target == "B" else None)
    made["B"].refresh_from_db()
    assert made["B"].ended_at is None


@pytest.mark.parametrize("target", ["A", "B", "nowhere"])
@pytest.mark.parametrize("route", ADMIN_ROUTES)
def test_a_member_outside_the_admins_clinic_is_an_audited_404(world: World, route: str, target: str) -> None:
    user_id = {"A": world.alice.pk, "B": world.charlie.pk}.get(target, NOWHERE)
    response = world.client("erin").post(reverse(route, args=[user_id]))
    denied = list(AuditEvent.objects.filter(user=world.erin, action=Action.DENIED))
    if target == "A":
        assert response.status_code == 302
        assert denied == []
        return
    assert response.status_code == 404
    [event] = denied
    assert (event.clinic, event.record_type, event.record_id, event.detail) == (world.clinic_a, "user", str(user_id), NOT_IN_CLINIC)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("who", list(PERSONAS))
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_record_outside_the_active_clinic_is_an_audited_404(world: World, records: Records, route: Route, who: str, target: str) -> None:
    user = getattr(world, who)
    own_clinic = world.clinic_a if PERSONAS[who] == "A" else world.clinic_b
    response = _send(world.client(who), route, records, target)
    denied = list(AuditEvent.objects.filter(user=user, action=Action.DENIED))
    if target == PERSONAS[who]:
        # Found: whatever else the route refuses (recording insertions needs a needling credential), it is not "not found".
        assert response.status_code != 404
        assert [e for e in denied if e.detail == NOT_IN_CLINIC] == []
        return
    assert response.status_code == 404
    [event] = denied
    requested = route.args(records, target)[0]
    assert (event.clinic, event.record_type, event.record_id, event.detail) == (
        own_clinic,
        route.record_type,
        str(requested),
        NOT_IN_CLINIC,
    )
    assert (event.remote_addr, event.path) == (OUTSIDE_ADDRESS, reverse(route.name, args=route.args(records, target)))
    holder = {"A": world.clinic_a, "B": world.clinic_b}.get(target)
    assert event.owner_clinic == holder


def test_a_consent_of_another_clinic_under_ones_own_patient_is_an_audited_404(world: World) -> None:
    url = reverse("patients:consent_withdraw", args=[world.patient.pk, world.other_consent.pk])
    assert world.client("alice").post(url).status_code == 404
    event = AuditEvent.objects.get(user=world.alice, action=Action.DENIED)
    assert (event.record_type, event.record_id, event.clinic, event.owner_clinic) == (
        "consent",
        str(world.other_consent.pk),
        world.clinic_a,
        world.clinic_b,
    )
    world.other_consent.refresh_from_db()
    assert world.other_consent.withdrawn_on is None


def _normalised(response: Any) -> tuple[int, str, dict[str, str]]:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="-"', response.content.decode())
    headers = {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}
    return response.status_code, body, headers


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_record_of_another_clinic_and_a_probe_look_the_same_to_the_requester(world: World, records: Records, route: Route) -> None:
    """Same page, same headers, and the same row in the requester's own audit log: nothing to tell them apart."""
    fiona = get_user_model().objects.create(username="fiona")  # clinic B's admin, reading B's log
    Membership.objects.create(user=fiona, clinic=world.clinic_b, role=Role.CLINIC_ADMIN)
    enrol_second_factor(fiona)
    seen = []
    for target in ("A", "nowhere"):
        response = _send(world.client("charlie"), route, records, target)
        event = AuditEvent.objects.filter(user=world.charlie, action=Action.DENIED).latest("id")
        log = Client(REMOTE_ADDR=OUTSIDE_ADDRESS)
        force_login(log, fiona)
        newest = log.get(reverse("audit:log"), {"action": "denied"}).content.decode().split("<tbody>")[1].split("</tr>")[0]
        seen.append((_normalised(response), event.clinic_id, event.record_type, event.detail, _masked(newest)))
    assert seen[0] == seen[1]
    assert seen[0][0][0] == 404


def _masked(row: str) -> str:
    """A row of the log with the requested ids masked (they differ by construction) and its time dropped."""
    row = re.sub(r"#\d+|/\d+/", "ID", row)
    return re.sub(r"<time[^>]*>[^<]*</time>", "", row)


def test_the_clinic_holding_the_record_sees_the_attempt_in_its_log(world: World, records: Records) -> None:
    world.client("charlie").get(reverse("patients:detail", args=[world.patient.pk]))
    rows = world.client("erin").get(reverse("audit:log"), {"action": "denied"}).content.decode().split("<tbody>")[1]
    assert "charlie" in rows and f"/patients/{world.patient.pk}/" in rows
    assert "requested from another clinic" in rows


def test_a_probe_for_an_id_that_exists_nowhere_stays_in_the_requesters_clinic(world: World, records: Records) -> None:
    world.client("charlie").get(reverse("patients:detail", args=[NOWHERE]))
    assert AuditEvent.objects.filter(action=Action.DENIED, record_id=str(NOWHERE), clinic=world.clinic_b).count() == 1
    rows = world.client("erin").get(reverse("audit:log"), {"action": "denied"}).content.decode().split("<tbody>")[1]
    assert str(NOWHERE) not in rows


def test_an_id_beyond_any_database_key_is_a_404_not_a_server_error(world: World) -> None:
    for name in ("patients:detail", "patients:episode", "exams:detail"):
        assert world.client("alice").get(reverse(name, args=[BEYOND])).status_code == 404
