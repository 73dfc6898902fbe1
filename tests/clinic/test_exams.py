"""The exam pages: saving runs the engine, drafts, copy forward, the consent gate, bad input, audit."""

from __future__ import annotations

import json
import re
from datetime import date
from html import escape
from typing import Any

import pytest
from django.urls import reverse

from myotome.bodychart import load_chart
from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.exams.access import CONSENT_NEEDED
from myotome.clinic.exams.findings import Band, ExamInput, ZoneSign
from myotome.clinic.exams.models import Exam, ExamStatus
from myotome.exam import VERTEBRAL_LEVELS, parse_assessment
from myotome.kb import load_kb

from .conftest import World
from .exam_data import C6_POST, c6_input, make_exam


def _post(world: World, data: dict[str, Any], who: str = "alice", url: str | None = None) -> Any:
    return world.client(who).post(url or reverse("exams:new", args=[world.episode.pk]), data)


# -- saving runs the engine -----------------------------------------------------------------------


def test_saving_builds_the_document_runs_the_engine_and_stores_the_kb_version(world: World) -> None:
    response = _post(world, C6_POST)
    exam = Exam.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("exams:detail", args=[exam.pk])
    assert exam.status == ExamStatus.SAVED and exam.episode == world.episode
    assert exam.kb_version == load_kb().version == exam.result["kb_version"]
    assert (exam.created_by, exam.saved_by) == (world.alice, world.alice) and exam.saved_at is not None
    document = exam.document
    assert parse_assessment(document).format == "1.1"  # vertebral levels
    assert document["id"] == f"exam-{exam.pk}" and document["format"] == "1.1"
    # Patient fields from the record (age from the date of birth), complaint from the episode.
    born = world.patient.date_of_birth
    today = date.today()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    assert document["patient"] == {
        "age": age,
        "sex": "female",
        "build": "average",
        "temperament": "anxious",
        "needle_fear": False,
        "first_session": True,
        "precautions": ["anticoagulants"],
    }
    # The engine's language: the complaint and every finding name KB records by id.
    assert document["complaint"] == {"regions": ["lateral_elbow"], "side": "right", "condition": "tennis_elbow", "pain": 6}
    types = [f["type"] for f in document["findings"]]
    assert types == ["paraspinal", "tender_band", "tender_band", "skin", "reflex", "reflex", "weakness", "rom"]
    assert {"type": "tender_band", "muscle": "extensor_carpi_radialis_brevis", "side": "right", "severity": 3} in document["findings"]
    assert {"type": "rom", "movement": "shoulder_abduction", "value": 120.0, "unit": "deg", "side": "right"} in document["findings"]
    # The engine's answer: C6 on the right first, the plan paraspinal first, the precaution's warning.
    assert (exam.result["segments"][0]["segment"], exam.result["segments"][0]["side"]) == ("C6", "right")
    steps = exam.plan["steps"]
    assert steps[0]["region"] == "paraspinal" and steps[0]["segment"] == "C6"
    assert any("Anticoagulant" in w for w in exam.plan["warnings"])
    event = AuditEvent.objects.get(action=Action.CREATE, record_type="exam")
    assert event.record_id == str(exam.pk) and event.detail == f"saved and signed: 8 findings, {len(steps)} plan steps"


def test_the_saved_exam_shows_segments_evidence_plan_markers_and_warnings(world: World) -> None:
    exam = make_exam(world.episode, world.alice)
    response = world.client("bob").get(reverse("exams:detail", args=[exam.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<span class="segment-name">C6</span> <span class="segment-side">right</span>', page)
    assert "reduced brachioradialis reflex" in page  # an evidence line
    assert page.count('<li class="step') == len(exam.plan["steps"])
    assert 'class="bc-plan-marker" data-order="1"' in page
    assert "Precaution — Anticoagulant" in page and 'class="warnings"' in page
    assert "Cervical multifidus" in page and "mm needle" in page
    assert AuditEvent.objects.filter(action=Action.VIEW, record_type="exam", record_id=str(exam.pk), user=world.bob).exists()


def test_lung_cautions_are_marked_on_their_steps(world: World) -> None:
    exam = make_exam(world.episode, world.alice)
    lung_steps = [s for s in exam.plan["steps"] if any(c["kind"] == "lung" for c in s["cautions"])]
    assert lung_steps, "the C6 picture plans infraspinatus, whose borders are over the lung"
    page = world.client("alice").get(reverse("exams:detail", args=[exam.pk])).content.decode()
    assert page.count('<li class="step lung">') == len(lung_steps)
    # infraspinatus is needled onto the scapula: its step keeps its lung caution, the plan raises no alarm
    assert "Steps over the thorax: pneumothorax risk" not in page


def test_the_stored_result_is_shown_as_it_was_saved(world: World) -> None:
    # A stored plan is shown from the stored result, not recomputed with today's KB.

    def as_saved_then(exam: Exam) -> None:
        exam.result["plan"]["steps"][0]["reason"] = "the reason as it read when the exam was saved"
        exam.result["kb_version"] = exam.kb_version = "2020.1.1+00000000"

    exam = make_exam(world.episode, world.alice, stored=as_saved_then)
    page = world.client("alice").get(reverse("exams:detail", args=[exam.pk])).content.decode()
    assert "the reason as it read when the exam was saved" in page
    assert "The knowledge base has changed since this exam was saved" in page


def test_vertebral_levels_and_interspaces_are_saved_as_examined(world: World) -> None:
    levels = {"para_C0-C1_left": "thickened", "para_C7-T1_right": "tender", "para_T12-L1_right": "tender", "para_S1_left": "tender"}
    assert _post(world, {**C6_POST, **levels}).status_code == 302
    findings = [f for f in Exam.objects.get().document["findings"] if f["type"] == "paraspinal"]
    assert [(f["level"], f["side"], f["sign"]) for f in findings] == [
        ("C0-C1", "left", "thickened"),
        ("C6", "right", "thickened"),
        ("C7-T1", "right", "tender"),
        ("T12-L1", "right", "tender"),
        ("S1", "left", "tender"),
    ]


def test_the_form_offers_each_vertebral_level_per_side_and_no_root_segment(world: World) -> None:
    page = world.client("alice").get(reverse("exams:new", args=[world.episode.pk])).content.decode()
    names = re.findall(r'<input type="hidden" id="para_([^"]+)_(left|right)"', page)
    assert len(names) == 2 * len(VERTEBRAL_LEVELS) and [n for n, side in names if side == "left"] == list(VERTEBRAL_LEVELS)
    assert re.search(r'<tr class="interspace">.*?<th scope="row">C7-T1</th>', page, re.S) and 'id="para_C8_right"' not in page


def test_a_paraspinal_step_names_its_level_and_root_and_is_drawn_there(world: World) -> None:
    # A C8 picture: the C8 root leaves at C7-T1.
    data = ExamInput(
        bands=[Band("extensor_carpi_ulnaris", "right", 3), Band("flexor_carpi_ulnaris", "right", 2)],
        zones=[ZoneSign("little_finger", "right", "sensory", "reduced")],
        levels={("C7-T1", "right"): "thickened"},
    )
    exam = make_exam(world.episode, world.alice, data)
    step = next(s for s in exam.plan["steps"] if s.get("level") == "C7-T1")
    page = world.client("alice").get(reverse("exams:detail", args=[exam.pk])).content.decode()
    assert f"<strong>{step['muscle']['name']}</strong>, right · at C7-T1, for {step['segment']} ·" in page
    marker = re.search(rf'<g class="bc-plan-marker" data-order="{step["order"]}">.*?<circle cx="[^"]+" cy="([^"]+)"', page)
    assert marker and float(marker.group(1)) == load_chart().views["back"].levels["C7-T1"]

    # A result stored before steps named a level shows the segment as it was.
    def without_levels(old: Exam) -> None:
        for old_step in old.result["plan"]["steps"]:
            old_step.pop("level", None)

    exam = make_exam(world.episode, world.alice, data, stored=without_levels)
    page = world.client("alice").get(reverse("exams:detail", args=[exam.pk])).content.decode()
    assert f"<strong>{step['muscle']['name']}</strong>, right · {step['segment']} ·" in page


@pytest.mark.parametrize(
    ("stored", "shown", "hidden"),
    [
        # A result of today's engine from a 1.1 document: nothing to say.
        ({"format": "1.1", "notes": []}, [], ["How the exam was read"]),
        # The engine's notes are shown as it gave them.
        ({"format": "1.1", "notes": ["a note from the engine"]}, ["How the exam was read", "a note from the engine"], []),
        # Stored before results named their format (read as 1.0), its document converted since.
        ({}, ["worked out from the exam in format 1.0", "shown as stored now, in format 1.1"], []),
        ({"format": "1.0", "notes": ["read as format 1.0"]}, ["read as format 1.0", "worked out from the exam in format 1.0"], []),
    ],
)
def test_the_result_page_says_how_the_exam_was_read(world: World, stored: dict[str, Any], shown: list[str], hidden: list[str]) -> None:

    def as_stored(exam: Exam) -> None:
        exam.result = {**{k: v for k, v in exam.result.items() if k not in ("format", "notes")}, **stored}

    exam = make_exam(world.episode, world.alice, stored=as_stored)
    response = world.client("alice").get(reverse("exams:detail", args=[exam.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and '<span class="segment-name">C6</span>' in page
    assert all(text in page for text in shown) and not any(text in page for text in hidden)


def test_the_export_is_the_stored_exam_and_is_audited(world: World) -> None:
    exam = make_exam(world.episode, world.alice)
    response = world.client("alice").get(reverse("exams:export", args=[exam.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="exam-{exam.pk}.json"'
    payload = json.loads(response.content)
    assert payload["document"] == exam.document and payload["result"] == exam.result and payload["kb_version"] == exam.kb_version
    assert AuditEvent.objects.filter(action=Action.EXPORT, record_type="exam", record_id=str(exam.pk)).exists()


# -- drafts --------------------------------------------------------------------------------------


def test_a_draft_is_stored_without_a_result_and_saved_later(world: World) -> None:
    assert _post(world, {**C6_POST, "action": "draft"}).status_code == 302
    exam = Exam.objects.get()
    assert exam.status == ExamStatus.DRAFT and exam.result is None and exam.kb_version == load_kb().version
    page = world.client("alice").get(reverse("exams:edit", args=[exam.pk])).content.decode()
    assert 'name="band" value="extensor_carpi_radialis_brevis:right"' in page  # the draft comes back into the form
    assert 'value="120"' in page
    response = _post(world, {**C6_POST, "rom_shoulder_abduction_right": "150"}, url=reverse("exams:edit", args=[exam.pk]))
    assert response.status_code == 302
    exam.refresh_from_db()
    assert exam.status == ExamStatus.SAVED and exam.result is not None and Exam.objects.count() == 1
    assert {"type": "rom", "movement": "shoulder_abduction", "value": 150.0, "unit": "deg", "side": "right"} in exam.document["findings"]
    assert list(
        AuditEvent.objects.filter(record_type="exam").exclude(action=Action.VIEW).values_list("action", flat=True).order_by("id")
    ) == [
        Action.CREATE,
        Action.UPDATE,
    ]


def test_a_saved_exam_is_final(world: World) -> None:
    exam = make_exam(world.episode, world.alice)
    before = (exam.document, exam.result)
    response = _post(world, {**C6_POST, "rom_shoulder_abduction_right": "30"}, url=reverse("exams:edit", args=[exam.pk]))
    assert response.status_code == 409 and "cannot be changed" in response.content.decode()
    exam.refresh_from_db()
    assert (exam.document, exam.result) == before
    redirect = world.client("alice").get(reverse("exams:edit", args=[exam.pk]))
    assert redirect.status_code == 302 and redirect["Location"] == reverse("exams:detail", args=[exam.pk])


# -- copy forward ---------------------------------------------------------------------------------


def test_copy_forward_fills_the_form_from_the_last_saved_exam(world: World) -> None:
    older = make_exam(world.episode, world.alice)
    make_exam(world.episode, world.alice, saved=False)  # a draft is not what is copied
    response = world.client("bob").get(reverse("exams:copy_forward", args=[world.episode.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Copied forward from the exam of" in page
    assert 'name="band" value="extensor_carpi_radialis_brevis:right"' in page
    assert re.search(r'<option value="3" selected>3</option>', page)  # ECRB's severity
    assert 'name="zone" value="lateral_forearm:right:skin:trophedema"' in page
    assert re.search(r'id="rom_shoulder_abduction_right" name="rom_shoulder_abduction_right" value="120"', page)
    assert _level(page, "para_C6_right") == "thickened"
    assert f'name="copied_from" value="{older.pk}"' in page
    assert 'id="first_session" name="first_session">' in page  # unticked: not the first session any more
    assert AuditEvent.objects.filter(
        action=Action.VIEW, record_type="exam", record_id=str(older.pk), detail__startswith="copied forward"
    ).exists()
    assert Exam.objects.count() == 2  # nothing stored until it is saved


def _selected(page: str, name: str) -> str:
    found = re.search(rf'<select id="{name}" name="{name}"[^>]*>\s*(.*?)</select>', page, re.S)
    assert found, name
    chosen = re.search(r'<option value="([^"]*)" selected>', found.group(1))
    return chosen.group(1) if chosen else ""


def _level(page: str, name: str) -> str:
    """The sign a rung of the spine ladder holds (its hidden input)."""
    found = re.search(rf'<input type="hidden" id="{name}" name="{name}" value="([^"]*)">', page)
    assert found, name
    return found.group(1)


def test_copy_forward_and_a_draft_keep_interspaces_and_save_format_1_1(world: World) -> None:
    data = c6_input()
    data.levels.update({("C7-T1", "right"): "tender", ("C0-C1", "left"): "thickened"})
    make_exam(world.episode, world.alice, data)
    page = world.client("alice").get(reverse("exams:copy_forward", args=[world.episode.pk])).content.decode()
    assert [_level(page, f"para_{name}") for name in ("C7-T1_right", "C0-C1_left", "C6_right", "C7_right")] == [
        "tender",
        "thickened",
        "thickened",
        "",
    ]
    draft = make_exam(world.episode, world.alice, data, saved=False)
    page = world.client("alice").get(reverse("exams:edit", args=[draft.pk])).content.decode()
    assert _level(page, "para_C7-T1_right") == "tender"
    post = {**C6_POST, "para_C7-T1_right": "tender", "para_C0-C1_left": "thickened"}
    assert _post(world, post, url=reverse("exams:edit", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.document["format"] == "1.1" and draft.status == ExamStatus.SAVED
    assert {f["level"] for f in draft.document["findings"] if f["type"] == "paraspinal"} == {"C0-C1", "C6", "C7-T1"}


def test_saving_a_copied_exam_records_where_it_came_from(world: World) -> None:
    older = make_exam(world.episode, world.alice)
    assert _post(world, {**C6_POST, "copied_from": str(older.pk)}).status_code == 302
    assert Exam.objects.exclude(pk=older.pk).get().copied_from == older


def test_copied_from_must_be_a_saved_exam_of_the_same_episode(world: World) -> None:
    foreign = make_exam(world.other_episode, world.charlie)
    assert _post(world, {**C6_POST, "copied_from": str(foreign.pk)}).status_code == 302
    assert Exam.objects.get(episode=world.episode).copied_from is None


def test_copy_forward_without_a_saved_exam_offers_a_new_one(world: World) -> None:
    response = world.client("alice").get(reverse("exams:copy_forward", args=[world.episode.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("exams:new", args=[world.episode.pk])


# -- the consent gate --------------------------------------------------------------------------


@pytest.fixture
def no_consent(world: World) -> World:
    world.consent.withdrawn_on = date.today()
    world.consent.withdrawn_by = world.alice
    world.consent.save()
    return world


@pytest.mark.parametrize("route", ["exams:new", "exams:copy_forward"])
def test_the_exam_is_blocked_until_consent_is_on_file(no_consent: World, route: str) -> None:
    make_exam(no_consent.episode, no_consent.alice)
    response = no_consent.client("alice").get(reverse(route, args=[no_consent.episode.pk]))
    page = response.content.decode()
    assert response.status_code == 403 and escape(CONSENT_NEEDED) in page
    assert reverse("patients:consent_new", args=[no_consent.patient.pk]) in page
    assert AuditEvent.objects.filter(action=Action.DENIED, detail__startswith="exam blocked: no consent").exists()


def test_saving_is_blocked_until_consent_is_on_file(no_consent: World) -> None:
    response = _post(no_consent, C6_POST)
    assert response.status_code == 403 and escape(CONSENT_NEEDED) in response.content.decode()
    assert not Exam.objects.exists()


def test_a_draft_cannot_be_continued_without_consent(no_consent: World) -> None:
    draft = make_exam(no_consent.episode, no_consent.alice, saved=False)
    url = reverse("exams:edit", args=[draft.pk])
    assert no_consent.client("alice").get(url).status_code == 403
    assert _post(no_consent, C6_POST, url=url).status_code == 403
    draft.refresh_from_db()
    assert draft.status == ExamStatus.DRAFT


def test_a_saved_plan_is_hidden_while_consent_is_withdrawn(no_consent: World) -> None:
    exam = make_exam(no_consent.episode, no_consent.alice)
    page = no_consent.client("alice").get(reverse("exams:detail", args=[exam.pk])).content.decode()
    assert "Needling blocked." in page and escape(CONSENT_NEEDED) in page
    assert '<li class="step' not in page and "bc-plan-marker" not in page
    assert "Likely segments" in page  # the exam itself stays readable


def test_the_episode_page_offers_a_new_exam_only_with_consent(world: World) -> None:
    url = reverse("patients:episode", args=[world.episode.pk])
    assert reverse("exams:new", args=[world.episode.pk]) in world.client("alice").get(url).content.decode()
    world.consent.withdrawn_on = date.today()
    world.consent.save()
    page = world.client("alice").get(url).content.decode()
    assert reverse("exams:new", args=[world.episode.pk]) not in page and "exams and plans are blocked" in page


def test_the_chart_and_the_episode_list_the_exams(world: World) -> None:
    exam = make_exam(world.episode, world.alice)
    for url in (reverse("patients:detail", args=[world.patient.pk]), reverse("patients:episode", args=[world.episode.pk])):
        page = world.client("bob").get(url).content.decode()
        assert reverse("exams:detail", args=[exam.pk]) in page and "C6 right" in page


# -- bad input is refused, and nothing typed is lost -----------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rom_shoulder_abduction_right": "abc"}, "Shoulder abduction, right: &#x27;abc&#x27; is not a number"),
        ({"rom_shoulder_abduction_right": "-20"}, "Shoulder abduction, right: -20 is below 0"),
        ({"rom_shoulder_abduction_right": "400"}, "Shoulder abduction, right: 400° is more than twice the normal 180°"),
        ({"rom_tmj_opening": "95"}, "Mouth opening: 95 mm is more than twice the normal 40 mm"),
        ({"weak_name": ["wrist extenson", ""]}, "Weakness row 1: "),
        ({"weak_name": ["TA", ""]}, "ambiguous muscle &#x27;TA&#x27;"),
        ({"weak_grade": ["5", ""]}, "MRC 5 is normal strength"),
        ({"weak_name": ["", ""], "weak_grade": ["3", ""]}, "Weakness row 1: name the movement or muscle"),
        ({"reflex_biceps_reflex_left": "wobbly"}, "Biceps reflex, left: &#x27;wobbly&#x27; is not a grade"),
        ({"para_C6_right": "sore"}, "Paraspinal C6, right: &#x27;sore&#x27; is not a sign"),
        ({"para_C7-T1_left": "sore"}, "Paraspinal C7-T1, left: &#x27;sore&#x27; is not a sign"),
        ({"build": "huge"}, "Build: &#x27;huge&#x27; is not one of"),
        ({"band": ["not_a_muscle:right"]}, "Tender band &#x27;not_a_muscle:right&#x27; is not a muscle"),
        ({"zone": ["thumb:up:skin:trophedema"]}, "Skin or sensory mark &#x27;thumb:up:skin:trophedema&#x27;"),
        # An invalid severity was silently saved as 2.
        ({"severity_supinator_right": "7"}, "Tender band Supinator, right: severity &#x27;7&#x27; is not 1, 2 or 3"),
        ({"severity_supinator_right": ""}, "Tender band Supinator, right: severity &#x27;&#x27; is not 1, 2 or 3"),
        # A NUL was dropped, and "a b" read as the abbreviation AB: Adductor brevis was saved.
        ({"weak_name": ["a\x00b", ""]}, "Weakness row 1: the name &#x27;a\\x00b&#x27; contains a control character (U+0000)"),
        # A long name was cut to 80 characters, leaving "wrist extension" and spaces.
        ({"weak_name": ["wrist extension" + " " * 80 + "x", ""]}, "is 96 characters long; the limit is 80"),
        ({"build": "average\x00"}, "Build: &#x27;average\\x00&#x27; contains a control character (U+0000)"),
        ({"band": ["supinator:right"] * 201}, "Tender bands: 201 were posted; an exam holds at most 200"),
        ({"weak_name": ["wrist extension"] * 51}, "Weakness: the table has 51 rows; it takes at most 50."),
    ],
)
def test_bad_input_is_refused_with_the_field_and_the_reason_and_everything_kept(
    world: World, changes: dict[str, Any], message: str
) -> None:
    data = {**C6_POST, **changes}
    response = _post(world, data)
    page = response.content.decode()
    assert response.status_code == 422
    assert message in page
    assert "nothing was saved" in page
    assert not Exam.objects.exists()
    # Everything typed comes back: the marks, the other fields, and the bad value itself.
    assert 'name="band" value="supinator:right"' in page or "band" in changes
    assert 'name="zone" value="lateral_forearm:right:skin:trophedema"' in page or "zone" in changes
    assert re.search(
        r'id="reflex_brachioradialis_reflex_right"[^>]*>\s*<option value="">not tested</option><option value="absent">Absent</option><option value="reduced" selected>',
        page,
    )
    typed = data["rom_shoulder_abduction_right"]
    assert f'name="rom_shoulder_abduction_right" value="{typed}"' in page


def test_an_empty_exam_is_not_saved(world: World) -> None:
    response = _post(world, {"action": "save"})
    assert response.status_code == 422 and "Nothing is recorded yet" in response.content.decode()
    assert _post(world, {"action": "draft"}).status_code == 302  # a draft may be empty


# -- the searchable list without JavaScript --------------------------------------------------------


def test_add_a_band_by_name_keeps_the_form_and_stores_nothing(world: World) -> None:
    response = _post(world, {**C6_POST, "action": "add_band", "band_name": "glute med", "band_side": "left", "band_severity": "3"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="band" value="gluteus_medius:left"' in page and 'name="band" value="supinator:right"' in page
    assert re.search(
        r'name="severity_gluteus_medius_left" data-severity><option value="1">1</option><option value="2">2</option><option value="3" selected>',
        page,
    )
    assert "Added: Gluteus medius (left), severity 3" in page
    assert not Exam.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"band_severity": "9"}, "Severity &#x27;9&#x27; on side &#x27;right&#x27; cannot be added"),
        ({"band_side": "up"}, "Severity &#x27;2&#x27; on side &#x27;up&#x27; cannot be added"),
        ({"band_name": "a\x00b"}, "Tender band: muscle: &#x27;a\\x00b&#x27; contains a control character (U+0000)"),
        ({"band_name": "ECRB" + " " * 100 + "x"}, "Tender band: muscle: &#x27;ECRB"),
    ],
)
def test_add_a_band_refuses_what_it_cannot_add_instead_of_guessing(world: World, changes: dict[str, str], message: str) -> None:
    data = {"action": "add_band", "band_name": "supinator", "band_side": "right", "band_severity": "2", **changes}
    page = _post(world, data).content.decode()
    assert message in page
    assert not re.search(r'name="band" value="[^"]', page)  # neither the muscle typed, nor what was left of it, nor a default


def test_add_a_zone_refuses_a_sign_it_does_not_know(world: World) -> None:
    page = _post(world, {"action": "add_zone", "zone_name": "pinky", "zone_side": "right", "zone_sign": "skin:scales"}).content.decode()
    assert "Sign &#x27;skin:scales&#x27; on side &#x27;right&#x27; cannot be added" in page
    assert not re.search(r'name="zone" value="[^"]', page)


def test_a_refused_value_is_reported_on_a_refresh_too(world: World) -> None:
    page = _post(world, {**C6_POST, "action": "refresh", "temperament": "calm\x07"}).content.decode()
    assert "Temperament: &#x27;calm\\x07&#x27; contains a control character (U+0007)" in page


@pytest.mark.parametrize("value", ["-inf", "inf", "1e999", "nan", "-1e308"])
def test_a_range_beyond_any_number_is_shown_again_without_a_server_error(world: World, value: str) -> None:
    # Found by the form fuzz test: "-inf" reached the restriction arithmetic when the page was redrawn.
    response = _post(world, {**C6_POST, "action": "refresh", "rom_shoulder_abduction_right": value})
    assert response.status_code == 200 and f'name="rom_shoulder_abduction_right" value="{value}"' in response.content.decode()
    saved = _post(world, {**C6_POST, "rom_shoulder_abduction_right": value})
    assert saved.status_code == 422 and not Exam.objects.exists()


def test_a_copied_from_that_is_not_a_plain_number_is_ignored(world: World) -> None:
    for raw in ("²", str(2**70), "-1", "1\x00"):
        assert _post(world, {**C6_POST, "copied_from": raw}).status_code == 302
    assert not Exam.objects.exclude(copied_from=None).exists()


def test_add_a_band_on_both_sides(world: World) -> None:
    page = _post(world, {"action": "add_band", "band_name": "calf", "band_side": "bilateral"}).content.decode()
    assert 'value="triceps_surae:left"' in page and 'value="triceps_surae:right"' in page


def test_an_unknown_name_shows_the_kb_error_and_its_suggestions_as_buttons(world: World) -> None:
    page = _post(world, {**C6_POST, "action": "add_band", "band_name": "supinater"}).content.decode()
    assert "unknown muscle &#x27;supinater&#x27;; did you mean &#x27;Supinator&#x27;?" in page
    assert '<button type="submit" class="quiet suggestion" name="pick_band" value="Supinator">' in page
    assert 'value="supinater"' in page  # what was typed stays in the box
    picked = _post(world, {"pick_band": "Teres minor", "band_side": "right", "band_severity": "2"}).content.decode()
    assert 'name="band" value="teres_minor:right"' in picked


def test_an_ambiguous_name_lists_the_candidates(world: World) -> None:
    page = _post(world, {"action": "add_band", "band_name": "TA"}).content.decode()
    assert "could mean &#x27;Tibialis anterior&#x27; or &#x27;Transversus abdominis&#x27;" in page
    assert 'name="pick_band" value="Tibialis anterior"' in page


def test_add_a_zone_sign_by_plain_words_and_remove_a_mark(world: World) -> None:
    page = _post(
        world, {**C6_POST, "action": "add_zone", "zone_name": "pinky", "zone_side": "right", "zone_sign": "sensory:reduced"}
    ).content.decode()
    assert 'name="zone" value="little_finger:right:sensory:reduced"' in page
    # A browser sends only the button that was pressed: here "Remove", not "Save".
    without_save = {k: v for k, v in C6_POST.items() if k != "action"}
    removed = _post(world, {**without_save, "remove_band": "supinator:right"}).content.decode()
    assert 'name="band" value="supinator:right"' not in removed and 'name="band" value="extensor_carpi_radialis_brevis:right"' in removed


def test_a_new_sensory_change_replaces_the_old_one_for_that_area(world: World) -> None:
    data = {
        "zone": ["thumb:right:sensory:reduced"],
        "action": "add_zone",
        "zone_name": "thumb",
        "zone_side": "right",
        "zone_sign": "sensory:altered",
    }
    page = _post(world, data).content.decode()
    assert "thumb:right:sensory:altered" in page and "thumb:right:sensory:reduced" not in page


def test_enter_in_the_list_adds_what_was_typed(world: World) -> None:
    # The form's first button (the one Enter presses) adds a typed name instead of saving.
    page = _post(world, {"action": "refresh", "band_name": "ECRB"}).content.decode()
    assert 'name="band" value="extensor_carpi_radialis_brevis:right"' in page and not Exam.objects.exists()


def test_more_weakness_rows(world: World) -> None:
    page = _post(world, {"action": "more_weakness", "weak_name": ["grip"], "weak_side": ["left"], "weak_grade": ["3"]}).content.decode()
    assert page.count('name="weak_name"') == 1 + 3 and 'value="grip"' in page


# -- the page itself -----------------------------------------------------------------------------


def test_the_exam_page_has_the_chart_and_no_inline_script_or_style(world: World) -> None:
    response = world.client("alice").get(reverse("exams:new", args=[world.episode.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    # Front and back, once each, muscles and zones as labelled targets with their KB ids (chart.js
    # makes them buttons with one tab stop; see tests/browser/test_chart_browser.py).
    for view in ("front", "back"):
        assert page.count(f'class="bc-chart bc-{view} bc-layer-muscles"') == 1
    # Kind, side and KB id are in the href, the name in the static targets table: chart.js reads them.
    assert '#bmr-extensor_carpi_radialis_brevis" class="bc-shape bc-muscle"/>' in page
    assert '#brr-lateral_forearm" class="bc-shape bc-region' in page
    assert re.search(
        r'<script src="/static/exams/chart-targets\.[0-9a-f]{10}\.js" defer></script>\s*<script src="/static/exams/chart\.js"', page
    )
    assert 'src="/static/exams/chart.js"' in page
    # The CSP allows scripts and styles from files only.
    assert "<style" not in page and not re.search(r"\sstyle=", page)
    assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", page))
    assert 'src="/static/exams/exam.js"' in page
    # The normal beside each range and the defaults from the records.
    assert re.search(r"Shoulder abduction <span class=\"normal\">normal 180°</span>", page)
    assert 'id="first_session" name="first_session" checked' in page
    assert AuditEvent.objects.filter(action=Action.VIEW, record_type="episode", detail="new exam form").exists()


def test_every_exam_form_posts_with_a_csrf_token(world: World) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    assert client.post(reverse("exams:new", args=[world.episode.pk]), C6_POST).status_code == 403
    assert not Exam.objects.exists()
    page = client.get(reverse("exams:new", args=[world.episode.pk])).content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
