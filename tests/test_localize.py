"""Localisation rules a physiotherapist can review: findings in, ranked segments out."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from myotome.exam import parse_assessment
from myotome.kb import KnowledgeBase
from myotome.localize import Localization, Weights, load_weights, rank


def assess(
    kb: KnowledgeBase,
    *findings: dict[str, Any],
    side: str = "right",
    regions: tuple[str, ...] = ("elbow",),
    weights: Weights | None = None,
    fmt: str | None = None,
    **complaint: Any,
) -> Localization:
    document: dict[str, Any] = {"complaint": {"regions": list(regions), "side": side, **complaint}, "findings": list(findings)}
    if fmt:
        document["format"] = fmt
    return rank(parse_assessment(document), kb, weights)


def quiet_weights() -> Weights:
    """The real weights without the complaint priors, for exact arithmetic."""
    data = copy.deepcopy(load_weights().data)
    data["complaint_region"]["weight"] = 0.0
    data["condition"]["weight"] = 0.0
    return Weights(data)


def top(result: Localization) -> tuple[str, str]:
    return result.segments[0].segment, result.segments[0].side


def F(kind: str, side: str = "right", **fields: Any) -> dict[str, Any]:
    return {"type": kind, "side": side, **fields}


# Classic single-root patterns (textbook reflex + dermatome + myotome) -> the root.
CLASSIC = [
    (
        "C5",
        [
            F("reflex", reflex="biceps", grade="reduced"),
            F("sensory", region="lateral arm", change="reduced"),
            F("weakness", movement="shoulder abduction"),
        ],
    ),
    (
        "C6",
        [
            F("reflex", reflex="brachioradialis", grade="reduced"),
            F("sensory", region="thumb", change="reduced"),
            F("weakness", movement="wrist extension"),
        ],
    ),
    (
        "C7",
        [
            F("reflex", reflex="triceps", grade="reduced"),
            F("sensory", region="middle finger", change="reduced"),
            F("weakness", movement="elbow extension"),
        ],
    ),
    ("C8", [F("sensory", region="little finger", change="reduced"), F("weakness", movement="finger flexion")]),
    ("T1", [F("sensory", region="medial forearm", change="reduced"), F("weakness", movement="finger abduction")]),
    ("L3", [F("sensory", region="medial knee", change="reduced"), F("weakness", movement="knee extension")]),
    (
        "L4",
        [
            F("reflex", reflex="knee jerk", grade="reduced"),
            F("sensory", region="medial leg", change="reduced"),
            F("weakness", movement="ankle dorsiflexion"),
        ],
    ),
    (
        "L5",
        [
            F("sensory", region="dorsum of foot", change="reduced"),
            F("weakness", movement="great toe extension"),
            F("reflex", reflex="medial hamstring", grade="reduced"),
        ],
    ),
    (
        "S1",
        [
            F("reflex", reflex="ankle jerk", grade="absent"),
            F("sensory", region="lateral foot", change="reduced"),
            F("weakness", movement="calf raise"),
        ],
    ),
]


@pytest.mark.parametrize(("root", "findings"), CLASSIC, ids=[c[0] for c in CLASSIC])
@pytest.mark.parametrize("side", ["left", "right"])
def test_a_classic_root_pattern_ranks_that_root_first(kb: KnowledgeBase, root: str, findings: list[dict[str, Any]], side: str) -> None:
    sided = [{**f, "side": side} for f in findings]
    assert top(assess(kb, *sided, side=side)) == (root, side)


def test_specific_signs_outweigh_many_nonspecific_bands(kb: KnowledgeBase) -> None:
    bands = [F("tender_band", muscle=m) for m in ("infraspinatus", "supraspinatus", "deltoid", "biceps", "teres minor", "rhomboid major")]
    result = assess(kb, *bands, F("reflex", reflex="triceps", grade="reduced"), F("sensory", region="middle finger", change="reduced"))
    assert top(result) == ("C7", "right")


def test_scores_are_shares_of_the_evidence(kb: KnowledgeBase) -> None:
    result = assess(kb, F("tender_band", muscle="ECRB"), F("paraspinal", level="C6"), F("skin", sign="trophedema", region="thumb"))
    assert sum(s.score for s in result.segments) == pytest.approx(1.0)  # every candidate here is above 1%
    for ranked in result.segments:
        assert sum(share for _, share in ranked.evidence) == pytest.approx(ranked.score)


def test_a_paraspinal_finding_spreads_to_the_adjacent_levels(kb: KnowledgeBase) -> None:
    scores = {s.segment: s.score for s in assess(kb, F("paraspinal", level="L4"), weights=quiet_weights()).segments}
    # half the weight to each neighbour: 1 : 0.5 : 0.5
    assert scores == pytest.approx({"L4": 0.5, "L3": 0.25, "L5": 0.25})


def test_a_two_level_paraspinal_finding_weighs_both_levels_alike(kb: KnowledgeBase) -> None:
    scores = {s.segment: s.score for s in assess(kb, F("paraspinal", level="C5-C6"), weights=quiet_weights()).segments}
    assert scores["C5"] == pytest.approx(scores["C6"])
    assert scores["C4"] == pytest.approx(scores["C7"]) and scores["C4"] < scores["C5"]


def test_a_tender_band_weighs_main_roots_above_minor_ones(kb: KnowledgeBase) -> None:
    # ECRB: C6-C7 main, C8 minor
    scores = {s.segment: s.score for s in assess(kb, F("tender_band", muscle="ECRB"), weights=quiet_weights()).segments}
    assert scores["C6"] == pytest.approx(scores["C7"])
    assert scores["C8"] == pytest.approx(scores["C7"] * 0.35)


def test_a_group_counts_as_one_band_over_its_members_roots(kb: KnowledgeBase) -> None:
    result = assess(kb, F("tender_band", muscle="calf"), weights=quiet_weights())
    assert {s.segment for s in result.segments} == {"S1", "S2"}


def test_a_jaw_muscle_points_to_its_cranial_nerve(kb: KnowledgeBase) -> None:
    assert top(assess(kb, F("tender_band", muscle="masseter"), weights=quiet_weights()))[0] == "CN V3"


def test_the_trapezius_is_read_by_its_cervical_roots(kb: KnowledgeBase) -> None:
    # IMS treats the segment: CN XI motor supply, C3-C4 segmental convention
    segments = {s.segment for s in assess(kb, F("tender_band", muscle="upper trap"), weights=quiet_weights()).segments}
    assert segments == {"C3", "C4"}


# Section 3 of issue 8: a normal finding is not evidence. One row per finding type's normal
# value (tender bands, skin signs and paraspinal findings have none: each is abnormal by definition).
NORMAL = [
    ("1.0", F("reflex", reflex="biceps", grade="normal")),
    ("1.1", F("reflex", reflex="knee jerk", grade="normal")),
    # pathological signs: negative (1.1) or, in 1.0, absent/normal, is the normal finding
    ("1.1", F("reflex", reflex="Hoffmann", grade="negative")),
    ("1.0", F("reflex", reflex="Hoffmann", grade="absent")),  # was scored as the strongest C8 sign
    ("1.1", F("reflex", reflex="Babinski", grade="negative")),
    ("1.0", F("reflex", reflex="plantar response", grade="absent")),  # was scored as L5/S1 evidence
    ("1.0", F("reflex", reflex="plantar response", grade="normal")),
    ("1.1", F("reflex", reflex="clonus", grade="negative")),
    ("1.0", F("reflex", reflex="ankle clonus", grade="reduced")),  # a few beats: not a root sign either
    ("1.0", F("sensory", region="thumb", change="normal")),
    ("1.1", F("sensory", region="lateral foot", change="normal")),
    ("1.0", F("rom", movement="shoulder flexion", value=180)),  # full range
    ("1.0", F("rom", movement="shoulder flexion", value=170)),  # 6% short of 180: within normal
    ("1.1", F("rom", movement="elbow extension", value=0)),  # full extension is 0 degrees
    ("1.1", F("weakness", movement="wrist extension", grade=5)),  # MRC 5 is normal power
    ("1.0", F("weakness", muscle="tibialis anterior", grade=5)),
]


def _label(fmt: str, finding: dict[str, Any]) -> str:
    what = finding.get("reflex") or finding.get("region") or finding.get("movement") or finding.get("muscle")
    value = finding.get("grade", finding.get("change", finding.get("value")))
    return f"{what} {value} ({fmt})"


@pytest.mark.parametrize(("fmt", "finding"), NORMAL, ids=[_label(*row) for row in NORMAL])
def test_normal_findings_carry_nothing(kb: KnowledgeBase, fmt: str, finding: dict[str, Any]) -> None:
    result = assess(kb, finding, weights=quiet_weights(), fmt=fmt)
    assert result.segments == ()
    assert result.unresolved == ()


POSITIVE_SIGNS = [
    ("1.1", F("reflex", reflex="Hoffmann", grade="positive")),
    ("1.1", F("reflex", reflex="Babinski", grade="positive")),
    ("1.1", F("reflex", reflex="ankle clonus", grade="positive")),
    ("1.0", F("reflex", reflex="upgoing plantar", grade="brisk")),
]


@pytest.mark.parametrize(("fmt", "finding"), POSITIVE_SIGNS, ids=[f["reflex"] for _, f in POSITIVE_SIGNS])
def test_a_positive_pathological_sign_warns_and_points_to_no_root(kb: KnowledgeBase, fmt: str, finding: dict[str, Any]) -> None:
    # the roots in reflexes.yaml are those of the sign's arc, not the site of an upper motor neurone lesion
    result = assess(kb, finding, weights=quiet_weights(), fmt=fmt)
    assert result.segments == ()
    assert "upper motor neurone" in result.warnings[0]


def test_a_tendon_reflex_graded_like_a_sign_is_reported_not_scored(kb: KnowledgeBase) -> None:
    result = assess(kb, F("reflex", reflex="biceps", grade="negative"), weights=quiet_weights(), fmt="1.1")
    assert result.segments == ()
    [unresolved] = result.unresolved
    assert (unresolved.finding, unresolved.field) == (1, "grade")
    assert "grade the biceps reflex absent, reduced, normal or brisk" in unresolved.error


def test_a_restricted_range_points_to_the_muscles_that_limit_it(kb: KnowledgeBase) -> None:
    # restricted hip internal rotation: short external rotators (piriformis, gemelli...) -> lumbosacral
    result = assess(kb, F("rom", movement="hip internal rotation", value=15), weights=quiet_weights())
    assert result.segments[0].segment in {"L5", "S1"}
    assert "hip external rotation" in result.segments[0].evidence[0][0].reason


def test_a_range_in_the_wrong_unit_is_reported_not_scored(kb: KnowledgeBase) -> None:
    result = assess(kb, F("rom", movement="shoulder flexion", value=40, unit="mm"), weights=quiet_weights())
    assert result.segments == ()
    assert "measured in deg, not mm" in result.unresolved[0].error


def test_a_brisk_reflex_warns_of_the_upper_motor_neurone_and_scores_nothing(kb: KnowledgeBase) -> None:
    result = assess(kb, F("reflex", reflex="biceps", grade="brisk"), weights=quiet_weights())
    assert result.segments == ()
    assert "upper motor neurone" in result.warnings[0]


SIDES = [
    # (findings, complaint side, expected side of the top entry)
    ([F("reflex", "left", reflex="biceps", grade="reduced")], "left", "left"),
    ([F("reflex", "bilateral", reflex="biceps", grade="reduced")], "bilateral", "bilateral"),
    (
        [F("reflex", "left", reflex="biceps", grade="reduced"), F("reflex", "right", reflex="biceps", grade="reduced")],
        "bilateral",
        "bilateral",
    ),
    # a weak sign on the other side does not make it bilateral
    ([F("reflex", "left", reflex="biceps", grade="absent"), F("tender_band", "right", muscle="deltoid", severity=1)], "left", "left"),
    # a midline complaint (central back pain) is read as bilateral
    ([F("paraspinal", "bilateral", level="L4")], "midline", "bilateral"),
    ([F("paraspinal", "left", level="L4"), F("paraspinal", "right", level="L5")], "midline", "bilateral"),
    # ...unless every finding is on one side
    ([F("paraspinal", "left", level="L4")], "midline", "left"),
]


@pytest.mark.parametrize(("findings", "complaint_side", "expected"), SIDES)
def test_sides_are_scored_separately(kb: KnowledgeBase, findings: list[dict[str, Any]], complaint_side: str, expected: str) -> None:
    assert top(assess(kb, *findings, side=complaint_side))[1] == expected


def test_unknown_names_are_listed_and_the_rest_is_assessed(kb: KnowledgeBase) -> None:
    result = assess(kb, F("tender_band", muscle="extensor carpi radialis brevs"), F("reflex", reflex="brachioradialis", grade="reduced"))
    assert top(result)[0] == "C6"
    [unresolved] = result.unresolved
    assert (unresolved.finding, unresolved.field, unresolved.name) == (1, "muscle", "extensor carpi radialis brevs")
    assert unresolved.suggestions[0] == "Extensor carpi radialis brevis"


def test_an_ambiguous_name_is_unresolved_with_its_candidates(kb: KnowledgeBase) -> None:
    [unresolved] = assess(kb, F("tender_band", muscle="TA")).unresolved
    assert set(unresolved.suggestions) == {"Tibialis anterior", "Transversus abdominis"}


def test_the_complaint_and_condition_are_weak_priors(kb: KnowledgeBase) -> None:
    result = assess(kb, regions=("lateral elbow",), condition="tennis elbow")
    assert top(result)[0] == "C6"
    # ...that any specific root sign outweighs
    result = assess(kb, F("reflex", reflex="triceps", grade="reduced"), regions=("lateral elbow",), condition="tennis elbow")
    assert top(result)[0] == "C7"


def test_evidence_lines_name_the_finding_and_why(kb: KnowledgeBase) -> None:
    result = assess(kb, F("reflex", reflex="knee jerk", grade="reduced"), weights=quiet_weights())
    line, share = result.segments[0].evidence[0]
    assert line.finding == 1 and share == result.segments[0].score
    assert line.reason.startswith("reduced patellar reflex")


# Section 1 of issue 8: in format 1.1 a paraspinal level is a vertebral level; it implicates the
# roots levels.yaml gives it (neck: the root above its vertebra; thoracic: the root below; lumbar:
# exiting and traversing, half each), and half as much goes to each root next to those.
VERTEBRAL = [
    # (level, expected shares of the roots: quiet weights, so the paraspinal finding alone)
    ("C0-C1", {"C1": 2 / 3, "C2": 1 / 3}),
    ("C1-C2", {"C2": 0.5, "C1": 0.25, "C3": 0.25}),
    ("C4-C5", {"C5": 0.5, "C4": 0.25, "C6": 0.25}),  # the C5 root leaves between C4 and C5
    ("C5-C6", {"C6": 0.5, "C5": 0.25, "C7": 0.25}),  # in format 1.0 the same text means C5 and C6
    ("C6", {"C6": 0.5, "C5": 0.25, "C7": 0.25}),
    ("C7-T1", {"C8": 0.5, "C7": 0.25, "T1": 0.25}),  # C8 has no vertebra: it leaves at C7-T1
    ("T4-T5", {"T4": 0.5, "T3": 0.25, "T5": 0.25}),  # thoracic roots leave below their vertebra
    ("T12-L1", {"T12": 0.5, "T11": 0.25, "L1": 0.25}),
    ("L4-L5", {"L4": 1 / 3, "L5": 1 / 3, "L3": 1 / 6, "S1": 1 / 6}),  # exiting L4, traversing L5
    ("L5-S1", {"L5": 1 / 3, "S1": 1 / 3, "L4": 1 / 6, "S2": 1 / 6}),
    ("L4", {"L4": 0.5, "L3": 0.25, "L5": 0.25}),
    ("S1", {"S1": 0.5, "L5": 0.25, "S2": 0.25}),
]


@pytest.mark.parametrize(("level", "expected"), VERTEBRAL, ids=[v[0] for v in VERTEBRAL])
def test_a_vertebral_level_points_to_the_roots_it_implicates(kb: KnowledgeBase, level: str, expected: dict[str, float]) -> None:
    result = assess(kb, F("paraspinal", level=level), weights=quiet_weights(), fmt="1.1")
    assert {s.segment: s.score for s in result.segments} == pytest.approx(expected)
    assert result.segments[0].evidence[0][0].reason.startswith(f"paraspinal tender at {level} (")


def test_format_1_0_keeps_reading_a_paraspinal_level_as_root_segments(kb: KnowledgeBase) -> None:
    scores = {s.segment: s.score for s in assess(kb, F("paraspinal", level="C5-C6"), weights=quiet_weights()).segments}
    assert scores["C5"] == pytest.approx(scores["C6"])


DECIDERS = [
    # (level, other findings, the root they make the top one): the other findings decide
    # between the exiting and the traversing root of a lumbar interspace
    ("L4-L5", [F("sensory", region="dorsum of foot", change="reduced"), F("weakness", movement="great toe extension")], "L5"),
    ("L4-L5", [F("reflex", reflex="knee jerk", grade="reduced"), F("sensory", region="medial leg", change="reduced")], "L4"),
    ("L5-S1", [F("reflex", reflex="ankle jerk", grade="absent"), F("sensory", region="lateral foot", change="reduced")], "S1"),
    ("L5-S1", [F("sensory", region="dorsum of foot", change="reduced"), F("weakness", movement="great toe extension")], "L5"),
]


@pytest.mark.parametrize(("level", "findings", "root"), DECIDERS)
def test_the_other_findings_decide_between_a_lumbar_interspaces_roots(
    kb: KnowledgeBase, level: str, findings: list[dict[str, Any]], root: str
) -> None:
    result = assess(kb, F("paraspinal", level=level, sign="thickened"), *findings, regions=("low back",), fmt="1.1")
    assert top(result) == (root, "right")


# A lack of extension is written as a negative range in format 1.1 and judged in degrees short of 0.
EXTENSION_LAG = [
    # (movement, value, scored?) — the limiting muscles are the flexors (hamstrings, elbow flexors)
    ("knee extension", -15, True),
    ("knee extension", -40, True),
    ("knee extension", -5, False),  # within a goniometer's error
    ("knee extension", 0, False),  # full extension
    ("knee extension", 8, False),  # hyperextension is not a restriction
    ("elbow extension", -20, True),
]


@pytest.mark.parametrize(("movement", "value", "scored"), EXTENSION_LAG)
def test_a_lack_of_extension_is_a_restriction_in_degrees(kb: KnowledgeBase, movement: str, value: int, scored: bool) -> None:
    document = {
        "format": "1.1",
        "complaint": {"regions": ["knee"], "side": "left"},
        "findings": [{"type": "rom", "movement": movement, "value": value, "side": "left"}],
    }
    result = rank(parse_assessment(document), kb)
    lines = [e for s in result.segments for e, _ in s.evidence if e.finding == 1]
    assert bool(lines) == scored
    if scored:
        assert f"lacks {-value}° of full extension" in lines[0].reason
    assert result.unresolved == ()


def test_a_bigger_lag_weighs_more_up_to_a_full_restriction(kb: KnowledgeBase) -> None:
    def weight(value: int) -> float:
        document = {
            "format": "1.1",
            "complaint": {"regions": ["knee"], "side": "left"},
            "findings": [{"type": "rom", "movement": "knee extension", "value": value, "side": "left"}],
        }
        loc = rank(parse_assessment(document), kb)
        return sum(e.weight for s in loc.segments for e, _ in s.evidence if e.finding == 1)

    assert weight(-10) < weight(-20) < weight(-30) == pytest.approx(weight(-60))


def test_a_negative_range_for_a_movement_whose_normal_is_not_0_is_reported_not_scored(kb: KnowledgeBase) -> None:
    document = {
        "format": "1.1",
        "complaint": {"regions": ["elbow"], "side": "left"},
        "findings": [{"type": "rom", "movement": "elbow flexion", "value": -20, "side": "left"}],
    }
    result = rank(parse_assessment(document), kb)
    [problem] = result.unresolved
    assert problem.finding == 1 and "only a movement whose normal is 0° (elbow or knee extension) takes a negative range" in problem.error
