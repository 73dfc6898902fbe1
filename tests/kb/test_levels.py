"""Vertebral levels and interspaces (levels.yaml): the roots each implicates and its muscles.

Clinical tables a physiotherapist can review (neck: the root leaves above its numbered
vertebra; thoracic spine: below it; lumbar spine: exiting and traversing roots), the names
clinicians write, the levels that name no vertebra, and the loader's refusals, each made
by breaking one thing in a copy of the tiny KB (tests/kb/tiny, levels C4 to T1).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from myotome.kb import KBError, KnowledgeBase, UnknownName, load_kb

TINY = Path(__file__).parent / "tiny"

SPINAL_TO_S1 = (
    *(f"C{i}" for i in range(1, 9)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    "S1",
)

ROOTS = [
    # (level, {root: weight})
    ("C0-C1", {"C1": 1.0}),  # the suboccipital nerve leaves between occiput and atlas
    ("C1-C2", {"C2": 1.0}),
    ("C4-C5", {"C5": 1.0}),  # neck: the root leaves above its numbered vertebra
    ("C5-C6", {"C6": 1.0}),
    ("C6-C7", {"C7": 1.0}),
    ("C7-T1", {"C8": 1.0}),  # C8 has no vertebra: it leaves below C7
    ("T1-T2", {"T1": 1.0}),  # thoracic spine: the root leaves below its numbered vertebra
    ("T4-T5", {"T4": 1.0}),
    ("T12-L1", {"T12": 1.0}),
    ("L3-L4", {"L3": 0.5, "L4": 0.5}),
    ("L4-L5", {"L4": 0.5, "L5": 0.5}),  # L4 exits; L5 traverses, the root a posterolateral disc usually compresses
    ("L5-S1", {"L5": 0.5, "S1": 0.5}),
    ("C6", {"C6": 1.0}),  # a vertebra: the root whose dorsal ramus supplies its paraspinal muscles
    ("C7", {"C7": 1.0}),
    ("T4", {"T4": 1.0}),
    ("L4", {"L4": 1.0}),
    ("S1", {"S1": 1.0}),
]


@pytest.mark.parametrize(("level", "roots"), ROOTS)
def test_a_level_implicates_its_roots_with_their_weights(kb: KnowledgeBase, level: str, roots: dict[str, float]) -> None:
    assert {r.segment: r.weight for r in kb.roots_at(level)} == roots


RELATIONS = [
    # (level, root, relation)
    ("C4-C5", "C5", "exiting"),
    ("C7-T1", "C8", "exiting"),
    ("T4-T5", "T4", "exiting"),
    ("L4-L5", "L4", "exiting"),
    ("L4-L5", "L5", "traversing"),
    ("L5-S1", "L5", "exiting"),
    ("L5-S1", "S1", "traversing"),
    ("L4", "L4", "segmental"),
]


@pytest.mark.parametrize(("level", "root", "relation"), RELATIONS)
def test_a_levels_roots_say_how_they_relate_to_it(kb: KnowledgeBase, level: str, root: str, relation: str) -> None:
    assert {r.segment: r.relation for r in kb.levels[level].roots}[root] == relation


def test_the_table_runs_from_occiput_c1_to_s1_without_gaps(kb: KnowledgeBase) -> None:
    ids = [level.id for level in kb.vertebral_levels]
    assert ids[:4] == ["C0-C1", "C1", "C1-C2", "C2"]
    assert ids[-3:] == ["L5", "L5-S1", "S1"]
    assert len(ids) == 50  # 25 vertebrae (C1-C7, T1-T12, L1-L5, S1) and 25 interspaces
    assert [level.kind for level in kb.vertebral_levels] == ["interspace", "vertebra"] * 25


def test_every_root_from_c1_to_s1_is_implicated_by_some_level(kb: KnowledgeBase) -> None:
    assert [s for s in SPINAL_TO_S1 if not kb.levels_for(s)] == []


LEVELS_FOR = [
    # (root, the levels that implicate it)
    ("C8", ("C7-T1",)),
    ("C5", ("C4-C5", "C5")),
    ("T4", ("T4", "T4-T5")),
    ("L5", ("L4-L5", "L5", "L5-S1")),
    ("S1", ("L5-S1", "S1")),
]


@pytest.mark.parametrize(("root", "levels"), LEVELS_FOR)
def test_the_levels_where_a_root_is_sought(kb: KnowledgeBase, root: str, levels: tuple[str, ...]) -> None:
    assert tuple(level.id for level in kb.levels_for(root)) == levels


# ---------------------------------------------------------------------------
# The paraspinal muscles at each level

PARASPINAL = [
    # (level, the first muscle, muscles that must be there)
    ("C0-C1", "rectus_capitis_posterior_major", {"rectus_capitis_posterior_minor", "obliquus_capitis_superior", "semispinalis_capitis"}),
    (
        "C1-C2",
        "rectus_capitis_posterior_major",
        {"obliquus_capitis_inferior", "semispinalis_capitis", "splenius_capitis"},
    ),  # suboccipitals at C1-C2
    ("C2", "multifidus_cervical", {"obliquus_capitis_inferior", "rectus_capitis_posterior_major"}),
    ("C4-C5", "multifidus_cervical", {"semispinalis_capitis", "splenius_capitis", "semispinalis_cervicis"}),
    ("C7-T1", "multifidus_cervical", {"splenius_cervicis", "iliocostalis_cervicis"}),
    ("T4-T5", "multifidus_thoracic", {"iliocostalis_thoracis", "longissimus_thoracis", "semispinalis_thoracis"}),
    ("L4-L5", "multifidus_lumbar", {"iliocostalis_lumborum", "longissimus_thoracis"}),
    ("S1", "multifidus_lumbar", set()),
]


@pytest.mark.parametrize(("level", "first", "present"), PARASPINAL)
def test_each_level_lists_the_paraspinal_muscles_needled_there(kb: KnowledgeBase, level: str, first: str, present: set[str]) -> None:
    muscles = kb.levels[level].paraspinal
    assert muscles[0] == first
    assert present <= set(muscles)


def test_every_level_has_a_needled_paraspinal_muscle_of_its_own_region(kb: KnowledgeBase) -> None:
    problems = []
    for level in kb.vertebral_levels:
        muscles = [kb.muscles[i] for i in level.paraspinal]
        if not muscles or any(mu.rank != "paraspinal" or mu.needling.never for mu in muscles):
            problems.append(level.id)
    assert problems == []


def test_every_needled_paraspinal_muscle_has_a_level(kb: KnowledgeBase) -> None:
    # Semispinalis and splenius capitis, the suboccipitals, iliocostalis and longissimus included:
    # none is skipped for want of a level.
    placed = {mid for level in kb.vertebral_levels for mid in level.paraspinal}
    paraspinal = {mu.id for mu in kb.muscles.values() if mu.rank == "paraspinal" and not mu.needling.never}
    assert paraspinal - placed == set()


# ---------------------------------------------------------------------------
# Names clinicians write, and levels that name no vertebra

NAMES = [
    # (as written, level id)
    ("C7-T1", "C7-T1"),
    ("C7/T1", "C7-T1"),
    ("c7 t1", "C7-T1"),
    ("C7–T1", "C7-T1"),  # en dash
    ("cervicothoracic junction", "C7-T1"),
    ("occiput-C1", "C0-C1"),
    ("C0/C1", "C0-C1"),
    ("atlas", "C1"),
    ("axis", "C2"),
    ("vertebra prominens", "C7"),
    ("T12/L1", "T12-L1"),
    ("L5-S1", "L5-S1"),
    ("lumbosacral junction", "L5-S1"),
    ("L4", "L4"),
    ("L4 spinous process", "L4"),
]


@pytest.mark.parametrize(("written", "level_id"), NAMES)
def test_levels_are_found_as_clinicians_write_them(kb: KnowledgeBase, written: str, level_id: str) -> None:
    assert kb.find_level(written).id == level_id


REFUSED = [
    # (as written, what the message tells the clinician)
    ("C8", r"there is no C8 vertebra.*write C7-T1"),
    ("C7-C8", r"there is no C8 vertebra.*write C7-T1"),
    ("C8-T1", r"there is no C8 vertebra"),
    ("S2", r"the sacrum below S1 is fused: write S1 or L5-S1"),
    ("L6", r"that vertebra does not exist"),
    ("T13", r"that vertebra does not exist"),
    ("L3-L5", r"an interspace names two adjacent vertebrae"),
    ("lumbar", r"unknown level 'lumbar'"),
]


@pytest.mark.parametrize(("written", "message"), REFUSED)
def test_a_level_that_names_no_vertebra_says_what_to_write(kb: KnowledgeBase, written: str, message: str) -> None:
    with pytest.raises(UnknownName, match=message):
        kb.find_level(written)


# ---------------------------------------------------------------------------
# The loader's refusals


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(TINY, target)
    return target


def edit_levels(directory: Path, change: Callable[[list[dict[str, Any]]], None]) -> None:
    path = directory / "levels.yaml"
    data = yaml.safe_load(path.read_text())
    change(data["levels"])
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _level(level_id: str, **fields: Any) -> Callable[[list[dict[str, Any]]], None]:
    def change(levels: list[dict[str, Any]]) -> None:
        next(level for level in levels if level["id"] == level_id).update(fields)

    return change


def _drop(level_id: str) -> Callable[[list[dict[str, Any]]], None]:
    def change(levels: list[dict[str, Any]]) -> None:
        levels[:] = [level for level in levels if level["id"] != level_id]

    return change


ERRORS = [
    # (change, message expected)
    (
        _level("C4-C5", roots=[{"segment": "C5", "weight": 0.5, "relation": "exiting"}]),
        r"levels.yaml: record 'C4-C5', field 'roots': the weights must add up to 1, got 0.5",
    ),
    (
        _level("C4-C5", roots=[{"segment": "C9", "weight": 1, "relation": "exiting"}]),
        r"record 'C4-C5', field 'roots': root 1: 'C9' is not a spinal segment",
    ),
    (
        _level("C4-C5", roots=[{"segment": "C5", "weight": 1, "relation": "nearby"}]),
        r"root 1: relation 'nearby'; expected one of segmental, exiting, traversing",
    ),
    (_level("C4-C5", roots=[]), r"record 'C4-C5', field 'roots': a level must implicate at least one root"),
    (_drop("C5"), r"levels.yaml: the levels must run from C0-C1 to S1.*missing C5"),
    (_level("C5", id="C8"), r"record 'C8', field 'kind': 'C8' is not a vertebra from C1 to S1"),
    (_level("C4-C5", id="C4-C8"), r"record 'C4-C8', field 'kind': 'C4-C8' is not an interspace between two vertebrae"),
    (
        _level("C6", paraspinal=["extensor_carpi_radialis_brevis"]),
        r"record 'C6', field 'paraspinal': 'extensor_carpi_radialis_brevis' is not a paraspinal muscle",
    ),
    (_level("C6", paraspinal=["multifidus"]), r"record 'C6', field 'paraspinal': unknown muscle id 'multifidus'"),
]


@pytest.mark.parametrize(("change", "message"), ERRORS)
def test_the_loader_refuses_a_broken_level_table(tiny: Path, change: Callable[[list[dict[str, Any]]], None], message: str) -> None:
    edit_levels(tiny, change)
    with pytest.raises(KBError, match=message):
        load_kb(tiny)


def test_the_loader_refuses_a_muscle_that_does_not_belong_at_the_level(tiny: Path) -> None:
    # Upper trapezius is not paraspinal and is supplied far from T1: both are reported.
    edit_levels(tiny, _level("T1", paraspinal=["upper_trapezius"]))
    with pytest.raises(
        KBError, match=r"record 'T1', field 'paraspinal': 'upper_trapezius' \(CN XI, C4\) is not supplied by T1 or a neighbouring root"
    ):
        load_kb(tiny)


def test_the_documents_vertebral_levels_are_the_knowledge_bases(kb: KnowledgeBase) -> None:
    from myotome.exam import VERTEBRAL_LEVELS

    assert tuple(level.id for level in kb.vertebral_levels) == VERTEBRAL_LEVELS
