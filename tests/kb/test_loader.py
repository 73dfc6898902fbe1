"""The loader against a tiny synthetic KB (tests/kb/tiny).

The tiny KB holds C4-T1 and CN XI, three nerves, four muscles (ECRB, ECRL, biceps,
upper trapezius), a group and a group of groups, two regions, a joint and a
functional movement, one reflex, one condition and one precaution. Each error test
breaks one thing in a copy of it and checks the message names file, record and field.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from myotome.kb import AmbiguousName, KBError, UnknownName, load_kb

TINY = Path(__file__).parent / "tiny"


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


def record(data: dict[str, Any], entity: str, record_id: str) -> dict[str, Any]:
    return next(r for r in data[entity] if r["id"] == record_id)


def test_it_loads_the_tiny_kb() -> None:
    kb = load_kb(TINY)
    assert sorted(kb.muscles) == ["biceps_brachii", "extensor_carpi_radialis_brevis", "extensor_carpi_radialis_longus", "upper_trapezius"]
    assert kb.spinal_segments == ("C4", "C5", "C6", "C7", "C8", "T1")
    assert kb.version.startswith("test.1+")


def test_it_orders_roots_main_first_and_craniocaudally() -> None:
    ecrb = load_kb(TINY).muscles["extensor_carpi_radialis_brevis"]
    assert ecrb.roots.main == ("C7", "C8")
    assert ecrb.roots.all == ("C7", "C8", "C6")
    assert ecrb.variants[0].roots == ("C6", "C7")


def test_it_expands_groups_of_groups() -> None:
    kb = load_kb(TINY)
    assert kb.groups["lateral_elbow_muscles"].members == (
        "extensor_carpi_radialis_longus",
        "extensor_carpi_radialis_brevis",
        "biceps_brachii",
    )
    assert kb.conditions["tennis_elbow"].muscles == kb.groups["lateral_elbow_muscles"].members


def test_it_derives_movements_and_groups_on_muscles() -> None:
    ecrb = load_kb(TINY).muscles["extensor_carpi_radialis_brevis"]
    assert ecrb.movements == ("wrist_extension", "grip")
    assert ecrb.groups == ("wrist_extensors", "lateral_elbow_muscles")


def test_a_shared_alias_is_ambiguous_not_a_guess() -> None:
    kb = load_kb(TINY)
    with pytest.raises(AmbiguousName, match="'Extensor carpi radialis longus' or 'Extensor carpi radialis brevis'"):
        kb.find_muscle("ECR")


def test_an_unknown_name_suggests_close_ones() -> None:
    with pytest.raises(UnknownName, match="did you mean 'Extensor carpi radialis brevis'") as caught:
        load_kb(TINY).find_muscle("extensor carpi radialis brevs")
    assert caught.value.suggestions[0] == "Extensor carpi radialis brevis"


def test_the_packaged_kb_is_loaded_once() -> None:
    assert load_kb() is load_kb()


def _set(entity: str, record_id: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        record(data, entity, record_id)[key] = value

    return change


def _drop(entity: str, record_id: str, key: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: record(data, entity, record_id).pop(key)


ECRB = "extensor_carpi_radialis_brevis"

BROKEN = [
    # (file, change, message the error must contain)
    (
        "muscles",
        _set("muscles", ECRB, "nerve", "radail"),
        "muscles.yaml: record 'extensor_carpi_radialis_brevis', field 'nerve': unknown nerve id 'radail'; did you mean 'radial'",
    ),
    ("muscles", _set("muscles", ECRB, "roots", {"main": ["C9"]}), "field 'roots'.main: unknown segment or range 'C9'"),
    ("muscles", _set("muscles", ECRB, "roots", {"main": ["C5", "C7"]}), "roots C5, C7 are not contiguous"),
    ("muscles", _set("muscles", "biceps_brachii", "roots", {"main": ["C5-C8"]}), "C8 not among the roots of musculocutaneous"),
    ("muscles", _set("muscles", ECRB, "roots", {"main": ["C7"], "minor": ["C7"]}), "C7 listed as both main and minor"),
    ("muscles", _set("muscles", ECRB, "rank", "elbow"), "field 'rank': got 'elbow'; expected one of paraspinal, girdle"),
    ("muscles", _set("muscles", ECRB, "depth", 30), "field 'depth': got 30; expected one of superficial"),
    ("muscles", _set("muscles", ECRB, "sources", ["nowhere"]), "field 'sources': unknown reference id 'nowhere'"),
    ("muscles", _drop("muscles", ECRB, "sources"), "field 'sources': missing"),
    ("muscles", _set("muscles", ECRB, "innervation", "radial"), "field 'innervation': unknown field"),
    ("muscles", _set("muscles", ECRB, "cautions", [{"kind": "lungs", "text": "x"}]), "caution 1 needs kind"),
    ("muscles", _set("muscles", ECRB, "segmental", True), "segmental muscles must have rank paraspinal"),
    (
        "muscles",
        _set("muscles", "biceps_brachii", "aliases", ["ECRB"]),
        "'ECRB' names both 'extensor_carpi_radialis_brevis' and 'biceps_brachii'",
    ),
    ("muscles", lambda d: d["muscles"].append(dict(d["muscles"][0])), "muscles.yaml: duplicate id 'extensor_carpi_radialis_brevis'"),
    (
        "muscles",
        lambda d: d["shared_aliases"].update(ECR=["extensor_carpi_radialis_brevis"]),
        "shared alias 'ECR' must list two or more known ids",
    ),
    (
        "groups",
        _set("groups", "wrist_extensors", "members", ["lateral_elbow_muscles"]),
        "cycle wrist_extensors -> lateral_elbow_muscles -> wrist_extensors",
    ),
    ("groups", _set("groups", "wrist_extensors", "members", ["ecrb"]), "unknown muscle or group id 'ecrb'"),
    (
        "regions",
        _set("regions", "thumb", "dermatomes", []),
        "regions.yaml: record 'thumb', field 'dermatomes': must name at least one segment",
    ),
    ("movements", _set("movements", "wrist_extension", "roots", {"main": ["C5"]}), "field 'roots': C5 supplies none of its prime movers"),
    ("movements", _set("movements", "wrist_extension", "opposite", "grip"), "field 'opposite': 'grip' is not a joint movement"),
    (
        "movements",
        _set("movements", "wrist_extension", "normal", {"value": -5, "unit": "deg", "source": "book"}),
        "needs a value of 0 or more",
    ),
    (
        "movements",
        _set("movements", "grip", "normal", {"value": 5, "unit": "deg", "source": "book"}),
        "functional movements have no normal range",
    ),
    ("reflexes", _set("reflexes", "biceps_reflex", "roots", {"main": ["C8"]}), "C8 supplies none of the reflex's muscles"),
    ("conditions", _set("conditions", "tennis_elbow", "regions", ["elbow"]), "unknown region id 'elbow'"),
    ("conditions", _set("conditions", "tennis_elbow", "confidence", "sure"), "field 'confidence': got 'sure'"),
    (
        "precautions",
        _set("precautions", "anticoagulants", "dose_factor", 2),
        "field 'dose_factor': expected a number from 0.05 to 1.0, got 2",
    ),
    ("precautions", _set("precautions", "anticoagulants", "avoid_zones", ["lungs"]), "unknown caution kind 'lungs'"),
    ("segments", _set("segments", "C5", "order", None), "spinal segments need a whole-number order"),
]


@pytest.mark.parametrize(("file", "change", "message"), BROKEN, ids=[b[2][:60] for b in BROKEN])
def test_it_names_file_record_and_field_in_errors(tiny: Path, file: str, change: Callable[[dict[str, Any]], None], message: str) -> None:
    edit(tiny, file, change)
    with pytest.raises(KBError, match=_escape(message)):
        load_kb(tiny)


def _escape(text: str) -> str:
    import re

    return re.escape(text)


def test_it_reports_every_problem_at_once(tiny: Path) -> None:
    edit(tiny, "muscles", _set("muscles", ECRB, "nerve", "nowhere"))
    edit(tiny, "regions", _set("regions", "thumb", "limb", "arm"))
    with pytest.raises(KBError) as caught:
        load_kb(tiny)
    assert len(caught.value.problems) == 2


def test_it_reports_a_missing_file(tiny: Path) -> None:
    (tiny / "reflexes.yaml").unlink()
    with pytest.raises(KBError, match=r"reflexes.yaml: cannot read"):
        load_kb(tiny)


def test_it_reports_broken_yaml(tiny: Path) -> None:
    (tiny / "regions.yaml").write_text("meta: [\n")
    with pytest.raises(KBError, match=r"regions.yaml: not valid YAML"):
        load_kb(tiny)
