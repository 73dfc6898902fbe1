"""Scoring each measure by its published rule: worked examples, missing items, malformed values.

Rows cite where the rule or example comes from; "formula" rows are hand-worked from the cited rule.
"""

from __future__ import annotations

from typing import Any

import pytest

from myotome.outcomes import OutcomeInputError, score

N = None  # a missing item

SCORED = [
    # measure, responses, score, subscales
    # NPRS: the rating itself.
    ("nprs", [7], 7.0, {}),
    # PSFS 1.x: mean of the rated activities (Stratford 1995); an unrated activity drops out.
    ("psfs", {"activities": [{"name": "stairs", "score": 4}, {"name": "lifting", "score": 6}, {"name": "driving", "score": 8}]}, 6.0, {}),
    ("psfs", {"activities": [{"name": "stairs", "score": 3}, {"name": "lifting", "score": 6}, {"name": "kneel", "score": N}]}, 4.5, {}),
    ("psfs2", {"activities": [{"name": "a", "score": 2}, {"name": "b", "score": 3}, {"name": "c", "score": 7}]}, 4.0, {}),
    # QuickDASH (IWH scoring): ((sum / n) - 1) x 25; best and worst ends, and one item missing (sum 15 over 10 = 12.5).
    ("quickdash", [1] * 11, 0.0, {}),
    ("quickdash", [5] * 11, 100.0, {}),
    ("quickdash", [1, 2, 3, 1, 1, 2, 1, 1, 2, 1, N], 12.5, {}),
    ("quickdash", [2] * 11, 25.0, {}),
    # Optional modules: the same formula over their 4 items, scored apart from the 11.
    ("quickdash", {"items": [2] * 11, "work": [1, 2, 3, 4], "sports": [5, 5, 5, 5]}, 25.0, {"work": 37.5, "sports": 100.0}),
    # ODI 2.1a: Fairbank & Pynsent's own example, 16 scored of 50 = 32%; one section missed, 16 of 45 = 35.6%.
    ("odi", [3, 2, 1, 2, 1, 2, 1, 1, 2, 1], 32.0, {}),
    ("odi", [3, 2, 1, 2, 1, 2, 1, N, 2, 2], 35.56, {}),
    # NDI (Vernon): raw sum out of 50; a missing item takes the mean of the others (18 over 9 items -> 18 + 2 = 20).
    ("ndi", [1, 2, 0, 1, 3, 2, 1, 0, 2, 1], 13.0, {}),
    ("ndi", [2, 2, 2, 2, 2, 2, 2, 2, 2, N], 20.0, {}),
    ("ndi", [3, 1, 2, 2, 2, 2, 2, 2, 2, N], 20.0, {}),
    # LEFS (Binkley 1999): sum of 20 items, 0-80. Project's rule: a missing item takes the mean (76 over 19 = 4 -> 80).
    ("lefs", [4] * 20, 80.0, {}),
    ("lefs", [3] * 10 + [2] * 10, 50.0, {}),
    ("lefs", [4] * 19 + [N], 80.0, {}),
    # PRTEE (MacDermid 2007): pain = sum of 5 (0-50), function = sum of 10 / 2 (0-50), total = pain + function.
    ("prtee", {"pain": [5, 6, 4, 7, 8], "function": [2] * 10}, 40.0, {"pain": 30.0, "function": 10.0}),
    ("prtee", [10] * 15, 100.0, {"pain": 50.0, "function": 50.0}),
    # SPADI: each subscale over answered items x 100; total = mean of the subscales (Breckenridge & McAuley 2011).
    ("spadi", {"pain": [5, 5, 5, 5, 5], "disability": [2] * 8}, 35.0, {"pain": 50.0, "disability": 20.0}),
    ("spadi", {"pain": [5, 5, 5, 5, N], "disability": [2] * 7 + [N]}, 35.0, {"pain": 50.0, "disability": 20.0}),
    # FAAM (Martin 2005): sum / (4 x answered) x 100; N/A drops out (68 over 19 answered = 89.47).
    ("faam", {"adl": [4] * 21}, 100.0, {"adl": 100.0}),
    ("faam", {"adl": [4] * 15 + [2, 2, 2, 2] + ["NA", "NA"]}, 89.47, {"adl": 89.47}),
    ("faam", {"adl": [3] * 21, "sports": [2] * 8}, 75.0, {"adl": 75.0, "sports": 50.0}),
    # Kujala: sum of the options' points, best = 100 (the options sum to 100 at their best).
    ("kujala", [5, 5, 5, 10, 5, 10, 10, 10, 10, 10, 10, 5, 5], 100.0, {}),
    ("kujala", [3, 5, 3, 8, 4, 6, 7, 8, 8, 8, 10, 3, 5], 78.0, {}),
    ("kujala", [0] * 13, 0.0, {}),
    # FFI (1991, NRS): each subscale over its applicable items out of 10 x 100; total = mean of the subscales.
    ("ffi", {"pain": [5] * 9, "disability": [3] * 9, "activity": [1] * 5}, 30.0, {"pain": 50.0, "disability": 30.0, "activity": 10.0}),
    (
        "ffi",
        {"pain": [5] * 8 + ["NA"], "disability": [3] * 9, "activity": [1, 1, 1, N, N]},
        30.0,
        {"pain": 50.0, "disability": 30.0, "activity": 10.0},
    ),
]


@pytest.mark.parametrize(("measure", "responses", "expected", "subscales"), SCORED)
def test_it_scores_by_the_published_rule(measure: str, responses: Any, expected: float, subscales: dict[str, float]) -> None:
    result = score(measure, responses)
    assert result.valid, result.reason
    assert result.score == pytest.approx(expected, abs=0.01)
    assert result.subscales == pytest.approx(subscales, abs=0.01)


TOO_MANY_MISSING = [
    ("nprs", [N], "nprs: every item is missing or not applicable"),
    (
        "psfs",
        {"activities": [{"name": "a", "score": N}, {"name": "b", "score": N}, {"name": "c", "score": N}]},
        "every activity is missing",
    ),
    # QuickDASH: no score with more than 1 of the 11 missing (IWH).
    ("quickdash", [1, 2, 3, 1, 1, 2, 1, 1, 2, N, N], "quickdash: 2 of 11 items missing or not applicable; the rule allows at most 1"),
    ("odi", [3, 2, 1, 2, 1, 2, 1, N, N, 2], "allows at most 1"),
    ("ndi", [1, 1, 1, 1, 1, 1, 1, 1, N, N], "allows at most 1"),
    ("lefs", [4] * 17 + [N, N, N], "allows at most 2"),
    ("prtee", {"pain": [5, 6, N, N, 8], "function": [2] * 10}, "2 of 5 pain items"),
    ("spadi", {"pain": [5, 5, 5, N, N], "disability": [2] * 7 + [N]}, "3 items missing"),
    ("faam", {"adl": [4] * 18 + ["NA", N, N]}, "3 of 21 adl items"),
    ("kujala", [5, 5, 5, 10, 5, 10, 10, 10, 10, 10, 10, 5, N], "allows at most 0"),
    ("ffi", {"pain": [5] * 4 + ["NA"] * 5, "disability": [3] * 9, "activity": [1] * 5}, "5 of 9 pain items"),
]


@pytest.mark.parametrize(("measure", "responses", "reason"), TOO_MANY_MISSING)
def test_too_many_missing_items_give_no_score_and_say_why(measure: str, responses: Any, reason: str) -> None:
    result = score(measure, responses)
    assert (result.valid, result.score) == (False, None)
    assert result.reason is not None
    assert reason in result.reason


def test_a_quickdash_module_with_a_missing_item_is_not_scored_but_the_form_is() -> None:
    result = score("quickdash", {"items": [2] * 11, "work": [1, 2, N, 4]})
    assert (result.valid, result.score, result.subscales) == (True, 25.0, {"work": None})
    assert result.reason == "work module not scored: 1 of 4 items missing; all 4 are needed"


def test_faam_sports_over_its_limit_is_left_unscored() -> None:
    result = score("faam", {"adl": [4] * 21, "sports": [4] * 6 + ["NA", N]})
    assert result.subscales == {"adl": 100.0, "sports": None}
    assert result.reason is not None and "sports not scored" in result.reason


MALFORMED = [
    ("nprs", [11], r"nprs item 1: 11 is not allowed; allowed values are 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, or null for missing"),
    ("nprs", [7.5], r"nprs item 1: 7\.5 is not allowed"),
    ("nprs", [True], r"nprs item 1: True is not allowed"),
    ("quickdash", [1] * 10 + [0], r"quickdash item 11: 0 is not allowed; allowed values are 1, 2, 3, 4, 5"),
    ("quickdash", [1] * 10, r"quickdash expects 11 item values in order, got 10"),
    ("quickdash", {"items": [1] * 11, "work": [1, 2, 6, 1]}, r"quickdash item 3 of part 'work': 6 is not allowed"),
    ("quickdash", {"items": [1] * 11, "music": [1, 1, 1, 1]}, r"quickdash has no part 'music'"),
    ("odi", [0, 1, 2, 3, 4, 5, 6, 0, 0, 0], r"odi item 7: 6 is not allowed; allowed values are 0, 1, 2, 3, 4, 5"),
    ("odi", [0, 1, 2, 3, 4, 5, "NA", 0, 0, 0], r"odi item 7: 'NA' is not allowed"),
    ("kujala", [4] + [5] * 12, r"kujala item 1: 4 is not allowed; allowed values are 5, 3, 0"),
    ("faam", {"adl": [4] * 20 + [5]}, r"faam item 21 of part 'adl': 5 is not allowed; allowed values are 0, 1, 2, 3, 4, NA"),
    ("spadi", {"pain": [1] * 5}, r"spadi needs the part 'disability'"),
    ("psfs", {"activities": [{"name": "a", "score": 1}, {"name": "b", "score": 2}]}, r"psfs takes 3 to 5 patient-chosen activities, got 2"),
    (
        "psfs",
        {"activities": [{"name": "a", "score": 1}, {"name": "", "score": 2}, {"name": "c", "score": 2}]},
        r"psfs activity 2: needs a non-empty 'name'",
    ),
    (
        "psfs",
        {"activities": [{"name": "a", "score": 1}, {"name": "b", "score": 12}, {"name": "c", "score": 2}]},
        r"psfs activity 2: 12 is not allowed",
    ),
    ("psfs", [4, 5, 6], r"psfs responses must be"),
    ("whodas", [1], r"unknown measure 'whodas'; known measures: nprs, psfs"),
    ("ndi", "1,2,3", r"ndi responses must be a JSON array"),
]


@pytest.mark.parametrize(("measure", "responses", "message"), MALFORMED)
def test_a_malformed_value_names_the_item_and_the_allowed_values(measure: str, responses: Any, message: str) -> None:
    with pytest.raises(OutcomeInputError, match=message):
        score(measure, responses)


def test_every_score_keeps_its_responses_versions_and_missing_rule() -> None:
    record = score("ndi", [2, 2, 2, 2, 2, 2, 2, 2, 2, N]).record()
    assert record["responses"] == {"items": [2, 2, 2, 2, 2, 2, 2, 2, 2, None]}
    assert record["instrument_version"] == "Vernon & Mior 1991"
    assert record["scoring_rule_version"] == "ndi-1"
    assert record["missing_rule"].startswith("published: Mean imputation")


def test_psfs_keeps_the_activity_names_so_they_carry_across_visits() -> None:
    activities = [{"name": " stairs ", "score": 4}, {"name": "lifting", "score": 6}, {"name": "driving", "score": 8}]
    assert score("psfs", {"activities": activities}).activity_names == ("stairs", "lifting", "driving")
