"""Episodes of care: regions resolved by the knowledge base, conditions from its vocabulary."""

from __future__ import annotations

import pytest
from django.urls import reverse

from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.patients.models import Episode

from .conftest import World

VALID = {
    "regions_text": "outside of the foot, heel",
    "side": "right",
    "condition": "plantar_fasciitis",
    "onset_date": "2026-03-01",
    "pain": "7",
    "status": "active",
}


def _new(world: World, who: str = "alice", **changes: str) -> object:
    return world.client(who).post(reverse("patients:episode_new", args=[world.patient.pk]), {**VALID, **changes})


def test_an_episode_stores_kb_region_ids_from_plain_words(world: World) -> None:
    response = _new(world)
    episode = Episode.objects.filter(patient=world.patient).exclude(pk=world.episode.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("patients:episode", args=[episode.pk])
    assert episode.regions == ["lateral_foot", "heel"]
    assert (episode.condition, episode.pain, episode.created_by) == ("plantar_fasciitis", 7, world.alice)
    event = AuditEvent.objects.get(action=Action.CREATE)
    assert (event.record_type, event.record_id) == ("episode", str(episode.pk))


def test_the_episode_page_shows_display_names(world: World) -> None:
    page = world.client("bob").get(reverse("patients:episode", args=[world.episode.pk])).content.decode()
    assert "Tennis elbow (lateral epicondylalgia)" in page and "Lateral elbow" in page and "6/10" in page
    assert AuditEvent.objects.filter(action=Action.VIEW, record_type="episode", record_id=str(world.episode.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"regions_text": "lateral elbw"}, "unknown region &#x27;lateral elbw&#x27;; did you mean &#x27;Lateral elbow&#x27;"),
        ({"regions_text": " , "}, "Name at least one body region"),
        ({"pain": "11"}, "Pain 11 is outside the scale"),
        ({"pain": "-1"}, "Pain -1 is outside the scale"),
        ({"condition": "broken_heart"}, "Select a valid choice. broken_heart is not one of the available choices"),
        ({"side": "up"}, "Select a valid choice"),
        ({"onset_date": "2999-01-01"}, "Onset 01 Jan 2999 is in the future"),
    ],
)
def test_bad_episode_input_is_refused_and_the_typed_values_kept(world: World, changes: dict[str, str], message: str) -> None:
    response = _new(world, **changes)
    page = response.content.decode()
    assert response.status_code == 422
    assert message in page
    typed = {**VALID, **changes}["regions_text"]
    assert f'value="{typed}"' in page
    assert Episode.objects.filter(patient=world.patient).count() == 1


def test_editing_keeps_region_names_readable_and_audits_the_change(world: World) -> None:
    url = reverse("patients:episode_edit", args=[world.episode.pk])
    client = world.client("bob")
    assert 'value="Lateral elbow"' in client.get(url).content.decode()
    response = client.post(
        url, {**VALID, "regions_text": "Lateral elbow, lateral forearm", "condition": "tennis_elbow", "status": "discharged"}
    )
    assert response.status_code == 302
    world.episode.refresh_from_db()
    assert world.episode.regions == ["lateral_elbow", "lateral_forearm"] and world.episode.status == "discharged"
    assert AuditEvent.objects.get(action=Action.UPDATE, record_type="episode").detail.startswith("changed: ")


def test_an_episode_page_warns_when_there_is_no_consent(world: World) -> None:
    world.consent.withdrawn_on = world.consent.given_on
    world.consent.save()
    page = world.client("alice").get(reverse("patients:episode", args=[world.episode.pk])).content.decode()
    assert "No consent to needling is on file" in page
