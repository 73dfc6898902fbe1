"""Each muscle's needle depth (mm, average build) and approach, cited, and its depth class.

The planner will scale these by build and cap needles over the lung unless the approach is
onto bone; the depth class (superficial, medium, deep, very deep) stays and must agree with
the millimetres. Error cases break one thing in a copy of the tiny KB (tests/kb/tiny).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from myotome.kb import KBError, KnowledgeBase, load_kb
from myotome.kb import model as m

TINY = Path(__file__).parent / "tiny"

DEPTHS = [
    # (muscle, mm in an average build, approach, basis)
    ("multifidus_thoracic", (30, 45), "onto_bone", "estimate"),  # onto the lamina (issue 8; Williams 2023 on the canal)
    ("multifidus_lumbar", (40, 60), "onto_bone", "estimate"),
    ("multifidus_cervical", (25, 40), "onto_bone", "estimate"),
    ("quadratus_lumborum", (50, 75), "onto_bone", "estimate"),  # 50 mm or more at L3-L4, onto the transverse process
    ("iliocostalis_lumborum", (25, 40), "onto_rib", "estimate"),  # kidney and pleura nearer in the upper lumbar spine
    ("rhomboid_major", (10, 20), "onto_rib", "estimate"),  # pleura 14-22 mm deep by BMI
    ("pronator_teres", (45, 50), "perpendicular", "published"),  # Kvist 2021 protocol
    ("upper_trapezius", (5, 15), "pincer", "estimate"),
    ("external_intercostals", (15, 30), "tangential", "estimate"),
    ("supraspinatus", (15, 30), "onto_bone", "estimate"),  # the scapular fossa stops the needle
    ("biceps_brachii", (5, 15), "perpendicular", "estimate"),
]


@pytest.mark.parametrize(("muscle_id", "mm", "approach", "basis"), DEPTHS)
def test_needle_depth_and_approach(kb: KnowledgeBase, muscle_id: str, mm: tuple[int, int], approach: str, basis: str) -> None:
    depth = kb.muscles[muscle_id].needle_depth
    assert depth is not None
    assert (depth.mm, depth.approach, depth.basis) == (mm, approach, basis)


def test_every_muscle_has_a_cited_depth(kb: KnowledgeBase) -> None:
    assert [mu.id for mu in kb.muscles.values() if mu.needle_depth is None or not mu.needle_depth.sources] == []
    assert {s for mu in kb.muscles.values() if mu.needle_depth for s in mu.needle_depth.sources} <= set(kb.references)


def test_every_typical_depth_fits_its_depth_class(kb: KnowledgeBase) -> None:
    wrong = {}
    for mu in kb.muscles.values():
        assert mu.needle_depth is not None
        low, high = m.DEPTH_BANDS_MM[mu.depth]
        if not low <= mu.needle_depth.typical_mm <= high:
            wrong[mu.id] = (mu.depth, mu.needle_depth.mm)
    assert wrong == {}


def test_no_muscle_over_the_lung_is_needled_straight_in(kb: KnowledgeBase) -> None:
    lung = [mu for mu in kb.muscles.values() if any(c.kind == "lung" for c in mu.cautions)]
    assert [mu.id for mu in lung if mu.needle_depth is None or mu.needle_depth.approach == "perpendicular"] == []


def test_onto_bone_over_the_lung_is_only_where_bone_backs_the_whole_target(kb: KnowledgeBase) -> None:
    # The planner may lift the lung cap for these: laminae, transverse processes and scapular fossae.
    onto_bone = sorted(
        mu.id
        for mu in kb.muscles.values()
        if any(c.kind == "lung" for c in mu.cautions) and mu.needle_depth is not None and mu.needle_depth.approach == "onto_bone"
    )
    assert onto_bone == [
        "infraspinatus",
        "longissimus_cervicis",
        "multifidus_thoracic",
        "quadratus_lumborum",
        "rotatores",
        "semispinalis_thoracis",
        "supraspinatus",
    ]


def test_depths_with_a_published_source_say_so(kb: KnowledgeBase) -> None:
    published = {mu.id for mu in kb.muscles.values() if mu.needle_depth and mu.needle_depth.basis == "published"}
    assert published == {"pronator_teres"}


# ---------------------------------------------------------------------------
# The loader


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(TINY, target)
    return target


def _set_depth(directory: Path, **fields: Any) -> None:
    path = directory / "muscles.yaml"
    data = yaml.safe_load(path.read_text())
    record = next(r for r in data["muscles"] if r["id"] == "biceps_brachii")
    for key, value in fields.items():
        if key == "depth_class":
            record["depth"] = value
        elif value is None:
            record["needle_depth"].pop(key, None)
        else:
            record["needle_depth"][key] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False))


ERRORS = [
    ({"mm": [15, 5]}, r"record 'biceps_brachii', field 'needle_depth': mm must be \[from, to\]"),
    ({"mm": [5, 10, 15]}, r"field 'needle_depth': mm must be \[from, to\]"),
    (
        {"approach": "sideways"},
        r"field 'needle_depth': approach 'sideways'; expected one of perpendicular, onto_bone, onto_rib, tangential, pincer",
    ),
    ({"basis": "guess"}, r"field 'needle_depth': basis 'guess'; expected one of published, estimate"),
    ({"sources": None}, r"field 'needle_depth': cite the references behind the depth"),
    ({"sources": ["nowhere"]}, r"field 'needle_depth': unknown reference id 'nowhere'"),
    ({"depth_class": "very_deep"}, r"field 'needle_depth': a typical depth of 10 mm does not fit depth class 'very_deep' \(50-150 mm\)"),
]


@pytest.mark.parametrize(("fields", "message"), ERRORS)
def test_the_loader_refuses_a_depth_it_cannot_use(tiny: Path, fields: dict[str, Any], message: str) -> None:
    _set_depth(tiny, **fields)
    with pytest.raises(KBError, match=message):
        load_kb(tiny)


def test_the_loader_requires_a_depth(tiny: Path) -> None:
    path = tiny / "muscles.yaml"
    data = yaml.safe_load(path.read_text())
    del next(r for r in data["muscles"] if r["id"] == "biceps_brachii")["needle_depth"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(KBError, match=r"record 'biceps_brachii', field 'needle_depth': missing"):
        load_kb(tiny)
