"""The exam page at the treatment table: focused by the complaint, the spine ladder, notes and the small things."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from myotome import exam as exam_module
from myotome.clinic.exams import catalogue, focus
from myotome.clinic.exams.findings import assessment_json
from myotome.clinic.exams.forms import next_level_sign
from myotome.clinic.exams.models import Exam
from myotome.exam import HISTORY_CODES, parse_assessment
from myotome.kb import load_kb

from .conftest import World
from .exam_data import C6_POST, make_exam


def _post(world: World, data: dict[str, Any], url: str | None = None) -> Any:
    return world.client("alice").post(url or reverse("exams:new", args=[world.episode.pk]), data)


def _open_parts(page: str) -> list[str]:
    """The summaries of the page's open groups, in page order."""
    return [s.strip() for s in re.findall(r"<details class=\"part[^\"]*\" open>\s*<summary>([^<]+)", page)]


def _closed_parts(page: str) -> list[str]:
    return [s.strip() for s in re.findall(r"<details class=\"part[^\"]*\">\s*<summary>([^<]+)", page)]


@pytest.mark.parametrize(
    ("regions", "parts"),
    [
        (["lateral_elbow"], {"arm", "cervical"}),  # the elbow's dermatome is C6: the neck is examined too
        (["low_back"], {"lumbar", "thoracic"}),  # its skin reaches up to T12
        (["posterior_neck"], {"cervical"}),
        (["buttock"], {"leg", "lumbar"}),  # S2-S3 skin on the lower limb
        (["no_such_area"], set()),  # an area the KB no longer knows opens nothing (so everything is open)
    ],
)
def test_a_complaint_opens_the_parts_of_the_body_it_touches(regions: list[str], parts: set[str]) -> None:
    assert focus.focus_parts(load_kb(), regions) == parts


def test_an_elbow_complaint_opens_the_neck_and_arm_and_keeps_the_rest_one_click_away(world: World) -> None:
    page = world.client("alice").get(reverse("exams:new", args=[world.episode.pk])).content.decode()
    assert _open_parts(page) == ["Cervical", "Neck and jaw", "Shoulder and arm", "Arm"]
    assert _closed_parts(page) == [
        "Thoracic",
        "Lumbar and sacral",
        "Trunk",
        "Hip and leg",
        "Leg",
        "Red flags acknowledged after referral or screening",
    ]
    # Closed, never gone: the hip's range and the ankle reflex are on the page.
    assert 'id="rom_hip_flexion_right"' in page and 'id="reflex_achilles_reflex_left"' in page
    assert 'data-regions="lateral_elbow"' in page


def test_a_low_back_complaint_opens_the_lumbar_levels_and_the_leg(world: World) -> None:
    page = world.client("charlie").get(reverse("exams:new", args=[world.other_episode.pk])).content.decode()
    assert _open_parts(page) == ["Thoracic", "Lumbar and sacral", "Trunk", "Hip and leg", "Leg"]
    assert _closed_parts(page) == [
        "Cervical",
        "Neck and jaw",
        "Shoulder and arm",
        "Arm",
        "Red flags acknowledged after referral or screening",
    ]


def test_a_group_with_something_recorded_is_open_whatever_the_complaint(world: World) -> None:
    response = _post(world, {**C6_POST, "action": "refresh", "rom_ankle_dorsiflexion_left": "10", "para_L5-S1_left": "tender"})
    assert response.status_code == 200
    parts = _open_parts(response.content.decode())
    assert "Hip and leg" in parts and "Lumbar and sacral" in parts


@pytest.mark.parametrize(("sign", "after"), [("", "tender"), ("tender", "thickened"), ("thickened", ""), ("sore", "")])
def test_a_tap_on_the_ladder_cycles_tender_thickened_clear(sign: str, after: str) -> None:
    assert next_level_sign(sign) == after


def test_the_ladder_works_without_javascript_each_tap_posting_the_form(world: World) -> None:
    post = {k: v for k, v in C6_POST.items() if k != "action"}
    page = _post(world, {**post, "cycle_level": "C5-C6:right"}).content.decode()
    assert 'id="para_C5-C6_right" name="para_C5-C6_right" value="tender"' in page
    assert 'aria-label="C5-C6 right: tender">Tender</button>' in page
    # Everything else is kept, and nothing is stored until Save.
    assert 'id="para_C6_right" name="para_C6_right" value="thickened"' in page and not Exam.objects.exists()
    page = _post(world, {**post, "para_C5-C6_right": "tender", "cycle_level": "C5-C6:right"}).content.decode()
    assert 'id="para_C5-C6_right" name="para_C5-C6_right" value="thickened"' in page
    page = _post(world, {**post, "para_C5-C6_right": "thickened", "cycle_level": "C5-C6:right"}).content.decode()
    assert 'id="para_C5-C6_right" name="para_C5-C6_right" value=""' in page
    # Each rung posts the form to its own address, and the page comes back focused on that rung
    # (autofocus: scrolled to it, without JavaScript); no other rung takes the focus.
    assert 'data-rung="para_C5-C6_right" autofocus aria-label="C5-C6 right: clear">' in page and page.count(" autofocus") == 1
    assert "formaction" not in page


def test_a_tap_on_a_level_the_form_does_not_have_changes_nothing(world: World) -> None:
    post = {k: v for k, v in C6_POST.items() if k != "action"}
    response = _post(world, {**post, "cycle_level": "C8:right"})
    assert response.status_code == 200 and 'id="para_C8_right"' not in response.content.decode()


def test_midline_movements_have_one_box_labelled_midline_not_left(world: World) -> None:
    page = world.client("alice").get(reverse("exams:new", args=[world.episode.pk])).content.decode()
    flexion = re.search(r'<div class="rom-row midline">.*?</div>\s*</div>', page, re.S)
    assert flexion and "Cervical flexion" in flexion.group(0)
    assert re.search(r'<label for="rom_cervical_flexion" class="rom-side">.*?Midline', page, re.S)
    assert ">Left<" not in flexion.group(0)


NOTES = {"history_note": "Pain since lifting boxes in March.\nWorse at night.", "exam_note": "Guarded neck movement."}


def test_notes_are_saved_with_the_exam_and_shown_on_it(world: World) -> None:
    response = _post(world, {**C6_POST, **NOTES})
    assert response.status_code == 302
    exam = Exam.objects.get()
    assert (exam.history_note, exam.exam_note) == (NOTES["history_note"], NOTES["exam_note"])
    assert "history_note" not in exam.document and "Worse at night" not in str(exam.document)  # the engine reads findings only
    page = world.client("alice").get(reverse("exams:detail", args=[exam.pk])).content.decode()
    assert "Pain since lifting boxes in March.<br>Worse at night." in page and "Guarded neck movement." in page


def test_a_draft_keeps_its_notes(world: World) -> None:
    response = _post(world, {**C6_POST, **NOTES, "action": "draft"})
    draft = Exam.objects.get()
    assert response.status_code == 302 and draft.is_draft
    page = world.client("alice").get(reverse("exams:edit", args=[draft.pk])).content.decode()
    assert ">Pain since lifting boxes in March.\nWorse at night.</textarea>" in page


def test_copy_forward_shows_the_previous_notes_beside_empty_new_ones(world: World) -> None:
    _post(world, {**C6_POST, **NOTES})
    page = world.client("alice").get(reverse("exams:copy_forward", args=[world.episode.pk])).content.decode()
    # The new boxes are empty; the earlier notes stand beside them, read only.
    assert re.search(r'<textarea id="history_note" name="history_note"[^>]*></textarea>', page)
    assert re.search(r'<textarea id="exam_note" name="exam_note"[^>]*></textarea>', page)
    assert '<p class="note-previous-text">Pain since lifting boxes in March.<br>Worse at night.</p>' in page
    assert "(read only)" in page
    # Findings are copied as before.
    assert 'name="band" value="extensor_carpi_radialis_brevis:right"' in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 10_001, "Subjective history: &#x27;xxxxxxxx"),
        ("a\x00b", "contains a control character (U+0000)"),
    ],
)
def test_a_note_over_the_limit_or_with_control_characters_is_refused_by_name(world: World, value: str, message: str) -> None:
    response = _post(world, {**C6_POST, "history_note": value})
    assert response.status_code == 422 and message in response.content.decode() and not Exam.objects.exists()


def test_a_note_keeps_its_line_breaks(world: World) -> None:
    _post(world, {**C6_POST, "exam_note": "one\r\n\ttwo"})
    assert Exam.objects.get().exam_note == "one\r\n\ttwo"


# -- the form speaks the engine's language -------------------------------------------------------------


def test_the_stored_document_is_the_engines_assessment_in_kb_ids(world: World) -> None:
    _post(world, C6_POST)
    document = Exam.objects.get().document
    assert assessment_json(parse_assessment(document)) == document  # its own JSON dump: nothing converted on the way
    bands = [f["muscle"] for f in document["findings"] if f["type"] == "tender_band"]
    assert bands == ["extensor_carpi_radialis_brevis", "supinator"]
    assert [f["reflex"] for f in document["findings"] if f["type"] == "reflex"] == ["brachioradialis_reflex", "brachioradialis_reflex"]


def test_an_exam_stored_with_display_names_still_reads_shows_and_copies_forward(world: World) -> None:
    # Stored before the form wrote KB ids: the KB resolves display names as well.
    def with_display_names(exam: Exam) -> None:
        exam.document = {
            **exam.document,
            "complaint": {"regions": ["Lateral elbow"], "side": "right", "condition": "Tennis elbow (lateral epicondylalgia)"},
            "findings": [
                {"type": "tender_band", "muscle": "Extensor carpi radialis brevis", "side": "right", "severity": 3},
                {"type": "reflex", "reflex": "Brachioradialis reflex", "grade": "reduced", "side": "right"},
            ],
        }

    old = make_exam(world.episode, world.alice, stored=with_display_names)
    client = world.client("alice")
    page = client.get(reverse("exams:detail", args=[old.pk])).content.decode()
    assert "Tender band: Extensor carpi radialis brevis, right, severity 3" in page
    assert "Complaint: Lateral elbow (right); Tennis elbow (lateral epicondylalgia)" in page
    page = client.get(reverse("exams:copy_forward", args=[world.episode.pk])).content.decode()
    assert 'name="band" value="extensor_carpi_radialis_brevis:right"' in page
    assert re.search(r'id="reflex_brachioradialis_reflex_right"[^>]*>.*?<option value="reduced" selected>', page, re.S)


def test_a_new_exam_shows_its_complaint_by_name(world: World) -> None:
    _post(world, C6_POST)
    page = world.client("alice").get(reverse("exams:detail", args=[Exam.objects.get().pk])).content.decode()
    assert "Complaint: Lateral elbow (right); Tennis elbow (lateral epicondylalgia)" in page
    assert "extensor_carpi_radialis_brevis, right" not in page  # ids never reach the page as text


def test_the_forms_choices_are_the_values_the_engine_accepts() -> None:
    assert [code for code, _ in catalogue.HISTORY] and {c for c, _ in catalogue.HISTORY} == set(HISTORY_CODES)
    with pytest.raises(ValueError, match=r"exam form: Paraspinal.sign takes \['tender', 'thickened'\] but the form labels \['tender'\]"):
        catalogue._labelled(exam_module.Paraspinal, "sign", {"tender": "Tender"})


def test_a_left_sided_complaint_gives_new_weakness_rows_the_left_side(world: World) -> None:
    world.episode.side = "left"
    world.episode.save()
    page = world.client("alice").get(reverse("exams:new", args=[world.episode.pk])).content.decode()
    sides = re.findall(r'<select name="weak_side"[^>]*>.*?<option value="(\w+)" selected>', page, re.S)
    assert sides == ["left", "left"]
    post = {k: v for k, v in C6_POST.items() if k not in ("action", "weak_name", "weak_side", "weak_grade")}
    page = _post(world, {**post, "action": "more_weakness"}).content.decode()
    assert re.findall(r'<select name="weak_side"[^>]*>.*?<option value="(\w+)" selected>', page, re.S) == ["left"] * 3


def test_a_draft_says_when_it_was_last_saved(world: World) -> None:
    _post(world, {**C6_POST, "action": "draft"})
    draft = Exam.objects.get()
    page = world.client("alice").get(reverse("exams:edit", args=[draft.pk])).content.decode()
    saved_at = timezone.localtime(draft.updated_at)
    assert f'id="draft-status" role="status" aria-live="polite">Saved {saved_at:%H:%M}</span>' in page


def test_section_shortcuts_are_marked_in_the_page_and_their_list_waits_for_javascript(world: World) -> None:
    page = world.client("alice").get(reverse("exams:new", args=[world.episode.pk])).content.decode()
    keys = re.findall(r'data-key="([A-Z])"', page)
    assert keys == ["C", "P", "B", "Z", "M", "W", "R", "H", "N", "D", "S"]  # one letter a section, in page order
    assert len(set(keys)) == len(keys)
    # Without JavaScript there are no shortcuts, so no list of them (shortcuts.js shows it).
    assert re.search(r'<details class="part key-list" id="key-list" data-key-list hidden>', page)
    assert 'src="/static/exams/shortcuts.js"' in page
