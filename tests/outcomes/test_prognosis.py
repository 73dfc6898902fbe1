"""The prognostic report's statistics against published worked values, and on planted and null data."""

from __future__ import annotations

import random
import subprocess
import sys
from fractions import Fraction
from math import comb

import pytest

from myotome.outcomes.prognosis import Episode, benjamini_hochberg, compare, fisher_exact, wilson_interval

# Newcombe RG. Stat Med 1998;17:857-872, table I, method 3 (Wilson score interval without continuity correction).
NEWCOMBE = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), NEWCOMBE)
def test_wilson_interval_matches_newcombe(k: int, n: int, low: float, high: float) -> None:
    got = wilson_interval(k, n)
    assert round(got[0], 4) == low and round(got[1], 4) == high


def test_wilson_interval_of_nothing_is_uninformative_and_bad_counts_are_refused() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="between 0 and n: got 5 of 4"):
        wilson_interval(5, 4)


FISHER = [
    # table, two-sided p, where it comes from
    ((3, 1, 1, 3), 0.4857142857, "Fisher's lady tasting tea (Agresti, Categorical Data Analysis, 3.5.2): 34/70"),
    ((6, 2, 1, 4), 0.1025641026, "scipy.stats.fisher_exact documentation example"),
    ((0, 5, 5, 0), 0.0079365079, "the most extreme 5+5 table: 2 / C(10, 5)"),
    ((10, 0, 0, 10), 1.0825088e-05, "2 / C(20, 10)"),
    ((4, 4, 4, 4), 1.0, "a table at its expectation"),
]


@pytest.mark.parametrize(("table", "p", "source"), FISHER, ids=[f[2].split(" (")[0] for f in FISHER])
def test_fisher_exact_known_values(table: tuple[int, int, int, int], p: float, source: str) -> None:
    assert fisher_exact(*table) == pytest.approx(p, rel=1e-7)


def _exact(a: int, b: int, c: int, d: int) -> Fraction:
    row, col, n = a + b, a + c, a + b + c + d
    prob = [Fraction(comb(col, x) * comb(n - col, row - x), comb(n, row)) for x in range(min(row, col) + 1)]
    return sum((q for q in prob if q and q <= prob[a]), Fraction(0))


@pytest.mark.parametrize("table", [(1, 9, 11, 3), (12, 30, 40, 18), (0, 0, 3, 7), (25, 175, 60, 140)])
def test_fisher_exact_agrees_with_exact_fractions(table: tuple[int, int, int, int]) -> None:
    assert fisher_exact(*table) == pytest.approx(float(_exact(*table)), rel=1e-9)


def test_fisher_exact_refuses_negative_counts() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        fisher_exact(1, -1, 2, 3)


# Benjamini & Hochberg, J R Stat Soc B 1995;57:289-300, section 4: fifteen p-values from a
# trial; at q = 0.05 the procedure rejects the four smallest (Bonferroni, three).
BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0]


def test_benjamini_hochberg_rejects_the_four_of_the_1995_example() -> None:
    adjusted = benjamini_hochberg(BH_1995)
    assert [a < 0.05 for a in adjusted] == [True] * 4 + [False] * 11
    assert adjusted[3] == pytest.approx(0.0095 * 15 / 4)  # p(4) * m / 4: the largest rank under q
    assert adjusted[4] == pytest.approx(0.0201 * 15 / 5)


def test_benjamini_hochberg_keeps_the_order_given_and_is_monotone() -> None:
    assert benjamini_hochberg([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.04, 0.04])
    assert benjamini_hochberg([]) == []


FEATURES = [f"sign{i}" for i in range(12)]


def _episodes(seed: int, effect: str | None, n: int = 300) -> list[Episode]:
    rng = random.Random(seed)
    episodes = []
    for _ in range(n):
        features = frozenset(f for f in FEATURES if rng.random() < 0.35)
        chance = 0.85 if effect in features else 0.55
        episodes.append(Episode(rng.random() < chance, features))
    return episodes


def test_a_planted_effect_is_found_and_only_it() -> None:
    rows = compare(_episodes(11, effect="sign3"), FEATURES)
    assert [r.feature for r in rows if r.significant] == ["sign3"]
    sign3 = rows[3]
    assert sign3.with_share is not None and sign3.without_share is not None
    assert sign3.with_share > sign3.without_share
    assert sign3.with_interval[0] < sign3.with_share < sign3.with_interval[1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_without_an_effect_nothing_is_significant_after_correction(seed: int) -> None:
    rows = compare(_episodes(seed, effect=None), FEATURES)
    assert all(r.p is not None for r in rows)
    assert not any(r.significant for r in rows)


def test_small_groups_are_flagged_and_left_out_of_the_correction() -> None:
    episodes = [Episode(i % 2 == 0, frozenset({"common"} if i % 3 else {"common", "rare"})) for i in range(30)]
    episodes[0] = Episode(True, frozenset({"common", "rare", "very rare"}))
    rows = {r.feature: r for r in compare(episodes, ["common", "rare", "very rare"])}
    assert rows["very rare"].too_small and rows["very rare"].adjusted_p is None and rows["very rare"].with_n == 1
    assert rows["common"].too_small  # every episode has it: no group without it
    assert not rows["rare"].too_small
    assert rows["rare"].adjusted_p == rows["rare"].p  # the only test made: nothing to adjust for


def test_the_statistics_need_no_django_and_no_scipy() -> None:
    code = "import myotome.outcomes.prognosis, sys; assert not any(m.split('.')[0] in ('django', 'scipy') for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)
