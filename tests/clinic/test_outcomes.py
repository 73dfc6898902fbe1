"""Outcome measures in the clinic: the entry page, stored scores, the measure set, due prompts, access.

World's episode is Alice's tennis elbow (lateral elbow): its default set is PRTEE, NPRS, PSFS.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.outcomes.models import EpisodeMeasures, OutcomeScore
from myotome.clinic.patients.models import EpisodeStatus

from .conftest import World


def enter_url(world: World, measure: str, episode: Any = None) -> str:
    return reverse("outcomes:enter", args=[(episode or world.episode).pk, measure])


def post(world: World, measure: str, who: str = "alice", **fields: str) -> Any:
    data = {"taken_on": "2026-03-02", "timepoint": "intake", **fields}
    return world.client(who).post(enter_url(world, measure), data)


def test_a_clinician_enters_a_form_and_the_score_is_stored_with_its_rule(world: World) -> None:
    response = post(world, "ndi", part_items="2 2 2 2 2 2 2 2 2 -")
    assert response.status_code == 302 and response["Location"] == reverse("outcomes:episode", args=[world.episode.pk])
    saved = OutcomeScore.objects.get()
    assert (saved.measure, saved.score, saved.valid, saved.timepoint) == ("ndi", 20.0, True, "intake")
    assert saved.responses == {"items": [2, 2, 2, 2, 2, 2, 2, 2, 2, None]}
    assert (saved.instrument_version, saved.scoring_rule_version) == ("Vernon & Mior 1991", "ndi-1")
    assert saved.missing_rule.startswith("published: Mean imputation")
    assert saved.recorded_by == world.alice
    event = AuditEvent.objects.get(action=Action.CREATE, record_type="outcomescore")
    assert event.record_id == str(saved.pk)


def test_parts_and_optional_modules_are_typed_on_their_own_lines(world: World) -> None:
    response = post(world, "quickdash", part_items="2 2 2 2 2 2 2 2 2 2 2", part_work="1 2 3 4", part_sports="")
    assert response.status_code == 302
    saved = OutcomeScore.objects.get()
    assert (saved.score, saved.subscales) == (25.0, {"work": 37.5})


@pytest.mark.parametrize(
    ("measure", "fields", "message"),
    [
        ("odi", {"part_items": "0 1 2 3 4 5 6 0 0 0"}, "odi item 7: 6 is not allowed; allowed values are 0, 1, 2, 3, 4, 5"),
        ("ndi", {"part_items": "1 2 3"}, "ndi part &#x27;items&#x27; expects a list of 10 item values, got 3 values"),
        ("ndi", {"part_items": "1 2 x 1 1 1 1 1 1 1"}, "items item 3: &#x27;x&#x27; is not a value; type a number, - for missing"),
        ("ndi", {"part_items": "1 1 1 1 1 1 1 1 1 1", "taken_on": "2999-01-01"}, "is in the future"),
    ],
)
def test_a_malformed_form_is_refused_naming_the_item_and_nothing_is_stored(
    world: World, measure: str, fields: dict[str, str], message: str
) -> None:
    response = post(world, measure, **fields)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not OutcomeScore.objects.exists()


def test_too_many_missing_items_are_stored_without_a_score_and_say_why(world: World) -> None:
    response = post(world, "quickdash", part_items="1 2 3 1 1 2 1 1 2 - -")
    assert response.status_code == 302
    saved = OutcomeScore.objects.get()
    assert (saved.valid, saved.score) == (False, None)
    assert saved.reason == "quickdash: 2 of 11 items missing or not applicable; the rule allows at most 1"


def test_psfs_activities_are_carried_to_the_next_form(world: World) -> None:
    post(world, "psfs", activity_1="stairs", rating_1="3", activity_2="lifting", rating_2="4", activity_3="typing", rating_3="5")
    assert OutcomeScore.objects.get().activity_names == ["stairs", "lifting", "typing"]
    page = world.client("alice").get(enter_url(world, "psfs")).content.decode()
    assert 'value="stairs"' in page and 'value="lifting"' in page and 'value="typing"' in page
    assert 'value="progress" selected' in page  # a second PSFS is a progress score


def test_a_licensed_measure_says_its_wording_is_not_shipped_and_a_project_one_shows_its_prompt(world: World) -> None:
    quickdash = world.client("alice").get(enter_url(world, "quickdash")).content.decode()
    assert "does not ship it" in quickdash and "cannot be shown to a patient" in quickdash
    nprs = world.client("alice").get(enter_url(world, "nprs")).content.decode()
    assert "how much pain do you have now?" in nprs and "does not ship it" not in nprs


def test_the_default_set_follows_the_condition_and_can_be_changed(world: World) -> None:
    page = world.client("alice").get(reverse("outcomes:episode", args=[world.episode.pk])).content.decode()
    assert "Patient-Rated Tennis Elbow Evaluation (primary)" in page
    response = world.client("alice").post(
        reverse("outcomes:set", args=[world.episode.pk]), {"primary": "quickdash", "others": ["nprs", "quickdash"]}
    )
    assert response.status_code == 302
    assert EpisodeMeasures.objects.get(episode=world.episode).measures == ["quickdash", "nprs"]
    assert AuditEvent.objects.filter(action=Action.UPDATE, detail="measure set: quickdash, nprs").exists()
    refused = world.client("alice").post(reverse("outcomes:set", args=[world.episode.pk]), {"primary": "whodas"})
    assert refused.status_code == 422 and "Select a valid choice. whodas is not one of the available choices" in refused.content.decode()


def test_the_episode_page_prompts_for_intake_then_shows_baseline_latest_and_mcid(world: World) -> None:
    episode_url = reverse("patients:episode", args=[world.episode.pk])
    assert "Due: an intake score on Patient-Rated Tennis Elbow Evaluation" in world.client("alice").get(episode_url).content.decode()
    world.client("alice").post(reverse("outcomes:set", args=[world.episode.pk]), {"primary": "ndi", "others": []})
    post(world, "ndi", part_items="3 3 3 3 3 3 3 3 3 3", taken_on="2026-03-02")
    post(world, "ndi", part_items="2 2 2 2 2 2 2 2 2 2", taken_on="2026-03-20", timepoint="progress")
    page = world.client("alice").get(episode_url).content.decode()
    assert "Due:" not in page
    assert "Baseline</dt><dd>30 on 2 Mar 2026" in page
    assert "20 on 20 Mar 2026 (change -10)" in page
    assert "reached: the change is at least 5 points in the better direction" in page


def test_a_discharged_episode_without_a_discharge_score_is_prompted(world: World) -> None:
    post(world, "prtee", part_pain="5 5 5 5 5", part_function="2 2 2 2 2 2 2 2 2 2")
    world.episode.status = EpisodeStatus.DISCHARGED
    world.episode.save()
    page = world.client("alice").get(reverse("patients:episode", args=[world.episode.pk])).content.decode()
    assert "Due: a discharge score on Patient-Rated Tennis Elbow Evaluation" in page


@pytest.mark.parametrize(("who", "status"), [("charlie", 404), ("dana", 403)])
def test_outsiders_and_front_desk_cannot_enter_or_see_scores(world: World, who: str, status: int) -> None:
    assert world.client(who).get(enter_url(world, "ndi")).status_code == status
    assert post(world, "ndi", who=who, part_items="1 1 1 1 1 1 1 1 1 1").status_code == status
    assert world.client(who).get(reverse("outcomes:episode", args=[world.episode.pk])).status_code == status
    assert not OutcomeScore.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(world: World) -> None:
    response = world.client(None).get(enter_url(world, "ndi"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_unknown_measure_is_a_404(world: World) -> None:
    assert world.client("alice").get(enter_url(world, "whodas")).status_code == 404


def test_the_patient_page_lists_scores_due_per_episode(world: World) -> None:
    patient_url = reverse("patients:detail", args=[world.patient.pk])
    page = world.client("alice").get(patient_url).content.decode()
    assert "Due: an intake score on Patient-Rated Tennis Elbow Evaluation for" in page
    post(world, "prtee", part_pain="5 5 5 5 5", part_function="2 2 2 2 2 2 2 2 2 2")
    assert "Due:" not in world.client("alice").get(patient_url).content.decode()
    world.episode.status = EpisodeStatus.DISCHARGED
    world.episode.save()
    assert "Due: a discharge score on Patient-Rated Tennis Elbow Evaluation" in world.client("alice").get(patient_url).content.decode()


def test_the_date_taken_is_shown_and_typed_in_the_clinics_format(world: World, settings: Any) -> None:
    # A native date picker follows the browser's locale (mm/dd/yyyy beside "28 Nov 2026"): a text input instead.
    settings.MYOTOME_DATE_FORMAT = "dd/mm/yyyy"
    page = world.client("alice").get(enter_url(world, "nprs")).content.decode()
    assert 'type="date"' not in page and 'placeholder="28/11/2026"' in page
    assert post(world, "nprs", part_items="6", taken_on="02/03/2026").status_code == 302
    assert str(OutcomeScore.objects.get().taken_on) == "2026-03-02"
    refused = post(world, "nprs", part_items="6", taken_on="03-02-2026")
    assert refused.status_code == 422 and "write it as 28/11/2026" in refused.content.decode()
