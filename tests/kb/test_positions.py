"""Each muscle's place from the spine along the body (``position``, 0-100), reviewed as orderings.

IMS needles proximal to distal within a tier; the planner will order by this value. The
scale (docs/knowledge-base.md): upper limb 0 spine, 10 medial border of the scapula, 20
shoulder joint, 50 elbow, 80 wrist, 100 fingertips; lower limb 0 spine, 10 sacrum and iliac
crest, 20 hip joint, 50 knee, 80 ankle, 100 toes; neck and trunk from the spine (0) round to
the front midline (25); the head from the occiput (15) to the face (35).
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
import yaml

from myotome.kb import KBError, KnowledgeBase, load_kb
from myotome.kb import model as m

TINY = Path(__file__).parent / "tiny"

PROXIMAL_FIRST = [
    # (nearer the spine, further along the limb): textbook orderings by origin and belly
    ("extensor_carpi_radialis_longus", "extensor_carpi_radialis_brevis"),  # ECRL arises above ECRB on the supracondylar ridge
    ("brachioradialis", "extensor_carpi_radialis_longus"),  # brachioradialis arises highest on the ridge
    ("brachioradialis", "abductor_pollicis_longus"),  # APL arises mid-forearm from radius and ulna
    ("infraspinatus", "middle_deltoid"),  # the cuff on the scapula before the deltoid over the joint
    ("infraspinatus", "posterior_deltoid"),
    ("supraspinatus", "middle_deltoid"),
    ("rhomboid_major", "infraspinatus"),  # rhomboids between the spine and the scapula
    ("levator_scapulae", "supraspinatus"),
    ("teres_major", "triceps_brachii"),
    ("coracobrachialis", "biceps_brachii"),
    ("biceps_brachii", "brachialis"),  # brachialis covers the lower half of the humerus
    ("triceps_brachii", "anconeus"),
    ("anconeus", "extensor_carpi_ulnaris"),
    ("pronator_teres", "pronator_quadratus"),
    ("flexor_digitorum_superficialis", "flexor_pollicis_longus"),
    ("abductor_pollicis_longus", "extensor_indicis"),  # the deep outcropping muscles, top to bottom
    ("extensor_pollicis_brevis", "extensor_indicis"),
    ("pronator_quadratus", "abductor_pollicis_brevis"),
    ("piriformis", "quadratus_femoris"),  # the deep rotators, top to bottom
    ("gluteus_medius", "tensor_fasciae_latae"),
    ("tensor_fasciae_latae", "sartorius"),
    ("pectineus", "adductor_longus"),
    ("adductor_longus", "gracilis"),
    ("rectus_femoris", "vastus_medialis"),  # VMO just above the knee
    ("semitendinosus", "biceps_femoris_short_head"),
    ("articularis_genus", "popliteus"),
    ("popliteus", "tibialis_posterior"),
    ("gastrocnemius_medial_head", "soleus"),
    ("tibialis_anterior", "extensor_hallucis_longus"),  # EHL arises from the middle of the fibula
    ("fibularis_longus", "fibularis_brevis"),
    ("fibularis_brevis", "fibularis_tertius"),
    ("flexor_hallucis_longus", "extensor_digitorum_brevis"),
    ("quadratus_lumborum", "external_oblique"),  # the trunk wall, from the spine round to the front
    ("external_oblique", "rectus_abdominis"),
    ("levator_scapulae", "sternocleidomastoid"),  # the neck, from behind forward
    ("upper_trapezius", "scalenus_anterior"),
]


@pytest.mark.parametrize(("proximal", "distal"), PROXIMAL_FIRST)
def test_textbook_orderings_from_the_spine_along_the_limb(kb: KnowledgeBase, proximal: str, distal: str) -> None:
    a, b = kb.muscles[proximal].position, kb.muscles[distal].position
    assert a is not None and b is not None and a < b


def test_every_muscle_but_the_paraspinal_ones_has_a_position(kb: KnowledgeBase) -> None:
    assert [mu.id for mu in kb.muscles.values() if mu.rank != "paraspinal" and mu.position is None] == []


@pytest.mark.parametrize("limb", ["upper", "lower"])
def test_positions_agree_with_the_ims_tiers_along_each_limb(kb: KnowledgeBase, limb: str) -> None:
    # Every girdle muscle lies nearer the spine than every arm or thigh muscle, and so on.
    tiers: dict[int, list[int]] = {}
    for mu in kb.muscles.values():
        if mu.limb == limb and mu.position is not None:
            tiers.setdefault(mu.rank_order, []).append(mu.position)
    ranks = sorted(tiers)
    assert ranks == [1, 2, 3, 4]
    assert [(r, max(tiers[r]), min(tiers[n])) for r, n in itertools.pairwise(ranks) if max(tiers[r]) >= min(tiers[n])] == []


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(TINY, target)
    return target


def _set_position(directory: Path, value: object) -> None:
    path = directory / "muscles.yaml"
    data = yaml.safe_load(path.read_text())
    record = next(r for r in data["muscles"] if r["id"] == "biceps_brachii")
    if value is None:
        del record["position"]
    else:
        record["position"] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False))


POSITION_ERRORS = [
    (None, r"record 'biceps_brachii', field 'position': missing; every muscle but the paraspinal ones needs its place"),
    (120, r"record 'biceps_brachii', field 'position': expected a whole number from 0 \(the spine\) to 100"),
    ("mid-arm", r"field 'position': expected a whole number"),
]


@pytest.mark.parametrize(("value", "message"), POSITION_ERRORS)
def test_the_loader_refuses_a_missing_or_wrong_position(tiny: Path, value: object, message: str) -> None:
    _set_position(tiny, value)
    with pytest.raises(KBError, match=message):
        load_kb(tiny)


def test_paraspinal_muscles_are_ordered_by_level_not_position(kb: KnowledgeBase) -> None:
    assert kb.muscles["multifidus_lumbar"].position is None
    assert m.RANKS["paraspinal"] == 0
