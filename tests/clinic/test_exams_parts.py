"""The exam app's parts: the form's catalogue, the document round trip, the chart, the demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from myotome.clinic.exams import catalogue, chart
from myotome.clinic.exams.findings import (
    Band,
    ExamInput,
    Weak,
    ZoneSign,
    build_document,
    chart_marks,
    describe_finding,
    input_from_document,
)
from myotome.clinic.exams.models import Exam, ExamStatus
from myotome.exam import VERTEBRAL_LEVELS, parse_assessment
from myotome.kb import KnowledgeBase

from .conftest import World

STATIC = Path(chart.__file__).parent / "static" / "exams"


# -- the catalogue: what the form offers, checked against the KB --------------------------------


def test_every_movement_of_the_range_form_has_a_normal_in_the_kb(kb: KnowledgeBase) -> None:
    rows = catalogue.rom_rows(kb)
    assert len(rows) == sum(len(ids) for _, ids in catalogue.ROM_GROUPS)
    assert {r.id for r in rows if r.sides == ("bilateral",)} == catalogue.MIDLINE_MOVEMENTS
    assert next(r for r in rows if r.id == "tmj_opening").unit == "mm"
    assert next(r for r in rows if r.id == "shoulder_abduction").normal == 180


def test_the_reflexes_and_levels_are_the_ones_examined(kb: KnowledgeBase) -> None:
    assert [r.name for r in catalogue.reflexes(kb)] == [
        "Biceps reflex",
        "Brachioradialis reflex",
        "Triceps reflex",
        "Patellar reflex",
        "Medial hamstring reflex",
        "Achilles reflex",
        "Hoffmann sign",
        "Plantar response",
        "Ankle clonus",
    ]
    # Pathological signs are graded positive or negative, tendon reflexes absent to brisk.
    assert {r.id: [g for g, _ in catalogue.grades_of(r)] for r in catalogue.reflexes(kb)}["hoffmann_sign"] == ["negative", "positive"]
    assert [g for g, _ in catalogue.grades_of(kb.reflexes["biceps_reflex"])] == ["absent", "reduced", "normal", "brisk"]


def test_the_form_offers_every_vertebra_and_interspace_of_format_1_1_once(kb: KnowledgeBase) -> None:
    assert catalogue.LEVELS == VERTEBRAL_LEVELS and len(catalogue.LEVELS) == 2 * (7 + 12 + 5 + 1)  # C0-C1 ... L5-S1, S1
    assert [level for _, levels in catalogue.LEVEL_GROUPS for level in levels] == list(catalogue.LEVELS)
    groups = {level: group for group, levels in catalogue.LEVEL_GROUPS for level in levels}
    assert [groups[level] for level in ("C0-C1", "C7-T1", "T12-L1", "L5-S1")] == ["Cervical", "Cervical", "Thoracic", "Lumbar and sacral"]
    assert all(level in kb.levels for level in catalogue.LEVELS)
    assert not {"C8", "C7-C8", "S2"} & set(catalogue.LEVELS)


@pytest.mark.parametrize(
    ("value", "normal", "percent"),
    [
        (120, 180, 33),
        (180, 180, 0),
        (200, 180, 0),  # beyond normal is not restricted
        (0, 45, 100),
        (30, 40, 25),  # mouth opening in mm
        (153, 180, 15),  # the engine's threshold for "restricted"
    ],
)
def test_restriction_is_the_share_of_normal_range_missing(value: float, normal: float, percent: int) -> None:
    assert catalogue.restriction(value, normal) == percent


# -- form state <-> assessment document ---------------------------------------------------------------


def _full_input() -> ExamInput:
    return ExamInput(
        bands=[Band("extensor_carpi_radialis_brevis", "right", 3), Band("triceps_surae", "left", 1)],
        zones=[ZoneSign("lateral_forearm", "right", "skin", "trophedema"), ZoneSign("little_finger", "left", "sensory", "reduced")],
        rom={("shoulder_abduction", "right"): 120.0, ("cervical_flexion", "bilateral"): 30.0, ("tmj_opening", "bilateral"): 28.0},
        weakness=[Weak("movement", "wrist_extension", "right", 4), Weak("muscle", "extensor_hallucis_longus", "bilateral", None)],
        reflexes={("brachioradialis_reflex", "right"): "reduced", ("achilles_reflex", "left"): "absent"},
        levels={("C6", "right"): "thickened", ("C5-C6", "right"): "tender", ("C7-T1", "right"): "tender", ("L5-S1", "left"): "tender"},
        build="muscular",
        temperament="type_a",
        needle_fear=True,
        first_session=True,
    )


def test_the_document_is_valid_and_reads_back_into_the_same_form(world: World, kb: KnowledgeBase) -> None:
    data = _full_input()
    document = build_document(data, patient=world.patient, episode=world.episode, kb=kb)
    assert parse_assessment(document).format == "1.1" and next(iter(document)) == "format"
    assert [f["level"] for f in document["findings"] if f["type"] == "paraspinal"] == ["C5-C6", "C6", "C7-T1", "L5-S1"]  # cranial to caudal
    # The engine's language: every record by its KB id, the complaint too.
    assert {"type": "rom", "movement": "tmj_opening", "value": 28.0, "unit": "mm", "side": "bilateral"} in document["findings"]
    assert {"type": "tender_band", "muscle": "triceps_surae", "side": "left", "severity": 1} in document["findings"]
    assert document["complaint"]["regions"] == ["lateral_elbow"] and document["complaint"]["condition"] == "tennis_elbow"
    back = input_from_document(document, kb)
    assert back == data


def test_a_format_1_0_document_reads_into_the_form_as_migration_0002_converts_it(kb: KnowledgeBase) -> None:
    document = {
        "complaint": {"regions": ["neck"], "side": "right"},
        "findings": [
            {"type": "paraspinal", "level": "C8", "side": "right", "sign": "thickened"},
            {"type": "paraspinal", "level": "C5-C6", "side": "bilateral"},
            {"type": "paraspinal", "level": "S3", "side": "left"},
            {"type": "paraspinal", "level": "C9", "side": "left"},  # never valid: left out like an unknown name
        ],
    }
    assert input_from_document(document, kb).levels == {
        ("C7-T1", "right"): "thickened",
        ("C5-C6", "left"): "tender",
        ("C5-C6", "right"): "tender",
        ("S1", "left"): "tender",
    }


def test_names_the_kb_no_longer_knows_are_left_out_of_the_form(kb: KnowledgeBase) -> None:
    document = {
        "complaint": {"regions": ["elbow"], "side": "left"},
        "findings": [
            {"type": "tender_band", "muscle": "a muscle removed from the KB", "side": "left"},
            {"type": "tender_band", "muscle": "Supinator", "side": "bilateral", "severity": 1},
        ],
    }
    assert input_from_document(document, kb).bands == [Band("supinator", "left", 1), Band("supinator", "right", 1)]


def test_the_chart_marks_follow_the_findings_and_the_plan() -> None:
    marks = chart_marks(
        _full_input(),
        {"steps": [{"order": 1, "muscle": {"id": "multifidus_cervical"}, "side": "right", "region": "paraspinal", "segment": "C6"}]},
    )
    assert {"muscle_id": "triceps_surae", "side": "left", "severity": 1} in marks["muscles"]
    assert {"region_id": "little_finger", "side": "left", "skin": [], "sensory": "reduced"} in marks["regions"]
    assert {"level": "C7-T1", "side": "right", "sign": "tender"} in marks["levels"]  # an interspace, as examined
    assert marks["plan"] == [{"order": 1, "muscle_id": "multifidus_cervical", "side": "right", "level": "C6"}]


@pytest.mark.parametrize(
    ("step", "level"),
    [
        ({"segment": "C8", "level": "C7-T1"}, "C7-T1"),  # a step that names its vertebral level
        ({"segment": "C6"}, "C6"),  # a result from before steps named a level: the vertebra of that name
        ({"segment": "C8"}, "C7-T1"),  # ... where that root leaves, as migration 0002 reads a 1.0 level
        ({"segment": "S3"}, "S1"),
        ({"segment": "L4-L5"}, "L4-L5"),
        ({"segment": None}, None),
    ],
)
def test_a_paraspinal_step_is_drawn_at_its_level_in_new_and_old_results(step: dict[str, object], level: str | None) -> None:
    plan = {"steps": [{"order": 1, "muscle": {"id": "multifidus_cervical"}, "side": "right", "region": "paraspinal", **step}]}
    assert chart_marks(ExamInput(), plan)["plan"][0]["level"] == level


@pytest.mark.parametrize(
    ("finding", "text"),
    [
        ({"type": "tender_band", "muscle": "Supinator", "side": "right", "severity": 3}, "Tender band: Supinator, right, severity 3"),
        ({"type": "skin", "sign": "hair_loss", "region": "Calf", "side": "left"}, "Hair loss: Calf, left"),
        ({"type": "sensory", "region": "Thumb", "change": "reduced", "side": "bilateral"}, "Reduced sensation: Thumb, both sides"),
        (
            {"type": "rom", "movement": "Mouth opening", "value": 28.0, "unit": "mm", "side": "bilateral"},
            "Range: Mouth opening 28 mm, both sides",
        ),
        ({"type": "weakness", "movement": "Grip", "side": "left", "grade": 4}, "Weakness: Grip, left, MRC 4/5"),
        ({"type": "paraspinal", "level": "C7-T1", "side": "right", "sign": "thickened"}, "Paraspinal thickened at C7-T1, right"),
        # What the form stores now: KB ids, shown by their names.
        ({"type": "tender_band", "muscle": "supinator", "side": "right", "severity": 3}, "Tender band: Supinator, right, severity 3"),
        ({"type": "sensory", "region": "thumb", "change": "reduced", "side": "right"}, "Reduced sensation: Thumb, right"),
        (
            {"type": "reflex", "reflex": "brachioradialis_reflex", "grade": "reduced", "side": "right"},
            "Brachioradialis reflex: reduced, right",
        ),
        ({"type": "weakness", "movement": "wrist_extension", "side": "right"}, "Weakness: Wrist extension, right"),
        (
            {"type": "rom", "movement": "tmj_opening", "value": 28.0, "unit": "mm", "side": "bilateral"},
            "Range: Mouth opening 28 mm, both sides",
        ),
        # A name today's KB does not know is shown as stored.
        (
            {"type": "tender_band", "muscle": "musculus fictus", "side": "left", "severity": 1},
            "Tender band: musculus fictus, left, severity 1",
        ),
    ],
)
def test_findings_read_as_a_clinician_writes_them(finding: dict[str, object], text: str, kb: KnowledgeBase) -> None:
    assert describe_finding(finding, kb) == text


# The chart's own tests (the sprite, its stylesheet, the page SVG) are in test_chart_page.py.


# -- the demo ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_gives_consented_episodes_assessed_exams() -> None:
    from myotome.clinic.demo import load_demo

    practice = load_demo(patients=12, seed=3)
    exams = list(Exam.objects.select_related("episode__patient"))
    assert exams and get_user_model().objects.count() > 0
    for exam in exams:
        assert exam.episode.patient.consents.exists()
        assert parse_assessment(exam.document).format == "1.1"
        assert all(f["level"] in VERTEBRAL_LEVELS for f in exam.document["findings"] if f["type"] == "paraspinal")
        assert exam.document["id"] == f"exam-{exam.pk}"
        if exam.status == ExamStatus.SAVED:
            assert exam.result["kb_version"] == exam.kb_version == practice.kb.version
            assert exam.result["segments"] and exam.plan["steps"][0]["region"] == "paraspinal"
        else:
            assert exam.result is None
    consented = {e.pk for e in practice.episodes if e.patient.consents.filter(withdrawn_on__isnull=True).exists() and e.clinician_id}
    assert {x.episode_id for x in exams} == consented
