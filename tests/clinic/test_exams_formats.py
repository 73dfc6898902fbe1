"""Stored exam documents between assessment formats 1.0 and 1.1: the levels, as migration 0002 converts them."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest

from myotome.clinic.exams import formats
from myotome.engine import assess
from myotome.exam import SPINAL_ORDER, VERTEBRAL_LEVELS, parse_assessment
from myotome.kb import KnowledgeBase


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("C1", "C1"),  # a root with a vertebra of its name is that vertebra
        ("C6", "C6"),
        ("C7", "C7"),
        ("T1", "T1"),
        ("T12", "T12"),
        ("L5", "L5"),
        ("S1", "S1"),
        ("C8", "C7-T1"),  # no C8 vertebra: the interspace where the C8 root leaves
        ("S2", "S1"),  # the fused sacrum: merged into S1, the finding kept
        ("S5", "S1"),
        ("C5-C6", "C5-C6"),  # a pair of roots is the interspace clinicians meant
        ("C1-C2", "C1-C2"),
        ("C6-C7", "C6-C7"),
        ("T12-L1", "T12-L1"),
        ("L4-L5", "L4-L5"),
        ("L5-S1", "L5-S1"),
        ("C7-C8", "C7"),  # no C7-C8 interspace: the upper root's vertebra
        ("C8-T1", "C7-T1"),  # the upper root is C8: where it leaves
        ("S1-S2", "S1"),
        ("S4-S5", "S1"),
    ],
)
def test_a_format_1_0_level_becomes_the_vertebral_level_it_stands_for(old: str, new: str) -> None:
    assert formats.level_1_1(old) == new


@pytest.mark.parametrize("bad", ["C9", "C5-C7", "C6-C5", "X1", "", "None", "C0-C1"])
def test_a_level_1_0_never_allowed_is_refused_by_name(bad: str) -> None:
    with pytest.raises(ValueError, match=rf"'{bad}' is not a format 1.0 paraspinal level"):
        formats.level_1_1(bad)


def test_every_format_1_0_level_converts_to_a_format_1_1_level() -> None:
    singles = list(SPINAL_ORDER)
    pairs = [f"{a}-{b}" for a, b in itertools.pairwise(SPINAL_ORDER)]
    assert {formats.level_1_1(level) for level in singles + pairs} <= set(VERTEBRAL_LEVELS)


@pytest.mark.parametrize(
    ("level", "old"),
    [("C6", "C6"), ("S1", "S1"), ("C0-C1", "C1"), ("C7-T1", "C8"), ("C5-C6", "C5-C6"), ("T12-L1", "T12-L1"), ("L5-S1", "L5-S1")],
)
def test_the_reverse_gives_the_roots_of_a_vertebral_level(level: str, old: str) -> None:
    assert formats.level_1_0(level) == old


def test_every_level_1_1_goes_back_and_forth_unchanged_but_c0_c1() -> None:
    # C0-C1 names no root pair in 1.0: it goes back as C1, which comes forward as the C1 vertebra.
    for level in VERTEBRAL_LEVELS:
        assert formats.level_1_1(formats.level_1_0(level)) == ("C1" if level == "C0-C1" else level)


def test_the_reverse_refuses_what_is_not_a_vertebral_level() -> None:
    with pytest.raises(ValueError, match=r"'C8' is not a vertebral level; levels run C0-C1 to S1"):
        formats.level_1_0("C8")


def _document_1_0() -> dict[str, Any]:
    return {
        "id": "exam-7",
        "patient": {"age": 50},
        "complaint": {"regions": ["neck"], "side": "right"},
        "findings": [
            {"type": "paraspinal", "level": "C8", "side": "right", "sign": "thickened"},
            {"type": "tender_band", "muscle": "Triceps brachii", "side": "right", "severity": 2},
            {"type": "skin", "sign": "trophedema", "segment": "C8", "side": "right"},  # skin stays a root segment
            {"type": "paraspinal", "level": "S3", "side": "left"},
            {"type": "paraspinal", "level": "C5-C6", "side": "bilateral"},
        ],
    }


def test_a_1_0_document_becomes_1_1_with_every_finding_in_its_place(kb: KnowledgeBase) -> None:
    old = _document_1_0()
    before = copy.deepcopy(old)
    new = formats.document_1_1(old)
    assert old == before  # a new document, the old one untouched
    assert new is not None and new["format"] == "1.1" and next(iter(new)) == "format"
    assert [f.get("level") for f in new["findings"]] == ["C7-T1", None, None, "S1", "C5-C6"]
    assert new["findings"][2] == old["findings"][2]
    assert {k: v for k, v in new.items() if k not in ("format", "findings")} == {k: v for k, v in old.items() if k != "findings"}
    assert parse_assessment(new).format == "1.1"
    assert assess(new, kb).to_json()["notes"] == []  # no longer read as 1.0


@pytest.mark.parametrize("written", [None, "1.0"])
def test_a_document_that_says_1_0_is_converted_like_one_that_says_nothing(written: str | None) -> None:
    old = {**_document_1_0(), **({"format": written} if written else {})}
    new = formats.document_1_1(old)
    assert new is not None and new["format"] == "1.1" and new["findings"][0]["level"] == "C7-T1"


def test_a_1_1_document_is_left_alone() -> None:
    document = {"format": "1.1", "complaint": {"regions": ["neck"], "side": "right"}, "findings": []}
    assert formats.document_1_1(document) is None
    assert formats.document_1_0(_document_1_0()) is None


def test_a_vertebra_localises_as_the_root_of_its_name_did(kb: KnowledgeBase) -> None:
    """The conversion keeps the meaning: C6 (root) in 1.0 and C6 (vertebra) in 1.1 rank alike."""
    old = {"complaint": {"regions": ["neck"], "side": "right"}, "findings": [{"type": "paraspinal", "level": "C6", "side": "right"}]}
    new = formats.document_1_1(old)
    assert new is not None
    ranked = [[(s["segment"], s["side"], s["score"]) for s in assess(doc, kb).to_json()["segments"]] for doc in (old, new)]
    assert ranked[0] == ranked[1] and ranked[0][0][:2] == ("C6", "right")


def test_a_1_1_document_goes_back_to_1_0() -> None:
    new = formats.document_1_1(_document_1_0())
    assert new is not None
    back = formats.document_1_0(new)
    assert back is not None and "format" not in back
    assert [f.get("level") for f in back["findings"]] == ["C8", None, None, "S1", "C5-C6"]  # S3 was merged into S1
    parse_assessment(back)


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"history": ["night_pain"]}, "history"),
        ({"sphincter": "no"}, "sphincter"),
        ({"cardiac_screen": "done"}, "cardiac_screen"),
        ({"acknowledged_red_flags": ["marked_motor_deficit"]}, "acknowledged_red_flags"),
        ({"thoracic_needling": "forbidden"}, "thoracic_needling"),
        ({"patient": {"age": 30, "pregnancy_trimester": 2}}, "patient.pregnancy_trimester"),
        (
            {"findings": [{"type": "reflex", "reflex": "Babinski", "grade": "negative", "side": "left"}]},
            r"finding 1 \(reflex\) grade 'negative'",
        ),
        ({"findings": [{"type": "rom", "movement": "Knee extension", "value": -15, "side": "left"}]}, r"finding 1 \(rom\) value -15"),
    ],
)
def test_the_reverse_refuses_what_format_1_0_cannot_hold(extra: dict[str, Any], named: str) -> None:
    document = {"format": "1.1", "complaint": {"regions": ["neck"], "side": "right"}, "findings": [], **extra}
    with pytest.raises(ValueError, match=rf"format 1.0 cannot hold {named}"):
        formats.document_1_0(document)


def test_the_reverse_keeps_defaults_that_format_1_0_reads_the_same() -> None:
    document = {"format": "1.1", "complaint": {"regions": ["neck"], "side": "right"}, "sphincter": "not_asked", "history": []}
    back = formats.document_1_0(document)
    assert back == {"complaint": {"regions": ["neck"], "side": "right"}}
    parse_assessment(back)
