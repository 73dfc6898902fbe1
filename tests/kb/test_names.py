"""Name resolution against the real knowledge base: what a clinician types, what it means.

Each table is meant to be read by a physiotherapist: the left column is what someone
writes in an exam note or says in the clinic, the right column is the record the
software must pick. Rows that may surprise a reader carry a comment saying why.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from myotome.kb import AmbiguousName, KnowledgeBase, UnknownName, load_kb, normalize
from myotome.kb import model as m


def find(kb: KnowledgeBase, kind: str, name: str) -> Any:
    return kb.index(kind).lookup(name)


# ---------------------------------------------------------------------------
# Abbreviations

ABBREVIATIONS = [
    # (abbreviation, muscle id)
    ("ECRB", "extensor_carpi_radialis_brevis"),
    ("ECRL", "extensor_carpi_radialis_longus"),
    ("ECU", "extensor_carpi_ulnaris"),
    ("FCU", "flexor_carpi_ulnaris"),
    ("FCR", "flexor_carpi_radialis"),
    ("EDC", "extensor_digitorum"),  # the old name, extensor digitorum communis
    ("ED", "extensor_digitorum"),
    ("APL", "abductor_pollicis_longus"),
    ("EPB", "extensor_pollicis_brevis"),
    ("APB", "abductor_pollicis_brevis"),
    ("FDS", "flexor_digitorum_superficialis"),
    ("FPL", "flexor_pollicis_longus"),
    ("PQ", "pronator_quadratus"),
    # FDI is the first dorsal interosseous only, but the KB holds the hand's four
    # dorsal interossei as one record, so FDI names that record.
    ("FDI", "dorsal_interossei_hand"),
    ("SCM", "sternocleidomastoid"),
    ("QL", "quadratus_lumborum"),
    ("SSP", "supraspinatus"),
    ("ISP", "infraspinatus"),
    ("TFL", "tensor_fasciae_latae"),
    ("GMed", "gluteus_medius"),
    ("GMax", "gluteus_maximus"),
    # VMO, the oblique fibres of vastus medialis, is not a separate muscle record.
    ("VMO", "vastus_medialis"),
    ("EHL", "extensor_hallucis_longus"),
    ("FHL", "flexor_hallucis_longus"),
    ("FDL", "flexor_digitorum_longus"),
    ("EDB", "extensor_digitorum_brevis"),
]


@pytest.mark.parametrize(("written", "muscle_id"), ABBREVIATIONS)
def test_an_abbreviation_names_its_muscle(kb: KnowledgeBase, written: str, muscle_id: str) -> None:
    record = kb.find_muscle(written)
    assert isinstance(record, m.Muscle)
    assert record.id == muscle_id


# ---------------------------------------------------------------------------
# Old and new names, spellings

OLD_AND_NEW_NAMES = [
    # (name as written, muscle id)
    ("peroneus longus", "fibularis_longus"),  # pre-1998 terminology, still the usual word in clinics
    ("fibularis longus", "fibularis_longus"),  # Terminologia Anatomica
    ("peroneal longus", "fibularis_longus"),  # a common hybrid of the two
    ("peroneus brevis", "fibularis_brevis"),
    ("peroneus tertius", "fibularis_tertius"),
    ("tensor fascia lata", "tensor_fasciae_latae"),  # the usual misspelling of the Latin genitive
    ("tensor fasciae latae", "tensor_fasciae_latae"),
    ("tensor fascia latae", "tensor_fasciae_latae"),
    ("sternomastoid", "sternocleidomastoid"),
    ("complexus", "semispinalis_capitis"),  # old name still used in trigger-point texts
    ("supinator longus", "brachioradialis"),  # old name: brachioradialis is no supinator
    ("flexor digitorum sublimis", "flexor_digitorum_superficialis"),
    ("extensor digitorum communis", "extensor_digitorum"),
    ("tibialis anticus", "tibialis_anterior"),
    ("scalenus anticus", "scalenus_anterior"),
    ("glutaeus medius", "gluteus_medius"),  # British/older spelling
]


@pytest.mark.parametrize(("written", "muscle_id"), OLD_AND_NEW_NAMES)
def test_old_and_new_names_name_the_same_muscle(kb: KnowledgeBase, written: str, muscle_id: str) -> None:
    assert kb.find_muscle(written).id == muscle_id


# ---------------------------------------------------------------------------
# Plain words: muscles and groups

PLAIN_MUSCLE_WORDS = [
    # (plain word, muscle or group id, is it a group?)
    ("calf", "triceps_surae", True),  # both gastrocnemius heads and soleus, not plantaris
    ("calves", "triceps_surae", True),
    ("calf muscles", "triceps_surae", True),
    ("hamstrings", "hamstrings", True),
    ("hamstring", "hamstrings", True),
    ("quads", "quadriceps", True),
    ("quad", "quadriceps", True),
    ("quadricep", "quadriceps", True),
    ("glutes", "glutes", True),
    ("rotator cuff", "rotator_cuff", True),
    ("traps", "trapezius", True),  # the whole muscle: upper, middle and lower parts
    ("upper trap", "upper_trapezius", False),
    ("upper traps", "upper_trapezius", False),
    ("middle traps", "middle_trapezius", False),
    ("lower traps", "lower_trapezius", False),
    ("lats", "latissimus_dorsi", False),  # plural in gym language, one muscle each side
    ("lat", "latissimus_dorsi", False),
    ("glute med", "gluteus_medius", False),
    ("glute max", "gluteus_maximus", False),
    ("pecs", "pectorals", True),
    ("pec minor", "pectoralis_minor", False),
    ("biceps", "biceps_brachii", False),  # the arm; biceps femoris must be named in full
    ("tricep", "triceps_brachii", False),
    ("delts", "deltoid", True),
    ("gastroc", "gastrocnemius", True),
    ("peroneals", "fibularis_group", True),
    ("adductors", "hip_adductors", True),
    ("hip flexors", "hip_flexors", True),
    ("scalenes", "scalenes", True),
    ("suboccipitals", "suboccipitals", True),
    ("erectors", "erector_spinae", True),
    ("lev scap", "levator_scapulae", False),
    ("tib ant", "tibialis_anterior", False),
]


@pytest.mark.parametrize(("written", "record_id", "is_group"), PLAIN_MUSCLE_WORDS)
def test_plain_words_name_muscles_and_groups(kb: KnowledgeBase, written: str, record_id: str, is_group: bool) -> None:
    record = kb.find_muscle(written)
    assert record.id == record_id
    assert isinstance(record, m.Group) is is_group


# ---------------------------------------------------------------------------
# Plain words in other kinds of record

PLAIN_WORDS = [
    # (kind, as written, record id)
    ("region", "pinky", "little_finger"),
    ("region", "pinkie", "little_finger"),
    ("region", "outside of the foot", "lateral_foot"),
    ("region", "big toe", "big_toe"),
    ("region", "top of shoulder", "top_of_shoulder"),  # 'the' is optional
    ("region", "thumb", "thumb"),
    ("region", "heel", "heel"),
    ("region", "groin", "groin"),
    ("region", "medial knee", "medial_knee"),
    ("region", "inner knee", "medial_knee"),
    ("region", "dorsum of foot", "dorsum_of_foot"),
    ("region", "top of the foot", "dorsum_of_foot"),
    ("region", "occiput", "occiput"),
    ("region", "back of the head", "occiput"),
    ("region", "lateral forearm", "lateral_forearm"),
    ("region", "index finger", "index_finger"),
    ("region", "forefinger", "index_finger"),
    ("region", "calf", "calf"),  # the region; the muscle kind reads 'calf' as triceps surae
    ("region", "neck", "posterior_neck"),  # patients mean the back of the neck
    ("movement", "grip", "grip"),
    ("movement", "making a fist", "grip"),
    ("movement", "calf raise", "calf_raise"),
    ("movement", "tiptoe", "calf_raise"),
    ("movement", "mouth opening", "tmj_opening"),
    ("movement", "jaw opening", "tmj_opening"),
    ("movement", "neck rotation", "cervical_rotation"),
    ("movement", "heel walking", "heel_walking"),
    ("movement", "shrug", "shoulder_shrug"),
    ("reflex", "knee jerk", "patellar_reflex"),
    ("reflex", "ankle jerk", "achilles_reflex"),
    ("reflex", "biceps", "biceps_reflex"),  # in a reflex field 'biceps' is the biceps jerk
    ("reflex", "triceps", "triceps_reflex"),
    ("reflex", "supinator jerk", "brachioradialis_reflex"),
    ("reflex", "Babinski", "plantar_response"),
    ("condition", "tennis elbow", "tennis_elbow"),
    ("condition", "lateral epicondylitis", "tennis_elbow"),
    ("condition", "golfer's elbow", "golfers_elbow"),
    ("condition", "rotator cuff tendinopathy", "rotator_cuff"),
    ("condition", "rotator cuff tendonitis", "rotator_cuff"),
    ("condition", "TMJ", "tmj_dysfunction"),
    ("condition", "ITBS", "it_band_syndrome"),
    ("condition", "CTS", "carpal_tunnel_syndrome"),
    ("condition", "runner's knee", "patellofemoral_pain"),  # not ITB syndrome, which some runners also call it
    ("condition", "LBP", "low_back_pain"),
    ("condition", "sciatica", "sciatica"),
    # Issue 8: conditions and everyday words that did not resolve before.
    ("condition", "frozen shoulder", "frozen_shoulder"),
    ("condition", "adhesive capsulitis", "frozen_shoulder"),
    ("condition", "shin splints", "shin_splints"),
    ("condition", "medial tibial stress syndrome", "shin_splints"),
    ("condition", "trigger finger", "trigger_finger"),
    ("condition", "trigger thumb", "trigger_finger"),
    ("condition", "de Quervain's", "de_quervain"),
    ("condition", "whiplash", "whiplash"),
    ("condition", "whiplash-associated disorder", "whiplash"),
    ("condition", "knee osteoarthritis", "knee_osteoarthritis"),
    ("condition", "knee OA", "knee_osteoarthritis"),
    ("condition", "arthritis in the knee", "knee_osteoarthritis"),
    ("condition", "cervical radiculopathy", "cervical_radiculopathy"),
    ("condition", "pinched nerve in the neck", "cervical_radiculopathy"),
    ("condition", "lumbar radiculopathy", "sciatica"),
    ("condition", "pinched nerve in the back", "sciatica"),
    ("condition", "piriformis syndrome", "piriformis_syndrome"),
    ("condition", "costochondritis", "chest_wall_pain"),
    ("condition", "chest wall pain", "chest_wall_pain"),
    ("region", "lateral heel", "lateral_heel"),
    ("region", "outside of the heel", "lateral_heel"),
    ("region", "plantar heel", "plantar_heel"),
    ("region", "bottom of the heel", "plantar_heel"),
    ("region", "radial wrist", "radial_wrist"),
    ("region", "thumb side of the wrist", "radial_wrist"),
    ("region", "ulnar wrist", "ulnar_wrist"),
    ("region", "pinky side of the wrist", "ulnar_wrist"),
    ("region", "medial hand", "medial_hand"),
    ("region", "little-finger side of the hand", "medial_hand"),
    ("precaution", "blood thinners", "anticoagulants"),
    ("precaution", "warfarin", "anticoagulants"),
    ("precaution", "pregnant", "pregnancy"),
    ("precaution", "haemophilia", "bleeding_disorder"),
    ("precaution", "hemophilia", "bleeding_disorder"),
    ("precaution", "lymphedema", "lymphoedema"),
    ("segment", "C 6", "C6"),
    ("segment", "cervical 6", "C6"),
    ("segment", "XI", "CN XI"),
]


@pytest.mark.parametrize(("kind", "written", "record_id"), PLAIN_WORDS)
def test_plain_words_name_regions_movements_reflexes_conditions_and_precautions(
    kb: KnowledgeBase, kind: str, written: str, record_id: str
) -> None:
    assert find(kb, kind, written).id == record_id


def test_the_inner_forearm_is_ambiguous(kb: KnowledgeBase) -> None:
    # Patients say 'inner forearm' for the ulnar border (T1) and for the flexor surface
    # (C6, T1, C8); the two differ by dermatome, so the software asks.
    with pytest.raises(AmbiguousName, match="'Medial forearm' or 'Anterior forearm'") as caught:
        kb.find_region("inner forearm")
    assert sorted(caught.value.suggestions) == ["Anterior forearm", "Medial forearm"]


# ---------------------------------------------------------------------------
# Case, punctuation, hyphens and spacing

FORMATTING = [
    # (kind, as written, record id)
    ("muscle", "e.c.r.b.", "extensor_carpi_radialis_brevis"),
    ("muscle", "E C R B", "extensor_carpi_radialis_brevis"),
    ("muscle", "Extensor-Carpi-Radialis-Brevis", "extensor_carpi_radialis_brevis"),
    ("muscle", "  ecrb ", "extensor_carpi_radialis_brevis"),
    ("muscle", "\tECRB\n", "extensor_carpi_radialis_brevis"),
    ("muscle", "extensor carpi radialis brevis muscle", "extensor_carpi_radialis_brevis"),
    ("muscle", "extensor_carpi_radialis_brevis", "extensor_carpi_radialis_brevis"),
    ("muscle", "FIBULARIS LONGUS", "fibularis_longus"),
    ("muscle", "Peroneus-Longus  Muscle", "fibularis_longus"),
    ("muscle", "the calf muscles", "triceps_surae"),
    ("condition", "golfer's elbow", "golfers_elbow"),
    ("condition", "golfers elbow", "golfers_elbow"),
    ("condition", "Golfers' elbow", "golfers_elbow"),
    ("condition", "golfer\u2019s elbow", "golfers_elbow"),  # typographic apostrophe from a word processor
    ("condition", "TENNIS-ELBOW", "tennis_elbow"),
    ("reflex", "Tr\u00f6mner sign", "hoffmann_sign"),
    ("reflex", "Tromner sign", "hoffmann_sign"),
    ("segment", "c-6", "C6"),
]


@pytest.mark.parametrize(("kind", "written", "record_id"), FORMATTING)
def test_case_punctuation_hyphens_and_spacing_do_not_matter(kb: KnowledgeBase, kind: str, written: str, record_id: str) -> None:
    assert find(kb, kind, written).id == record_id


# ---------------------------------------------------------------------------
# Typos

TYPOS = [
    # (typo, first suggestion)
    ("extensor carpi radialis brevs", "Extensor carpi radialis brevis"),
    ("infraspinatous", "Infraspinatus"),
    ("gastrocnemious", "Gastrocnemius"),  # the group; its two heads follow
    ("supinater", "Supinator"),
    ("trapezuis", "Trapezius"),
    ("extensor carpi ulnaris muscel", "Extensor carpi ulnaris"),
]


@pytest.mark.parametrize(("typo", "first_suggestion"), TYPOS)
def test_a_typo_is_never_corrected_silently_but_suggested(kb: KnowledgeBase, typo: str, first_suggestion: str) -> None:
    with pytest.raises(UnknownName, match=f"unknown muscle '{re.escape(typo)}'; did you mean '{re.escape(first_suggestion)}'") as caught:
        kb.find_muscle(typo)
    assert caught.value.suggestions[0] == first_suggestion
    assert caught.value.query == typo


@pytest.mark.parametrize("typo", [typo for typo, _ in TYPOS])
def test_get_returns_nothing_for_a_typo(kb: KnowledgeBase, typo: str) -> None:
    assert kb.index("muscle").get(typo) is None


def test_a_name_far_from_everything_gets_no_suggestion(kb: KnowledgeBase) -> None:
    with pytest.raises(UnknownName, match=r"^unknown muscle 'xyzzy'$") as caught:
        kb.find_muscle("xyzzy")
    assert caught.value.suggestions == []


# ---------------------------------------------------------------------------
# Ambiguity

AMBIGUOUS = [
    # (abbreviation, the muscles it could mean)
    ("TA", ["Tibialis anterior", "Transversus abdominis"]),
    ("PL", ["Palmaris longus", "Fibularis longus"]),
    ("PB", ["Palmaris brevis", "Fibularis brevis"]),
    ("PT", ["Pronator teres", "Fibularis tertius"]),
    ("ADM", ["Abductor digiti minimi (hand)", "Abductor digiti minimi (foot)"]),
    ("DI", ["Dorsal interossei (hand)", "Dorsal interossei (foot)"]),
    ("PI", ["Palmar interossei", "Plantar interossei"]),
    ("PEC", ["Pectoral muscles", "Pectineus"]),  # 'pec' for the pectorals, 'PEC' for pectineus in some notes
]


@pytest.mark.parametrize(("written", "candidates"), AMBIGUOUS)
def test_an_ambiguous_abbreviation_lists_its_candidates(kb: KnowledgeBase, written: str, candidates: list[str]) -> None:
    quoted = " or ".join(f"'{c}'" for c in candidates)
    with pytest.raises(AmbiguousName, match=re.escape(f"ambiguous muscle '{written}': it could mean {quoted}")) as caught:
        kb.find_muscle(written)
    assert sorted(caught.value.suggestions) == sorted(candidates)


SHARED = [(kind, alias, ids) for kind, aliases in load_kb().shared_aliases.items() for alias, ids in aliases.items()]


@pytest.mark.parametrize(("kind", "alias", "ids"), SHARED, ids=[f"{kind}:{alias}" for kind, alias, _ in SHARED])
def test_every_shared_alias_is_ambiguous_between_exactly_its_records(
    kb: KnowledgeBase, kind: str, alias: str, ids: tuple[str, ...]
) -> None:
    records: dict[str, Any] = (
        {**kb.muscles, **kb.groups} if kind == "muscle" else dict(getattr(kb, {"reflex": "reflexes"}.get(kind, kind + "s")))
    )
    expected = sorted(records[i].name for i in ids)
    with pytest.raises(AmbiguousName, match=f"ambiguous {kind} '{re.escape(alias)}'") as caught:
        find(kb, kind, alias)
    assert sorted(caught.value.suggestions) == expected


def test_there_are_shared_aliases_to_check() -> None:
    # Guards the table above against silently becoming empty.
    assert len(SHARED) >= 8


# ---------------------------------------------------------------------------
# normalize

NORMALIZE = [
    # (written, normalised form)
    ("haemophilia", "hemophilia"),
    ("hemophilia", "hemophilia"),
    ("lymphoedema", "lymphedema"),
    ("lymphedema", "lymphedema"),
    ("oedema", "edema"),
    ("anaesthesia", "anesthesia"),
    ("paediatric", "pediatric"),
    ("orthopaedic", "orthopedic"),
    ("upper fibres", "upper fibers"),
    ("centre", "center"),
    ("tendonitis", "tendinitis"),
    ("peroneus longus", "fibularis longus"),
    ("peroneal", "fibular"),
    ("tensor fasciae latae", "tensor fascia lata"),
    ("C 6", "c6"),  # initials and levels written with a space join up
    ("c-6", "c6"),
    ("T 12", "t12"),
    ("E.C.R.B.", "ecrb"),
    ("C6-C7", "c6 c7"),  # two levels stay two words
    ("Rock & Roll", "rock and roll"),
    ("golfer's elbow", "golfers elbow"),
    ("Tr\u00f6mner", "tromner"),
    ("  Extensor   Carpi\tRadialis ", "extensor carpi radialis"),
    ("the calf muscles", "calf"),  # filler words drop out
    ("muscle", ""),
]


@pytest.mark.parametrize(("written", "normalised"), NORMALIZE)
def test_normalize(written: str, normalised: str) -> None:
    assert normalize(written) == normalised
