"""Which muscles may be needled: the structured ``needling`` field, groups and conditions.

Tables a physiotherapist can review: the muscles the references say must not be needled,
the groups that leave members out of a plan, and the loader's refusals, each made by
breaking one thing in a copy of the tiny KB (tests/kb/tiny).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from myotome.kb import KBError, KnowledgeBase, load_kb
from myotome.kb import model as m

TINY = Path(__file__).parent / "tiny"

NEVER = [
    # (muscle, a word the reason must contain): muscles.yaml says "do not needle" / "not a needling target"
    ("innermost_intercostals", "pleura"),
    ("transversus_thoracis", "pleura"),
    ("psoas_minor", "abdomen"),
    ("scalenus_minimus", "suprapleural"),
    ("diaphragm", "lungs"),
    ("rectus_capitis_anterior", "pharynx"),
    ("rectus_capitis_lateralis", "vertebral artery"),
    ("longus_colli", "carotid"),
    ("longus_capitis", "carotid"),
    ("intertransversarii", "spinal nerves"),
    ("cremaster", "spermatic cord"),
    ("levator_ani", "specialist"),  # pelvic floor: internal technique, not routine IMS
    ("coccygeus", "specialist"),
    ("external_anal_sphincter", "specialist"),
]


@pytest.mark.parametrize(("muscle_id", "word"), NEVER)
def test_muscles_the_references_say_not_to_needle_are_never_needled(kb: KnowledgeBase, muscle_id: str, word: str) -> None:
    needling = kb.muscles[muscle_id].needling
    assert needling.allowed == "never"
    assert word in (needling.reason or "")
    assert needling.sources and set(needling.sources) <= set(kb.references)


def test_the_never_list_is_exactly_the_table(kb: KnowledgeBase) -> None:
    # A muscle added to or taken off the list shows up in review here.
    assert sorted(mu.id for mu in kb.muscles.values() if mu.needling.never) == sorted(mid for mid, _ in NEVER)


def test_every_muscle_not_freely_needled_says_why_and_cites_it(kb: KnowledgeBase) -> None:
    restricted = [mu for mu in kb.muscles.values() if mu.needling.allowed != "yes"]
    assert [mu.id for mu in restricted if not mu.needling.reason or not mu.needling.sources] == []


def test_every_muscle_in_a_lung_zone_is_needled_with_caution_or_never(kb: KnowledgeBase) -> None:
    lung = [mu for mu in kb.muscles.values() if any(c.kind == "lung" for c in mu.cautions)]
    assert lung and [mu.id for mu in lung if mu.needling.allowed == "yes"] == []


def test_a_muscle_without_a_needling_field_may_be_needled(kb: KnowledgeBase) -> None:
    assert kb.muscles["biceps_brachii"].needling == m.NEEDLING_DEFAULT
    assert m.NEEDLING_DEFAULT.allowed == "yes" and not m.NEEDLING_DEFAULT.never


# ---------------------------------------------------------------------------
# Groups: what a plan through a group may needle

GROUPS = [
    # (group, members a plan may needle)
    ("intercostals", ("external_intercostals", "internal_intercostals")),  # not the innermost layer on the pleura
    ("deep_neck_flexors", ()),  # prevertebral: none, and the group says so
    ("pelvic_floor", ()),
    ("scalenes", ("scalenus_anterior", "scalenus_medius", "scalenus_posterior")),
    ("iliopsoas", ("psoas_major", "iliacus")),
]


@pytest.mark.parametrize(("group_id", "needled"), GROUPS)
def test_a_group_expands_to_the_members_that_may_be_needled(kb: KnowledgeBase, group_id: str, needled: tuple[str, ...]) -> None:
    assert tuple(mu.id for mu in kb.needled_members(kb.groups[group_id])) == needled


def test_every_group_lists_its_never_needled_members(kb: KnowledgeBase) -> None:
    wrong = {
        g.id: (g.not_needled, never)
        for g in kb.groups.values()
        if set(g.not_needled) != (never := {mid for mid in g.members if kb.muscles[mid].needling.never})
    }
    assert wrong == {}


def test_only_the_groups_that_say_so_expand_to_no_needled_muscle(kb: KnowledgeBase) -> None:
    empty = {g.id for g in kb.groups.values() if not kb.needled_members(g)}
    assert empty == {"deep_neck_flexors", "pelvic_floor"}
    assert all(set(kb.groups[g].not_needled) == set(kb.groups[g].members) and kb.groups[g].note for g in empty)


def test_a_conditions_usual_muscles_are_never_the_never_needled_ones(kb: KnowledgeBase) -> None:
    assert [(c.id, mid) for c in kb.conditions.values() for mid in c.muscles if kb.muscles[mid].needling.never] == []
    chest = kb.conditions["chest_wall_pain"].muscles  # written as the 'intercostals' group
    assert {"external_intercostals", "internal_intercostals"} <= set(chest)
    assert "innermost_intercostals" not in chest


# ---------------------------------------------------------------------------
# The loader's refusals


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(TINY, target)
    return target


def edit(directory: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = directory / f"{name}.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _muscle(muscle_id: str, **fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        record = next(r for r in data["muscles"] if r["id"] == muscle_id)
        for key, value in fields.items():
            if value is None:
                record.pop(key, None)
            else:
                record[key] = value

    return change


def _never_ecrb(data: dict[str, Any]) -> None:
    _muscle("extensor_carpi_radialis_brevis", needling={"allowed": "never", "reason": "test", "sources": ["book"]})(data)


ERRORS = [
    # (file, change, message expected)
    (
        "muscles",
        _muscle("biceps_brachii", needling={"allowed": "never", "sources": ["book"]}),
        r"muscles.yaml: record 'biceps_brachii', field 'needling': 'never' needs a reason the clinician can read",
    ),
    (
        "muscles",
        _muscle("biceps_brachii", needling={"allowed": "never", "reason": "Deep."}),
        r"record 'biceps_brachii', field 'needling': 'never' needs the references that say so in 'sources'",
    ),
    (
        "muscles",
        _muscle("biceps_brachii", needling={"allowed": "sometimes"}),
        r"record 'biceps_brachii', field 'needling': expected \{allowed: yes \| caution \| never, reason, sources\}",
    ),
    (
        "muscles",
        _muscle("biceps_brachii", needling={"allowed": "caution", "reason": "x", "sources": ["nowhere"]}),
        r"record 'biceps_brachii', field 'needling': unknown reference id 'nowhere'",
    ),
    (
        "muscles",
        _muscle("upper_trapezius", needling=None),
        r"record 'upper_trapezius', field 'needling': a muscle in a lung zone must say whether it may be needled",
    ),
    (
        "muscles",
        _never_ecrb,
        r"groups.yaml: record 'wrist_extensors', field 'not_needled': list extensor_carpi_radialis_brevis: never needled",
    ),
]


@pytest.mark.parametrize(("file", "change", "message"), ERRORS)
def test_the_loader_refuses_needling_data_it_cannot_trust(
    tiny: Path, file: str, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    edit(tiny, file, change)
    with pytest.raises(KBError, match=message):
        load_kb(tiny)


def test_a_group_may_not_claim_a_needled_member_is_never_needled(tiny: Path) -> None:
    edit(tiny, "groups", lambda data: data["groups"][0].update(not_needled=["extensor_carpi_radialis_longus"]))
    with pytest.raises(KBError, match=r"record 'wrist_extensors', field 'not_needled': extensor_carpi_radialis_longus is not a member"):
        load_kb(tiny)


def test_a_condition_may_not_list_a_never_needled_muscle(tiny: Path) -> None:
    edit(tiny, "muscles", _never_ecrb)
    edit(tiny, "groups", _ecrb_not_needled)
    edit(tiny, "conditions", lambda data: data["conditions"][0].update(muscles=["extensor_carpi_radialis_brevis"]))
    with pytest.raises(
        KBError, match=r"conditions.yaml: record 'tennis_elbow', field 'muscles': 'extensor_carpi_radialis_brevis' is never needled"
    ):
        load_kb(tiny)


def _ecrb_not_needled(data: dict[str, Any]) -> None:
    for group in data["groups"]:  # the wrist extensors, and the group of groups that holds them
        group["not_needled"] = ["extensor_carpi_radialis_brevis"]


def test_a_condition_naming_a_group_gets_only_its_needled_members(tiny: Path) -> None:
    edit(tiny, "muscles", _never_ecrb)
    edit(tiny, "groups", _ecrb_not_needled)
    kb = load_kb(tiny)
    assert kb.conditions["tennis_elbow"].muscles == ("extensor_carpi_radialis_longus", "biceps_brachii")
    assert kb.groups["wrist_extensors"].members == ("extensor_carpi_radialis_longus", "extensor_carpi_radialis_brevis")
