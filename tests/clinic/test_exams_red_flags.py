"""The red-flag screen in the clinic: its answers go into the document, come back into the form,
and the result page shows the flags before anything else (and no plan while they hold it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from myotome.clinic.exams.findings import input_from_document
from myotome.clinic.exams.models import Exam
from myotome.kb import load_kb

from .conftest import World
from .exam_data import C6_POST

SADDLE = {**C6_POST, "zone": [*C6_POST["zone"], "saddle_area:left:sensory:reduced", "saddle_area:right:sensory:reduced"]}
FOOT_DROP = {**C6_POST, "weak_name": ["ankle dorsiflexion", ""], "weak_grade": ["2", ""]}


def _save(world: World, data: dict[str, Any]) -> Exam:
    response = world.client("alice").post(reverse("exams:new", args=[world.episode.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Exam.objects.latest("pk")


def test_the_screen_is_stored_in_the_document_and_read_back_into_the_form(world: World) -> None:
    exam = _save(
        world,
        {**C6_POST, "history": ["night_pain", "major_trauma"], "sphincter": "no", "cardiac_screen": "done", "acknowledged": ["night_pain"]},
    )
    document = exam.document
    assert (document["history"], document["sphincter"], document["cardiac_screen"], document["acknowledged_red_flags"]) == (
        ["night_pain", "major_trauma"],
        "no",
        "done",
        ["night_pain"],
    )
    data = input_from_document(document, load_kb())
    assert (data.history, data.sphincter, data.cardiac_screen, data.acknowledged) == (
        ["night_pain", "major_trauma"],
        "no",
        "done",
        ["night_pain"],
    )
    page = world.client("alice").get(reverse("exams:copy_forward", args=[world.episode.pk])).content.decode()
    assert 'name="history" value="night_pain" checked' in page and 'name="acknowledged" value="night_pain" checked' in page


def test_saddle_numbness_shows_an_urgent_referral_first_and_no_plan(world: World) -> None:
    exam = _save(world, SADDLE)
    assert exam.result["plan"]["steps"] == [] and exam.result["red_flags"][0]["code"] == "cauda_equina"
    page = world.client("alice").get(reverse("exams:detail", args=[exam.pk])).content.decode()
    box = page.index('class="red-flags blocking" role="alert"')
    assert box < page.index("Likely segments") and box < page.index("Warnings")
    assert "Refer urgently: Possible cauda equina syndrome" in page and "No plan: Possible cauda equina syndrome" in page
    assert 'class="plan-step' not in page


def test_a_foot_drop_holds_the_plan_until_acknowledged(world: World) -> None:
    held = _save(world, FOOT_DROP)
    assert held.result["plan"]["steps"] == [] and "marked_motor_deficit" in held.result["plan"]["blocked"]
    given = _save(world, {**FOOT_DROP, "acknowledged": ["marked_motor_deficit"]})
    assert given.result["plan"]["steps"] and given.result["plan"]["blocked"] is None
    page = world.client("alice").get(reverse("exams:detail", args=[given.pk])).content.decode()
    assert "Refer: Marked or progressive weakness" in page and "— acknowledged" in page


def test_an_urgent_referral_cannot_be_acknowledged_from_the_form(world: World) -> None:
    response = world.client("alice").post(reverse("exams:new", args=[world.episode.pk]), {**SADDLE, "acknowledged": ["cauda_equina"]})
    assert response.status_code == 422
    assert "an urgent referral never is" in response.content.decode()
    assert not Exam.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"history": ["back pain"]}, "History: 'back pain' is not a red-flag history the form offers"),
        ({"sphincter": "maybe"}, "Bladder or bowel: 'maybe' is not one of not_asked, no or yes"),
        ({"cardiac_screen": "soon"}, "Cardiac screen: 'soon' is not one of done or not_done"),
        ({"pregnancy_trimester": "4"}, "Trimester: '4' is not 1, 2 or 3"),
        ({"reflex_hoffmann_sign_right": "brisk"}, "Hoffmann sign, right: 'brisk' is not a grade; choose negative or positive"),
    ],
)
def test_bad_screen_answers_are_refused_naming_the_field(world: World, changes: dict[str, Any], message: str) -> None:
    response = world.client("alice").post(reverse("exams:new", args=[world.episode.pk]), {**C6_POST, **changes})
    assert response.status_code == 422
    assert message in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert not Exam.objects.exists()


def test_a_positive_hoffmann_from_the_form_is_an_upper_motor_neurone_flag(world: World) -> None:
    exam = _save(world, {**C6_POST, "reflex_hoffmann_sign_right": "positive"})
    assert [f["code"] for f in exam.result["red_flags"]] == ["upper_motor_neurone"]
    assert exam.document["findings"] and any(f.get("grade") == "positive" for f in exam.document["findings"])
