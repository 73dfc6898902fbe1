"""The kiosk: a single-use, expiring link to one questionnaire of one episode, no sign-in, and the
staff session it locks on the device where it is opened.

World's episode is Alice's tennis elbow: PRTEE (licensed wording, not shipped), NPRS and PSFS (the
project's own wording). Personas: Alice's clinic holds Bob; Charlie is in another clinic; Dana is front desk.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from myotome.clinic.audit.models import Action, AnonymousCount, AuditEvent
from myotome.clinic.outcomes import kiosk
from myotome.clinic.outcomes.lock import LOCKED
from myotome.clinic.outcomes.models import KioskLink, OutcomeScore
from myotome.clinic.patients.models import Episode

from .conftest import PASSWORD, World


def make(world: World, measure: str = "nprs", who: str = "alice", client: Client | None = None) -> Any:
    """Make a link and follow the redirect to the page that shows it once."""
    return (client or world.client(who)).post(reverse("outcomes:make_kiosk", args=[world.episode.pk, measure]), follow=True)


def link_url(world: World, measure: str = "nprs") -> str:
    """A fresh link, made as Alice makes one; the URL the page shows (the token is nowhere else)."""
    response = make(world, measure)
    assert response.status_code == 200
    return str(response.context["url"]).removeprefix("http://testserver")


def test_the_address_is_shown_once(world: World) -> None:
    client = world.client("alice")
    response = make(world, client=client)
    assert "/kiosk/" in response.content.decode()
    again = client.get(response.redirect_chain[-1][0])
    assert again.status_code == 200 and again.context["url"] is None
    assert "shown once and is not kept" in again.content.decode()
    assert world.client("charlie").get(response.redirect_chain[-1][0]).status_code == 404


def test_a_clinician_makes_a_link_that_holds_only_an_opaque_token(world: World) -> None:
    url = link_url(world)
    token = url.removeprefix("/kiosk/").removesuffix("/")
    link = KioskLink.objects.get()
    assert len(token) == 43 and str(world.episode.pk) not in token.split("-")
    assert link.token_hash == kiosk.token_hash(token) != token  # only the hash is stored
    assert (link.episode, link.measure, link.timepoint, link.used_at) == (world.episode, "nprs", "intake", None)
    assert timedelta(minutes=29) < link.expires_at - timezone.now() <= timedelta(minutes=30)
    AuditEvent.objects.get(action=Action.CREATE, record_type="kiosklink", user=world.alice)


@pytest.mark.parametrize(
    ("who", "status", "made"), [("alice", 200, 1), ("bob", 200, 1), ("charlie", 404, 0), ("dana", 403, 0), (None, 200, 0)]
)
def test_who_may_make_a_link(world: World, who: str | None, status: int, made: int) -> None:
    response = make(world, who=who)  # type: ignore[arg-type]
    assert response.status_code == status  # anonymous: to the sign-in page
    assert KioskLink.objects.count() == made


# measure, wording loaded by the clinic, may a link be made. PRTEE's wording is licensed: never shipped.
SCOPE = [
    ("nprs", False, True),
    ("psfs", False, True),
    ("prtee", False, False),
    ("prtee", True, True),  # the clinic loaded its licensed wording
    ("quickdash", False, False),
]


@pytest.mark.parametrize(("measure", "loaded", "allowed"), SCOPE)
def test_only_wording_the_patient_may_see_goes_to_the_kiosk(
    world: World, settings: Any, tmp_path: Path, measure: str, loaded: bool, allowed: bool
) -> None:
    settings.OUTCOME_WORDING_DIR = tmp_path
    if loaded:
        write_prtee_wording(tmp_path)
    response = make(world, measure)
    assert response.status_code == (200 if allowed else 409)
    assert KioskLink.objects.filter(measure=measure).exists() is allowed
    if allowed:
        page = Client().get(str(response.context["url"]))
        assert page.status_code == 200
        if loaded:
            assert "How bad is your arm pain at rest? (clinic wording)" in page.content.decode()


def write_prtee_wording(folder: Path) -> None:
    labels = [str(v) for v in range(11)]
    parts = {
        "pain": [{"text": "How bad is your arm pain at rest? (clinic wording)", "options": labels}] * 5,
        "function": [{"text": f"Function item {n} (clinic wording)", "options": labels} for n in range(1, 11)],
    }
    (folder / "prtee.yaml").write_text(yaml.safe_dump({"measure": "prtee", "licence": "Test Clinic licence 1", "parts": parts}))


def test_the_kiosk_page_shows_the_questionnaire_and_nothing_of_the_record(world: World) -> None:
    page = Client().get(link_url(world)).content.decode()
    assert "On a scale from 0 (no pain) to 10" in page
    for private in (world.patient.family_name, world.patient.given_name, "Tennis elbow", "Sign out", "/patients/"):
        assert private not in page


def post_nprs(client: Client, url: str, value: str = "3", **extra: str) -> Any:
    return client.post(url, {"items_1": value, **extra})


def test_a_patient_answers_and_exactly_that_score_is_written(world: World) -> None:
    url = link_url(world)
    other = Episode.objects.create(
        patient=world.patient, clinician=world.alice, regions=["low_back"], side="left", condition="low_back_pain"
    )
    # Fields of other forms are ignored: the link alone decides episode, measure and timepoint.
    response = post_nprs(Client(), url, "3", measure="ndi", episode=str(other.pk), timepoint="discharge", part_items="9")
    assert response.status_code == 302 and response["Location"] == reverse("outcomes:kiosk_done")
    saved = OutcomeScore.objects.get()
    assert (saved.episode, saved.measure, saved.score, saved.timepoint, saved.recorded_by) == (
        world.episode,
        "nprs",
        3.0,
        "intake",
        world.alice,
    )
    link = KioskLink.objects.get()
    assert link.used_at is not None and link.score == saved
    event = AuditEvent.objects.get(action=Action.CREATE, record_type="outcomescore")
    assert (event.user, event.username, event.clinic) == (None, "kiosk", world.clinic_a)


# what happens to the link first, then the request: status, and whether a score is written.
SINGLE_USE = [
    ("nothing", "GET", 200, False),
    ("nothing", "POST", 302, True),
    ("used", "GET", 410, False),
    ("used", "POST", 410, False),  # the second use is refused
    ("expired", "GET", 410, False),
    ("expired", "POST", 410, False),
]


@pytest.mark.parametrize(("before", "method", "status", "writes"), SINGLE_USE)
def test_a_link_works_once_and_only_until_it_expires(world: World, before: str, method: str, status: int, writes: bool) -> None:
    url = link_url(world)
    if before == "used":
        assert post_nprs(Client(), url).status_code == 302
    elif before == "expired":
        KioskLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    scores = OutcomeScore.objects.count()
    client = Client()
    response = client.get(url) if method == "GET" else post_nprs(client, url, "5")
    assert response.status_code == status
    assert OutcomeScore.objects.count() == scores + (1 if writes else 0)


def test_a_link_spent_between_opening_and_sending_is_refused(world: World) -> None:
    url = link_url(world)
    assert Client().get(url).status_code == 200
    link = KioskLink.objects.get()
    assert kiosk.spend(link) is True
    assert kiosk.spend(link) is False  # one conditional UPDATE: the second caller loses
    assert post_nprs(Client(), url).status_code == 410
    assert OutcomeScore.objects.count() == 0


@pytest.mark.parametrize("path", ["/kiosk/short/", "/kiosk/" + "A" * 43 + "/", "/kiosk/" + "é" * 43 + "/"])
def test_a_made_up_token_finds_nothing(world: World, path: str) -> None:
    assert Client().get(path).status_code == 404


def test_an_incomplete_answer_is_refused_and_the_link_kept(world: World) -> None:
    url = link_url(world)
    response = Client().post(url, {})
    assert response.status_code == 422, response.content.decode()
    assert "Please answer more of the questions" in response.content.decode(), response.content.decode()
    assert KioskLink.objects.get().used_at is None and OutcomeScore.objects.count() == 0


def test_kiosk_traffic_is_bounded_per_address(world: World, settings: Any) -> None:
    settings.KIOSK_PER_HOUR = 3
    url = link_url(world)
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.post(url, {}).status_code for _ in range(3)] + [client.post(url, {}).status_code]
    assert statuses == [422, 422, 422, 429]
    assert client.get("/kiosk/" + "B" * 43 + "/").status_code == 429  # guessing tokens counts too
    assert AnonymousCount.objects.get(address="203.0.113.9", action="kiosk").count == 5
    assert Client(REMOTE_ADDR="203.0.113.10").get(url).status_code == 200


# -- the staff lock ---------------------------------------------------------------------

# While locked: which pages answer (status) and where a redirect goes.
LOCKED_PAGES = [
    ("day", lambda w: "/", 302, "/kiosk/unlock/"),
    ("patient", lambda w: f"/patients/{w.patient.pk}/", 302, "/kiosk/unlock/"),
    ("episode", lambda w: f"/episodes/{w.episode.pk}/", 302, "/kiosk/unlock/"),  # Back to the record: refused
    ("progress", lambda w: f"/episodes/{w.episode.pk}/progress/", 302, "/kiosk/unlock/"),
    ("audit log", lambda w: "/audit/", 302, "/kiosk/unlock/"),
    ("unlock page", lambda w: "/kiosk/unlock/", 200, None),
]


@pytest.fixture
def locked(world: World, fast_passwords: None) -> tuple[World, Client, str]:
    """Alice's browser, in which she made a link and opened it (passwords set first: a new hash signs sessions out)."""
    client = world.client("alice")
    response = make(world, client=client)
    url = str(response.context["url"])
    assert client.get(url).status_code == 200
    return world, client, url


@pytest.mark.parametrize(("page", "path", "status", "location"), LOCKED_PAGES, ids=[p[0] for p in LOCKED_PAGES])
def test_a_kiosk_opened_where_staff_are_signed_in_locks_the_staff_pages(
    locked: tuple[World, Client, str], page: str, path: Any, status: int, location: str | None
) -> None:
    world, client, _ = locked
    response = client.get(path(world))
    assert response.status_code == status
    if location:
        assert response["Location"] == location


def test_the_kiosk_itself_still_works_in_the_locked_session(locked: tuple[World, Client, str]) -> None:
    world, client, url = locked
    assert post_nprs(client, url).status_code == 302
    assert client.get(reverse("outcomes:kiosk_done")).status_code == 200
    assert client.get("/").status_code == 302  # still locked after the patient is done
    assert AuditEvent.objects.get(action=Action.UPDATE, record_type="staff_session").user == world.alice


# password typed, status, still locked afterwards
UNLOCK = [
    ("wrong password", 422, True),
    (PASSWORD, 302, False),
    ("", 422, True),
]


@pytest.mark.parametrize(("password", "status", "still_locked"), UNLOCK)
def test_the_staff_password_lifts_the_lock(locked: tuple[World, Client, str], password: str, status: int, still_locked: bool) -> None:
    world, client, _ = locked
    response = client.post("/kiosk/unlock/", {"password": password})
    assert response.status_code == status
    assert (client.get("/").status_code == 302) is still_locked
    assert bool(client.session.get(LOCKED)) is still_locked
    if password == PASSWORD:
        AuditEvent.objects.get(action=Action.LOGIN, record_type="staff_session", user=world.alice)
    elif password:
        AuditEvent.objects.get(action=Action.LOGIN_FAILED, record_type="staff_session", user=world.alice)


def test_repeated_wrong_passwords_sign_the_session_out(locked: tuple[World, Client, str], settings: Any) -> None:
    _, client, _ = locked
    settings.LOGIN_FAILURE_LIMIT = 2
    client.post("/kiosk/unlock/", {"password": "nope"})
    response = client.post("/kiosk/unlock/", {"password": "nope again"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_a_kiosk_on_a_device_with_no_one_signed_in_locks_nothing(world: World) -> None:
    client = Client()
    assert client.get(link_url(world)).status_code == 200
    assert LOCKED not in client.session
    assert not AuditEvent.objects.filter(record_type="staff_session").exists()


def test_psfs_on_the_kiosk_carries_the_activities_and_rates_them(world: World) -> None:
    from myotome.clinic.outcomes.service import save_score
    from myotome.outcomes import score

    activities = {"activities": [{"name": "stairs", "score": 3}, {"name": "lifting", "score": 4}, {"name": "typing", "score": 5}]}
    save_score(world.episode, score("psfs", activities), world.alice, "intake", timezone.localdate())
    url = link_url(world, "psfs")
    page = Client().get(url).content.decode()
    assert 'value="stairs"' in page and 'value="typing"' in page
    data = {"activity_1": "stairs", "activity_2": "lifting", "activity_3": "typing", "rating_1": "6", "rating_2": "7", "rating_3": "8"}
    assert Client().post(url, data).status_code == 302
    latest = OutcomeScore.objects.filter(measure="psfs").order_by("-id").first()
    assert latest is not None and (latest.score, latest.activity_names, latest.timepoint) == (
        7.0,
        ["stairs", "lifting", "typing"],
        "progress",
    )
