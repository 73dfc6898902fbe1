"""Precautions' structured exclusions: the muscles and vertebral levels a precaution takes out.

Tables a physiotherapist can review (what pregnancy and a pacemaker exclude, and what
they do not), the plan they produce, and the loader's refusals, each made by breaking one
thing in a copy of the tiny KB (tests/kb/tiny, levels C4 to T1).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from myotome.exam import parse_assessment
from myotome.kb import KBError, KnowledgeBase, load_kb
from myotome.localize import rank
from myotome.plan import Plan, build

TINY = Path(__file__).parent / "tiny"

PREGNANCY_MUSCLES = [
    # (muscle, excluded throughout pregnancy?)
    ("rectus_abdominis", True),  # abdomen (GEMT)
    ("psoas_major", True),  # beside the uterus
    ("levator_ani", True),  # pelvic floor
    ("fibularis_longus", True),  # GEMT: peroneals
    ("piriformis", False),  # no source names the buttock; reached through gluteus maximus
    ("gluteus_maximus", False),
    ("gluteus_medius", False),
    ("quadratus_lumborum", False),
    ("adductor_longus", False),
    ("gastrocnemius_medial_head", False),
]


@pytest.mark.parametrize(("muscle_id", "excluded"), PREGNANCY_MUSCLES)
def test_what_pregnancy_excludes_by_muscle(kb: KnowledgeBase, muscle_id: str, excluded: bool) -> None:
    assert (muscle_id in kb.precautions["pregnancy"].avoid_muscles) is excluded


PREGNANCY_LEVELS = [
    # (level, excluded throughout pregnancy?)
    ("L1", True),
    ("L4-L5", True),
    ("L5", True),
    ("L5-S1", True),
    ("S1", True),  # and the sacrum below it
    ("T12-L1", False),  # the range starts at the L1 vertebra
    ("T10", False),
    ("C6", False),
]


@pytest.mark.parametrize(("level", "excluded"), PREGNANCY_LEVELS)
def test_what_pregnancy_excludes_by_level(kb: KnowledgeBase, level: str, excluded: bool) -> None:
    assert (level in kb.precautions["pregnancy"].avoid_levels) is excluded


def test_pregnancy_excludes_everything_in_the_first_trimester_only(kb: KnowledgeBase) -> None:
    [first] = [x for x in kb.precautions["pregnancy"].excludes if x.whole_body]
    assert first.trimesters == (1,) and not first.always
    assert all(x.always for x in kb.precautions["pregnancy"].excludes if not x.whole_body)


def test_every_exclusion_says_why_and_cites_it(kb: KnowledgeBase) -> None:
    exclusions = [(p.id, x) for p in kb.precautions.values() for x in p.excludes]
    assert exclusions
    assert [(pid, x.name) for pid, x in exclusions if not (x.name and x.reason and x.sources)] == []
    assert all(s in kb.references for _, x in exclusions for s in x.sources)


def test_the_areas_a_warning_names_are_excluded_from_the_plan(kb: KnowledgeBase) -> None:
    # A region in avoid_regions is text for the warning; the muscles under it must be excluded too.
    unexcluded = {
        (p.id, region, mid)
        for p in kb.precautions.values()
        for region in p.avoid_regions
        for mid in kb.regions[region].muscles
        if mid not in p.avoid_muscles
    }
    assert unexcluded == set()


# ---------------------------------------------------------------------------
# The plan


def plan_for(
    kb: KnowledgeBase, findings: list[dict[str, Any]], precautions: list[str], regions: list[str], trimester: int | None = None
) -> Plan:
    document = {
        "format": "1.1",
        "patient": {"precautions": precautions, **({"pregnancy_trimester": trimester} if trimester else {})},
        "complaint": {"regions": regions, "side": "right"},
        "findings": [{"side": "right", **f} for f in findings],
    }
    assessment = parse_assessment(document)
    return build(assessment, rank(assessment, kb), kb)


S1_SIGNS = [
    {"type": "reflex", "reflex": "ankle jerk", "grade": "reduced"},
    {"type": "sensory", "region": "lateral foot", "change": "reduced"},
    {"type": "paraspinal", "level": "L5-S1", "sign": "thickened"},
    {"type": "tender_band", "muscle": "piriformis", "severity": 3},
    {"type": "tender_band", "muscle": "gluteus maximus", "severity": 2},
]


def test_pregnancy_takes_the_lumbar_and_sacral_paraspinal_steps_out_and_keeps_piriformis(kb: KnowledgeBase) -> None:
    without = plan_for(kb, S1_SIGNS, [], ["buttock"])
    assert [s.segment for s in without.steps if s.region == "paraspinal"]  # multifidus at S1/L5 otherwise
    plan = plan_for(kb, S1_SIGNS, ["pregnant"], ["buttock"], trimester=2)
    assert [s for s in plan.steps if s.region == "paraspinal"] == []
    dropped = [d for d in plan.dropped if d.muscle.id == "multifidus_lumbar"]
    assert dropped and all(d.reason == "avoided because of pregnancy: the lumbar spine and sacrum (L1 to S1)" for d in dropped)
    assert "piriformis" in [s.muscle.id for s in plan.steps]


def test_a_pacemaker_takes_the_upper_chest_muscles_out(kb: KnowledgeBase) -> None:
    findings = [
        {"type": "reflex", "reflex": "triceps", "grade": "reduced"},
        {"type": "paraspinal", "level": "C7"},
        {"type": "tender_band", "muscle": "pectoralis major sternocostal head", "severity": 3},
    ]
    assert "pectoralis_major_sternocostal_head" in [s.muscle.id for s in plan_for(kb, findings, [], ["chest"]).steps]
    plan = plan_for(kb, findings, ["pacemaker"], ["chest"])
    [dropped] = [d for d in plan.dropped if d.muscle.id == "pectoralis_major_sternocostal_head"]
    assert dropped.reason == "avoided because of pacemaker or implanted cardiac device: the upper chest over the device pocket"


# ---------------------------------------------------------------------------
# The loader


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(TINY, target)
    return target


def test_a_level_range_expands_to_its_vertebrae_and_interspaces() -> None:
    precaution = load_kb(TINY).precautions["anticoagulants"]
    assert precaution.avoid_levels == ("C6", "C6-C7", "C7", "C7-T1")
    assert precaution.avoid_muscles == ("upper_trapezius",)


def edit_exclusion(directory: Path, **fields: Any) -> None:
    path = directory / "precautions.yaml"
    data = yaml.safe_load(path.read_text())
    exclusion = data["precautions"][0]["excludes"][1]
    for key, value in fields.items():
        if value is None:
            exclusion.pop(key, None)
        else:
            exclusion[key] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


ERRORS = [
    # (fields changed on the tiny precaution's level exclusion, message expected)
    ({"levels": ["C8"]}, r"precautions.yaml: record 'anticoagulants', field 'excludes': exclusion 2: unknown level or range 'C8'"),
    ({"levels": ["C7 to C5"]}, r"exclusion 2: range 'C7 to C5' runs upwards; write the higher level first"),
    ({"reason": None}, r"exclusion 2 needs a short 'name' and a 'reason'"),
    ({"sources": None}, r"exclusion 2 needs the references that say so in 'sources'"),
    ({"sources": ["nowhere"]}, r"exclusion 2: unknown reference id 'nowhere'"),
    ({"levels": None}, r"exclusion 2 must name muscles, levels or whole_body: true"),
    ({"trimesters": [1]}, r"exclusion 2: only pregnancy has trimesters"),
    ({"muscles": ["trapezius_everything"]}, r"exclusion 2: unknown muscle or group id 'trapezius_everything'"),
    ({"regions": ["neck"]}, r"exclusion 2: unknown field\(s\) regions"),
]


@pytest.mark.parametrize(("fields", "message"), ERRORS)
def test_the_loader_refuses_an_exclusion_it_cannot_apply(tiny: Path, fields: dict[str, Any], message: str) -> None:
    edit_exclusion(tiny, **fields)
    with pytest.raises(KBError, match=message):
        load_kb(tiny)


def test_the_old_avoid_muscles_field_is_refused_with_the_new_one_named(tiny: Path) -> None:
    path = tiny / "precautions.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    data["precautions"][0]["avoid_muscles"] = ["upper_trapezius"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(KBError, match=r"field 'avoid_muscles': unknown field; allowed fields are .*excludes"):
        load_kb(tiny)
