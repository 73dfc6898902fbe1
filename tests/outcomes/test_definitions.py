"""What each measure knows: range, direction, MCID with its source, missing-item rule, licence.

The direction and MCID table is the one a physiotherapist would check against docs/outcome-measures.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from myotome.outcomes import MeasureDataError, load_measures
from myotome.outcomes.definitions import DATA_FILE

MEASURES = {
    # id: (range, better, MCID or None for "not established", wording status)
    "nprs": ((0, 10), "lower", 2, "project"),  # Farrar 2001
    "psfs": ((0, 10), "higher", 2, "project"),  # Stratford 1995, MDC90 of the mean used as threshold
    "psfs2": ((0, 10), "lower", None, "unconfirmed"),  # 2.0 runs the other way from 1.x (Thoomes 2024)
    "quickdash": ((0, 100), "lower", 14, "licensed"),  # Sorensen 2013
    "odi": ((0, 100), "lower", 10, "licensed"),  # Ostelo 2008
    "ndi": ((0, 50), "lower", 5, "unconfirmed"),  # Vernon: raw points out of 50
    "lefs": ((0, 80), "higher", 9, "unconfirmed"),  # Binkley 1999
    "prtee": ((0, 100), "lower", None, "licensed"),  # population-dependent; none adopted
    "spadi": ((0, 100), "lower", None, "unconfirmed"),  # 8-13 not confirmed by a primary source
    "faam": ((0, 100), "higher", 8, "unconfirmed"),  # Martin 2005: ADL 8, Sports 9
    "kujala": ((0, 100), "higher", None, "unconfirmed"),  # Crossley 2004 not confirmed against the paper
    "ffi": ((0, 100), "lower", None, "unconfirmed"),  # heel-pain MIDs only
}


def test_the_measures_are_the_ones_issue_11_names() -> None:
    assert list(load_measures()) == list(MEASURES)


@pytest.mark.parametrize(("measure_id", "expected"), MEASURES.items())
def test_each_measure_knows_range_direction_mcid_and_licence(measure_id: str, expected: tuple[object, ...]) -> None:
    m = load_measures()[measure_id]
    assert (m.range, m.better, m.mcid.value, m.licence.wording) == expected


@pytest.mark.parametrize("measure_id", MEASURES)
def test_an_mcid_has_a_source_and_an_unestablished_one_says_so(measure_id: str) -> None:
    mcid = load_measures()[measure_id].mcid
    if mcid.value is None:
        assert mcid.source is None
        assert mcid.basis.startswith("not established")
    else:
        assert mcid.source and re.search(r"(19|20)\d\d", mcid.source)


@pytest.mark.parametrize("measure_id", MEASURES)
def test_a_missing_item_rule_says_whose_it_is(measure_id: str) -> None:
    missing = load_measures()[measure_id].missing
    assert missing.by in ("published", "project")
    if missing.by == "project" or "project's" in missing.rule:
        assert "project's" in missing.rule


def test_faam_keeps_a_separate_mcid_for_sports() -> None:
    assert load_measures()["faam"].mcid.subscales == {"adl": 8.0, "sports": 9.0}


def test_kujala_options_add_up_to_100_at_best() -> None:
    items = load_measures()["kujala"].parts[0].values
    assert sum(max(v for v in options if isinstance(v, int)) for options in items) == 100


def test_psfs_versions_are_separate_measures_that_run_in_opposite_directions() -> None:
    measures = load_measures()
    assert (measures["psfs"].better, measures["psfs2"].better) == ("higher", "lower")
    assert measures["psfs"].scoring_rule_version != measures["psfs2"].scoring_rule_version


# Distinctive phrases of licensed or unconfirmed instruments' item wording (a few words each, to detect
# a copy, not to reproduce one). None may appear in the shipped package data.
LICENSED_PHRASES = [
    "tight or new jar",  # QuickDASH
    "wash your back",  # QuickDASH
    "heavy household chores",  # QuickDASH
    "without having to use pain killers",  # ODI
    "pain prevents me from",  # ODI / NDI
    "when your pain was at its worst",  # PRTEE
    "turn a doorknob",  # PRTEE
    "lying on the involved side",  # SPADI
    "squatting",  # LEFS / Kujala
    "hopping",  # LEFS
    "limp",  # Kujala
    "walking barefoot",  # FFI
    "going up stairs",  # FAAM / LEFS
]


def test_no_licensed_wording_is_shipped_in_the_package_data() -> None:
    data_dir = DATA_FILE.parent
    files = sorted(data_dir.rglob("*"))
    assert DATA_FILE in files
    for path in files:
        if path.is_dir():
            continue
        text = path.read_text(encoding="utf-8").lower()
        found = [phrase for phrase in LICENSED_PHRASES if phrase in text]
        assert not found, f"{path.name} holds licensed wording: {found}"


def test_no_measure_carries_item_text_unless_the_wording_is_the_projects() -> None:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    for measure_id, record in raw.items():
        for part in record["parts"]:
            assert set(part) <= {"id", "items", "values", "values_by_item", "optional", "max_missing"}, measure_id
        if record["licence"]["wording"] != "project":
            assert "prompt" not in record, measure_id


def test_a_malformed_definition_names_the_measure_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "measures.yaml"
    bad.write_text("nprs:\n  name: NPRS\n", encoding="utf-8")
    with pytest.raises(
        MeasureDataError, match=r"measures.yaml: measure 'nprs' has no field instrument_version, scoring_rule_version, scoring, range"
    ):
        load_measures(bad)
