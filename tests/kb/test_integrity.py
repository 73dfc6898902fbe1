"""Integrity of the real knowledge base, checked independently of the loader's own checks.

The loader already refuses broken cross-references; these tests restate the rules from
the outside (so a loader bug cannot hide a data error), add clinical expectations a
physiotherapist can review (which records must exist, which roots a reflex tests), and
round-trip the whole KB through YAML: load -> dump -> reload gives the same records.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from myotome.kb import KnowledgeBase, load_kb, normalize
from myotome.kb import model as m
from myotome.kb.loader import FILES

SPINAL = (
    *(f"C{i}" for i in range(1, 9)),
    *(f"T{i}" for i in range(1, 13)),
    *(f"L{i}" for i in range(1, 6)),
    *(f"S{i}" for i in range(1, 6)),
)


def records_of_kind(kb: KnowledgeBase) -> dict[str, list[Any]]:
    """Records by look-up kind; muscles and groups share one namespace."""
    return {
        "muscle": [*kb.muscles.values(), *kb.groups.values()],
        "region": list(kb.regions.values()),
        "movement": list(kb.movements.values()),
        "reflex": list(kb.reflexes.values()),
        "segment": list(kb.segments.values()),
        "condition": list(kb.conditions.values()),
        "precaution": list(kb.precautions.values()),
        "nerve": list(kb.nerves.values()),
        "level": list(kb.levels.values()),
    }


def supplied_by(kb: KnowledgeBase, muscle_ids: Iterable[str]) -> set[str]:
    return {s for i in muscle_ids for s in kb.muscles[i].roots.all}


def spinal_positions(segments: Iterable[str]) -> list[int]:
    return sorted(SPINAL.index(s) for s in segments if s in SPINAL)


# ---------------------------------------------------------------------------
# Segments and roots


def test_the_spinal_segments_are_c1_to_s5_in_order(kb: KnowledgeBase) -> None:
    assert kb.spinal_segments == SPINAL


def test_every_muscle_root_is_a_spinal_segment_or_a_cranial_nerve(kb: KnowledgeBase) -> None:
    bad = {
        mu.id: root
        for mu in kb.muscles.values()
        for root in (*mu.roots.all, *(s for v in mu.variants for s in v.roots))
        if not (root in SPINAL or (root in kb.segments and kb.segments[root].kind == "cranial"))
    }
    assert bad == {}


def test_every_muscle_has_main_roots_apart_from_minor_ones(kb: KnowledgeBase) -> None:
    assert [mu.id for mu in kb.muscles.values() if not mu.roots.main or set(mu.roots.main) & set(mu.roots.minor)] == []


def test_every_muscle_spinal_roots_form_one_run(kb: KnowledgeBase) -> None:
    broken = {}
    for mu in kb.muscles.values():
        positions = spinal_positions(mu.roots.all)
        if positions and positions != list(range(positions[0], positions[-1] + 1)):
            broken[mu.id] = mu.roots.all
    assert broken == {}


def test_every_muscle_roots_are_among_its_nerve_roots(kb: KnowledgeBase) -> None:
    outside = {mu.id: sorted(set(mu.roots.all) - set(kb.nerves[mu.nerve].roots)) for mu in kb.muscles.values()}
    assert {k: v for k, v in outside.items() if v} == {}


@pytest.mark.parametrize("segment", SPINAL)
def test_every_spinal_segment_supplies_at_least_one_muscle(kb: KnowledgeBase, segment: str) -> None:
    assert [mu.id for mu in kb.muscles.values() if segment in mu.roots.all] != []


# ---------------------------------------------------------------------------
# Names


def test_every_name_belongs_to_one_record_of_its_kind(kb: KnowledgeBase) -> None:
    """Ids, display names and aliases do not collide after normalising (shared aliases live apart)."""
    clashes = {}
    for kind, records in records_of_kind(kb).items():
        owners: dict[str, set[str]] = defaultdict(set)
        for record in records:
            for name in (record.id, record.name, *record.aliases):
                owners[normalize(name)].add(record.id)
        clashes.update({f"{kind}:{key}": sorted(ids) for key, ids in owners.items() if len(ids) > 1})
    assert clashes == {}


def test_a_shared_alias_is_on_none_of_its_records_and_names_known_records(kb: KnowledgeBase) -> None:
    kinds = records_of_kind(kb)
    problems = []
    for kind, shared in kb.shared_aliases.items():
        by_id = {r.id: r for r in kinds[kind]}
        for alias, ids in shared.items():
            if len(ids) < 2 or not set(ids) <= set(by_id):
                problems.append(f"{kind}:{alias} names {ids}")
            owners = [r.id for r in kinds[kind] if normalize(alias) in {normalize(n) for n in (r.id, r.name, *r.aliases)}]
            if owners:
                problems.append(f"{kind}:{alias} is also written on {owners}")
    assert problems == []


def test_every_record_is_found_by_its_id_name_and_aliases(kb: KnowledgeBase) -> None:
    lost = [
        f"{kind}:{record.id}:{name}"
        for kind, records in records_of_kind(kb).items()
        for record in records
        for name in (record.id, record.name, *record.aliases)
        if kb.index(kind).get(name) is not record
    ]
    assert lost == []


# ---------------------------------------------------------------------------
# Cross-references


def test_every_condition_refers_to_existing_muscles_regions_and_segments(kb: KnowledgeBase) -> None:
    missing = [
        (c.id, ref)
        for c in kb.conditions.values()
        for ref in (
            *(i for i in c.muscles if i not in kb.muscles),
            *(i for i in c.regions if i not in kb.regions),
            *(s for s in c.segments.all if s not in kb.segments),
        )
    ]
    assert missing == []


def test_every_precaution_refers_to_existing_muscles_regions_and_caution_kinds(kb: KnowledgeBase) -> None:
    missing = [
        (p.id, ref)
        for p in kb.precautions.values()
        for ref in (
            *(i for i in p.avoid_muscles if i not in kb.muscles),
            *(i for i in p.avoid_regions if i not in kb.regions),
            *(z for z in p.avoid_zones if z not in m.CAUTION_KINDS),
        )
    ]
    assert missing == []


def test_every_group_expands_to_at_least_one_muscle(kb: KnowledgeBase) -> None:
    assert [g.id for g in kb.groups.values() if not g.members or not set(g.members) <= set(kb.muscles)] == []


def test_every_movement_root_is_supplied_by_a_prime_mover_or_assistant(kb: KnowledgeBase) -> None:
    unsupplied = {mv.id: sorted(set(mv.roots.all) - supplied_by(kb, mv.muscles)) for mv in kb.movements.values()}
    assert {k: v for k, v in unsupplied.items() if v} == {}


def test_every_movement_has_a_prime_mover(kb: KnowledgeBase) -> None:
    assert [mv.id for mv in kb.movements.values() if not mv.prime_movers] == []


def test_every_tendon_reflex_names_its_muscles(kb: KnowledgeBase) -> None:
    assert [r.id for r in kb.reflexes.values() if r.kind == "deep_tendon" and not r.muscles] == []


def test_every_reflex_root_is_supplied_by_its_muscles(kb: KnowledgeBase) -> None:
    unsupplied = {r.id: sorted(set(r.roots.all) - supplied_by(kb, r.muscles)) for r in kb.reflexes.values() if r.muscles}
    assert {k: v for k, v in unsupplied.items() if v} == {}


def _cited(kb: KnowledgeBase) -> list[tuple[str, tuple[str, ...]]]:
    """(where, sources) for every place the KB cites references."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for name in FILES[1:]:
        for record in getattr(kb, name).values():
            out.append((f"{name}:{record.id}", record.sources))
    for mu in kb.muscles.values():
        out += [(f"muscles:{mu.id}:variant", v.sources) for v in mu.variants]
    for mv in kb.movements.values():
        out += [(f"movements:{mv.id}:normal", (n.source,)) for n in (mv.normal, *mv.other_normals) if n is not None]
    return out


def test_every_record_cites_at_least_one_reference(kb: KnowledgeBase) -> None:
    assert [where for where, sources in _cited(kb) if not sources] == []


def test_every_cited_reference_exists(kb: KnowledgeBase) -> None:
    assert sorted({(where, s) for where, sources in _cited(kb) for s in sources if s not in kb.references}) == []


# ---------------------------------------------------------------------------
# Regions and dermatomes


def test_every_region_has_a_dermatome_and_reports_the_first_as_primary(kb: KnowledgeBase) -> None:
    wrong: list[tuple[str, object]] = []
    for region in kb.regions.values():
        if not region.dermatomes or len(set(region.dermatomes)) != len(region.dermatomes):
            wrong.append((region.id, region.dermatomes))
            continue
        for rank, segment in enumerate(region.dermatomes):
            expected = "primary" if rank == 0 else "secondary"
            if (region, expected) not in kb.by_segment(segment)["regions"]:
                wrong.append((region.id, segment))
    assert wrong == []


REQUIRED_REGIONS = [
    # (region id, primary dermatome): ISNCSCI key sensory points where one exists
    ("thumb", "C6"),
    ("index_finger", "C6"),  # C6 or C7 by map; C6 first
    ("little_finger", "C8"),
    ("lateral_forearm", "C6"),
    ("medial_forearm", "T1"),
    ("top_of_shoulder", "C4"),
    ("occiput", "C2"),
    ("medial_knee", "L3"),
    ("groin", "L1"),
    ("dorsum_of_foot", "L5"),
    ("big_toe", "L5"),
    ("lateral_foot", "S1"),
    ("heel", "S1"),
    ("lateral_heel", "S1"),  # the ISNCSCI S1 key point's own wording
    ("plantar_heel", "S1"),
    ("radial_wrist", "C6"),
    ("ulnar_wrist", "C8"),
    ("medial_hand", "C8"),
]


@pytest.mark.parametrize(("region_id", "primary"), REQUIRED_REGIONS)
def test_required_regions_exist_with_their_primary_dermatome(kb: KnowledgeBase, region_id: str, primary: str) -> None:
    assert kb.regions[region_id].dermatomes[0] == primary


# ---------------------------------------------------------------------------
# Muscles


def test_there_are_at_least_150_muscles(kb: KnowledgeBase) -> None:
    assert len(kb.muscles) >= 150


def test_every_body_part_has_a_muscle(kb: KnowledgeBase) -> None:
    assert {mu.body_part for mu in kb.muscles.values()} == set(m.BODY_PARTS)


# Where a needle can reach the pleura: the neck, the chest wall, the back over the ribs
# and the shoulder girdle.
LUNG_AREA = {"neck", "chest", "back", "shoulder"}
LUNG_EXCEPTIONS = {
    # External oblique is an abdominal muscle whose upper slips arise from ribs 5-12,
    # over the pleura.
    "external_oblique",
}


def test_lung_cautions_are_only_on_muscles_near_the_thorax(kb: KnowledgeBase) -> None:
    with_lung = {mu.id: mu.body_part for mu in kb.muscles.values() if any(c.kind == "lung" for c in mu.cautions)}
    assert {i: part for i, part in with_lung.items() if part not in LUNG_AREA and i not in LUNG_EXCEPTIONS} == {}
    assert set(with_lung) >= LUNG_EXCEPTIONS  # an exception no longer needed should be removed


def test_segmental_muscles_are_paraspinal(kb: KnowledgeBase) -> None:
    assert [mu.id for mu in kb.muscles.values() if mu.segmental and mu.rank != "paraspinal"] == []


ROOT_CORRECTIONS = [
    # (muscle, main roots, minor roots, a variant the other references give): issue 8, section 7
    # ECRB: wrist extension (ECRL/ECRB) is the ISNCSCI C6 key muscle group; C7-C8 kept as a variant.
    ("extensor_carpi_radialis_brevis", ("C6", "C7"), ("C8",), ("C7", "C8")),
    # Triceps: the ISNCSCI C7 key muscle, reflex predominantly C7; Kendall's C6-T1 kept.
    ("triceps_brachii", ("C7",), ("C6", "C8"), ("C6", "C7", "C8", "T1")),
    # FHL: L5-S2 in Kendall and Moore; S2-S3 (Gray's, Instant Anatomy) kept.
    ("flexor_hallucis_longus", ("L5", "S1", "S2"), (), ("S2", "S3")),
    # Tibialis posterior: L5 in both source sets, so L5 main for localisation; L4 and S1 minor.
    ("tibialis_posterior", ("L5",), ("L4", "S1"), ("L4", "L5")),
]


@pytest.mark.parametrize(("muscle_id", "main", "minor", "variant"), ROOT_CORRECTIONS)
def test_corrected_roots_keep_the_other_references_as_variants(
    kb: KnowledgeBase, muscle_id: str, main: tuple[str, ...], minor: tuple[str, ...], variant: tuple[str, ...]
) -> None:
    muscle = kb.muscles[muscle_id]
    assert (muscle.roots.main, muscle.roots.minor) == (main, minor)
    assert variant in [v.roots for v in muscle.variants]


def test_ecrb_note_explains_the_root_disagreement(kb: KnowledgeBase) -> None:
    note = kb.muscles["extensor_carpi_radialis_brevis"].note or ""
    assert re.search(r"C6\s*[-–]\s*C7", note)
    assert re.search(r"C7\s*[-–]\s*C8", note)


KEY_MUSCLES = [
    # (ISNCSCI motor level, key movement, muscles tested): each muscle has the level as a main
    # root and the movement's myotome starts with it, so muscles and movements agree.
    ("C5", "elbow_flexion", ("biceps_brachii", "brachialis")),
    ("C6", "wrist_extension", ("extensor_carpi_radialis_longus", "extensor_carpi_radialis_brevis")),
    ("C7", "elbow_extension", ("triceps_brachii",)),
    ("C8", "finger_dip_flexion", ("flexor_digitorum_profundus_index_middle",)),
    ("T1", "finger_abduction", ("abductor_digiti_minimi_hand",)),
    ("L2", "hip_flexion", ("iliacus", "psoas_major")),
    ("L3", "knee_extension", ("rectus_femoris", "vastus_lateralis", "vastus_medialis", "vastus_intermedius")),
    ("L4", "ankle_dorsiflexion", ("tibialis_anterior",)),
    ("L5", "great_toe_extension", ("extensor_hallucis_longus",)),
    ("S1", "ankle_plantarflexion", ("gastrocnemius_medial_head", "gastrocnemius_lateral_head", "soleus")),
]


@pytest.mark.parametrize(("level", "movement_id", "muscles"), KEY_MUSCLES)
def test_isncsci_key_muscles_and_movements_agree_on_the_level(
    kb: KnowledgeBase, level: str, movement_id: str, muscles: tuple[str, ...]
) -> None:
    assert kb.movements[movement_id].roots.main[0] == level
    assert [mu for mu in muscles if level not in kb.muscles[mu].roots.main] == []


_WITH_VARIANTS = [mu.id for mu in load_kb().muscles.values() if mu.variants]


@pytest.mark.parametrize("muscle_id", _WITH_VARIANTS)
def test_a_muscle_with_variants_explains_them_in_its_note(kb: KnowledgeBase, muscle_id: str) -> None:
    # muscles.yaml: "where references disagree the other values are kept under
    # `variants` and explained in `note`".
    assert re.search(r"\b(C|T|L|S)\d{1,2}\b", kb.muscles[muscle_id].note or "")


# ---------------------------------------------------------------------------
# Records the software relies on by id

REQUIRED_PRECAUTIONS = [
    "anticoagulants",
    "bleeding_disorder",
    "pregnancy",
    "lymphoedema",
    "local_infection",
    "systemic_infection",
    "immunocompromise",
    "metal_allergy",
    "needle_phobia",
    "epilepsy",
    "pacemaker",
    "implant",
    "recent_surgery",
    "fragile_skin",
]


@pytest.mark.parametrize("precaution_id", REQUIRED_PRECAUTIONS)
def test_required_precautions_exist(kb: KnowledgeBase, precaution_id: str) -> None:
    assert precaution_id in kb.precautions


REQUIRED_CONDITIONS = [
    "tennis_elbow",
    "golfers_elbow",
    "low_back_pain",
    "sciatica",
    "rotator_cuff",
    "stiff_neck",
    "headache",
    "tmj_dysfunction",
    "ankle_sprain",
    "postural_alignment",
    "it_band_syndrome",
    "patellofemoral_pain",
    "plantar_fasciitis",
    "achilles_tendinopathy",
    "thoracic_outlet_syndrome",
    "carpal_tunnel_syndrome",
    "de_quervain",
    "greater_trochanteric_pain",
    "piriformis_syndrome",
    "frozen_shoulder",
    "shin_splints",
    "trigger_finger",
    "whiplash",
    "knee_osteoarthritis",
    "cervical_radiculopathy",
    "chest_wall_pain",
]


@pytest.mark.parametrize("condition_id", REQUIRED_CONDITIONS)
def test_required_conditions_exist(kb: KnowledgeBase, condition_id: str) -> None:
    assert condition_id in kb.conditions


CONDITION_SEGMENTS = [
    # (condition, main segments): the conditions added for issue 8 and the ones it names
    ("frozen_shoulder", ("C5", "C6")),  # cuff, teres major, pectoralis major
    ("trigger_finger", ("C7", "C8")),  # long finger flexors
    ("de_quervain", ("C6", "C7")),
    ("cervical_radiculopathy", ("C5", "C6", "C7")),
    ("whiplash", ("C3", "C4", "C5")),
    ("chest_wall_pain", ("T2", "T3", "T4", "T5", "T6")),  # costal cartilages 2-5, intercostal nerves
    ("sciatica", ("L4", "L5", "S1")),
    ("piriformis_syndrome", ("S1", "S2")),
    ("knee_osteoarthritis", ("L3", "L4")),
    ("shin_splints", ("L5", "S1")),  # soleus, tibialis posterior, FDL on the medial tibia
]


@pytest.mark.parametrize(("condition_id", "main"), CONDITION_SEGMENTS)
def test_conditions_name_their_usual_segments(kb: KnowledgeBase, condition_id: str, main: tuple[str, ...]) -> None:
    assert kb.conditions[condition_id].segments.main == main


# A condition names a group where clinicians do; a member outside its segments is listed here.
CONDITION_MUSCLES_OUTSIDE = {("tmj_dysfunction", "digastric_posterior_belly")}  # digastric: posterior belly is CN VII


def test_a_conditions_usual_muscles_are_supplied_by_its_segments(kb: KnowledgeBase) -> None:
    outside = {(c.id, mu) for c in kb.conditions.values() for mu in c.muscles if not set(kb.muscles[mu].roots.all) & set(c.segments.all)}
    assert outside == CONDITION_MUSCLES_OUTSIDE


REQUIRED_GROUPS = [
    # (group id, members after expansion)
    ("triceps_surae", {"gastrocnemius_medial_head", "gastrocnemius_lateral_head", "soleus"}),  # plantaris is not part of it
    # The short head of biceps femoris crosses only the knee but is counted with the hamstrings.
    ("hamstrings", {"biceps_femoris_long_head", "biceps_femoris_short_head", "semitendinosus", "semimembranosus"}),
    ("quadriceps", {"rectus_femoris", "vastus_lateralis", "vastus_medialis", "vastus_intermedius"}),
    ("rotator_cuff", {"supraspinatus", "infraspinatus", "teres_minor", "subscapularis"}),
    ("scalenes", {"scalenus_anterior", "scalenus_medius", "scalenus_posterior"}),  # scalenus minimus is inconstant and left out
    (
        "suboccipitals",
        {"rectus_capitis_posterior_major", "rectus_capitis_posterior_minor", "obliquus_capitis_superior", "obliquus_capitis_inferior"},
    ),
    ("glutes", {"gluteus_maximus", "gluteus_medius", "gluteus_minimus"}),
    (
        "erector_spinae",
        {
            "iliocostalis_lumborum",
            "iliocostalis_thoracis",
            "iliocostalis_cervicis",
            "longissimus_thoracis",
            "longissimus_cervicis",
            "longissimus_capitis",
            "spinalis",
        },
    ),
    ("wrist_extensors", {"extensor_carpi_radialis_longus", "extensor_carpi_radialis_brevis", "extensor_carpi_ulnaris"}),
]


@pytest.mark.parametrize(("group_id", "members"), REQUIRED_GROUPS)
def test_required_groups_exist_with_their_members(kb: KnowledgeBase, group_id: str, members: set[str]) -> None:
    assert set(kb.groups[group_id].members) == members


def test_calf_is_the_triceps_surae(kb: KnowledgeBase) -> None:
    assert "calf" in kb.groups["triceps_surae"].aliases


REQUIRED_REGION_IDS = [
    "thumb",
    "index_finger",
    "lateral_forearm",
    "top_of_shoulder",
    "occiput",
    "medial_knee",
    "groin",
    "dorsum_of_foot",
    "big_toe",
    "lateral_foot",
    "heel",
    "little_finger",
    "medial_forearm",
]


@pytest.mark.parametrize("region_id", REQUIRED_REGION_IDS)
def test_required_regions_exist(kb: KnowledgeBase, region_id: str) -> None:
    assert region_id in kb.regions


REFLEXES = [
    # (reflex id, main root the reflex tests)
    ("biceps_reflex", "C5"),  # C5 main, C6 minor
    ("brachioradialis_reflex", "C6"),
    ("triceps_reflex", "C7"),
    ("patellar_reflex", "L4"),
    ("achilles_reflex", "S1"),
    ("medial_hamstring_reflex", "L5"),  # the one tendon reflex for L5
]


@pytest.mark.parametrize(("reflex_id", "main_root"), REFLEXES)
def test_tendon_reflexes_test_their_main_root(kb: KnowledgeBase, reflex_id: str, main_root: str) -> None:
    reflex = kb.reflexes[reflex_id]
    assert reflex.kind == "deep_tendon"
    assert reflex.roots.main[0] == main_root


def test_mouth_opening_is_measured_in_millimetres(kb: KnowledgeBase) -> None:
    normal = kb.movements["tmj_opening"].normal
    assert normal is not None
    assert normal.unit == "mm"
    assert 35 <= normal.value <= 60  # maximal interincisal opening in adults


def test_joint_ranges_are_in_degrees_except_the_jaw(kb: KnowledgeBase) -> None:
    in_mm = {mv.id for mv in kb.movements.values() for n in (mv.normal, *mv.other_normals) if n is not None and n.unit == "mm"}
    assert {i for i in in_mm if not i.startswith("tmj_")} == set()


# ---------------------------------------------------------------------------
# Round trip: load -> dump -> reload
#
# src/myotome/kb has no writer, so this module holds a small one that writes records
# back in the documented format (docs/knowledge-base.md). Groups, conditions and
# precautions hold expanded muscle lists after loading, so the dump writes those.

_FILE_OF_KIND = {
    "level": "levels",
    "muscle": "muscles",
    "region": "regions",
    "movement": "movements",
    "reflex": "reflexes",
    "segment": "segments",
    "condition": "conditions",
    "precaution": "precautions",
    "nerve": "nerves",
}


def _roots(roots: m.Roots) -> dict[str, list[str]]:
    out = {"main": list(roots.main)}
    if roots.minor:
        out["minor"] = list(roots.minor)
    return out


def _normal(normal: m.Normal) -> dict[str, Any]:
    out: dict[str, Any] = {"value": normal.value, "unit": normal.unit, "source": normal.source}
    if normal.note is not None:
        out["note"] = normal.note
    return out


def _needling(needling: m.Needling) -> dict[str, Any] | None:
    if needling == m.NEEDLING_DEFAULT:
        return None  # absent means the default, as the loader reads it
    return _optional({"allowed": needling.allowed, "sources": list(needling.sources)}, reason=needling.reason)


def _optional(record: dict[str, Any], **fields: Any) -> dict[str, Any]:
    record.update({k: v for k, v in fields.items() if v is not None})
    return record


def _common(r: Any) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "aliases": list(r.aliases)}


def _dump_record(name: str, r: Any) -> dict[str, Any]:
    if name == "references":
        return _optional({"id": r.id, "name": r.name, "confidence": r.confidence}, url=r.url)
    if name == "segments":
        return _optional({**_common(r), "kind": r.kind, "sources": list(r.sources)}, order=r.order, full_name=r.full_name)
    if name == "nerves":
        return _optional({**_common(r), "roots": list(r.roots), "sources": list(r.sources)}, branch_of=r.branch_of, note=r.note)
    if name == "muscles":
        return _optional(
            {
                **_common(r),
                "nerve": r.nerve,
                "roots": _roots(r.roots),
                "variants": [{"roots": list(v.roots), "sources": list(v.sources)} for v in r.variants],
                "body_part": r.body_part,
                "limb": r.limb,
                "rank": r.rank,
                "depth": r.depth,
                "needle_depth": _optional(
                    {"mm": list(r.needle_depth.mm), "approach": r.needle_depth.approach, "basis": r.needle_depth.basis},
                    sources=list(r.needle_depth.sources),
                    note=r.needle_depth.note,
                ),
                "segmental": r.segmental,
                "cautions": [_optional({"kind": c.kind, "text": c.text}, structure=c.structure) for c in r.cautions],
                "sources": list(r.sources),
            },
            note=r.note,
            position=r.position,
            needling=_needling(r.needling),
        )
    if name == "groups":
        return _optional(
            {**_common(r), "members": list(r.members), "sources": list(r.sources)}, note=r.note, not_needled=list(r.not_needled) or None
        )
    if name == "levels":
        return _optional(
            {
                **_common(r),
                "kind": r.kind,
                "roots": [{"segment": x.segment, "weight": x.weight, "relation": x.relation} for x in r.roots],
                "paraspinal": list(r.paraspinal),
                "sources": list(r.sources),
            },
            note=r.note,
        )
    if name == "regions":
        return _optional(
            {**_common(r), "dermatomes": list(r.dermatomes), "limb": r.limb, "sources": list(r.sources)},
            view=r.view,
            muscles=list(r.muscles) or None,
            note=r.note,
        )
    if name == "movements":
        return _optional(
            {
                **_common(r),
                "joint": r.joint,
                "kind": r.kind,
                "roots": _roots(r.roots),
                "prime_movers": list(r.prime_movers),
                "assistants": list(r.assistants),
                "other_normals": [_normal(n) for n in r.other_normals],
                "sources": list(r.sources),
            },
            normal=_normal(r.normal) if r.normal else None,
            opposite=r.opposite,
            note=r.note,
        )
    if name == "reflexes":
        return _optional(
            {**_common(r), "kind": r.kind, "roots": _roots(r.roots), "muscles": list(r.muscles), "sources": list(r.sources)},
            nerve=r.nerve,
            note=r.note,
        )
    if name == "conditions":
        return _optional(
            {
                **_common(r),
                "segments": _roots(r.segments),
                "muscles": list(r.muscles),
                "regions": list(r.regions),
                "confidence": r.confidence,
                "sources": list(r.sources),
            },
            note=r.note,
        )
    if name == "precautions":
        return _optional(
            {
                **_common(r),
                "severity": r.severity,
                "warning": r.warning,
                "excludes": [
                    _optional(
                        {"name": x.name, "reason": x.reason, "sources": list(x.sources)},
                        muscles=list(x.muscles) or None,
                        levels=list(x.levels) or None,
                        whole_body=x.whole_body or None,
                        trimesters=list(x.trimesters) or None,
                    )
                    for x in r.excludes
                ],
                "avoid_regions": list(r.avoid_regions),
                "avoid_zones": list(r.avoid_zones),
                "dose_factor": r.dose_factor,
                "sources": list(r.sources),
            },
            avoid_local=r.avoid_local,
            note=r.note,
        )
    raise AssertionError(f"no writer for {name}")


def dump_kb(kb: KnowledgeBase, directory: Path) -> None:
    """Write ``kb`` as one YAML file per entity, in the documented layout."""
    version = kb.version.split("+")[0]
    shared_by_file = {_FILE_OF_KIND[kind]: dict(aliases) for kind, aliases in kb.shared_aliases.items()}
    directory.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        data: dict[str, Any] = {"meta": {"entity": name, "version": version}}
        if shared_by_file.get(name):
            data["shared_aliases"] = {alias: list(ids) for alias, ids in shared_by_file[name].items()}
        data[name] = [_dump_record(name, r) for r in getattr(kb, name).values()]
        text = f"# Myotome knowledge base: {name}, written by tests/kb/test_integrity.py.\n"
        text += yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
        (directory / f"{name}.yaml").write_text(text, encoding="utf-8")
    planning: dict[str, Any] = {"meta": {"entity": "planning", "version": version}}
    for entry in kb.planning.entries.values():
        planning[entry.name] = {"value": _planning_value(kb.planning, entry.name), "basis": entry.basis, "reason": entry.reason}
        if entry.sources:
            planning[entry.name]["sources"] = list(entry.sources)
    text = "# Myotome knowledge base: planning, written by tests/kb/test_integrity.py.\n"
    (directory / "planning.yaml").write_text(
        text + yaml.safe_dump(planning, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8"
    )
    red_flags = {
        "meta": {"entity": "red_flags", "version": version},
        "regions": {name: list(ids) for name, ids in kb.red_flags.regions.items()},
        "key_movements": list(kb.red_flags.key_movements),
        "rules": [_dump_red_flag(rule) for rule in kb.red_flags.rules],
    }
    text = "# Myotome knowledge base: red flags, written by tests/kb/test_integrity.py.\n"
    (directory / "red_flags.yaml").write_text(
        text + yaml.safe_dump(red_flags, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8"
    )


def _dump_red_flag(rule: m.RedFlagRule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "action": rule.action,
        "when": [{"trigger": t.trigger, **dict(t.params)} for t in rule.when],
        "text": rule.text,
        "sources": list(rule.sources),
    }


def _planning_value(planning: m.Planning, name: str) -> Any:
    if name == "dose_factors":
        return {f.key: {"factor": f.factor, "label": f.label} for f in planning.dose_factors}
    value = getattr(planning, name)
    return list(value) if isinstance(value, tuple) else dict(value) if isinstance(value, Mapping) else value


def test_load_dump_reload_gives_the_same_records(kb: KnowledgeBase, tmp_path: Path) -> None:
    dump_kb(kb, tmp_path)
    again = load_kb(tmp_path)
    for name in FILES:
        assert list(getattr(again, name)) == list(getattr(kb, name)), name
        assert dict(getattr(again, name)) == dict(getattr(kb, name)), name
    assert {k: dict(v) for k, v in again.shared_aliases.items()} == {k: dict(v) for k, v in kb.shared_aliases.items()}
    assert again.counts() == kb.counts()
    assert again.planning.entries == kb.planning.entries
    assert (again.red_flags.rules, dict(again.red_flags.regions)) == (kb.red_flags.rules, dict(kb.red_flags.regions))
    assert {name: _planning_value(again.planning, name) for name in kb.planning.entries} == {
        name: _planning_value(kb.planning, name) for name in kb.planning.entries
    }


def test_dumping_a_reloaded_kb_writes_the_same_files(kb: KnowledgeBase, tmp_path: Path) -> None:
    dump_kb(kb, tmp_path / "first")
    dump_kb(load_kb(tmp_path / "first"), tmp_path / "second")
    for name in (*FILES, "planning", "red_flags"):
        assert (tmp_path / "second" / f"{name}.yaml").read_text() == (tmp_path / "first" / f"{name}.yaml").read_text(), name


def test_the_dump_is_not_trivially_equal(kb: KnowledgeBase, tmp_path: Path) -> None:
    # A changed root in the dump must show up after reloading.
    dump_kb(kb, tmp_path)
    path = tmp_path / "muscles.yaml"
    data = yaml.safe_load(path.read_text())
    ecrb = next(r for r in data["muscles"] if r["id"] == "extensor_carpi_radialis_brevis")
    ecrb["roots"] = {"main": ["C6", "C7"]}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    assert load_kb(tmp_path).muscles["extensor_carpi_radialis_brevis"] != kb.muscles["extensor_carpi_radialis_brevis"]
