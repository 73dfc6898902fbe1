"""Which signs went with a response: shares with and without each feature, and whether they differ.

Descriptive statistics for a clinic's own completed episodes (issue 11 §5): the share reaching
the MCID among episodes with a feature and among those without, each with a Wilson score
interval; Fisher's exact test of the 2x2 table; Benjamini-Hochberg adjustment across the
features tested. Nothing here feeds the engine: an association in one clinic's records says
nothing about localisation weights. Pure Python, no Django and no scipy::

    rows = compare([Episode(True, frozenset({"skin:sudomotor"})), ...], ["skin:sudomotor"])
    rows[0].with_share, rows[0].adjusted_p
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile
MIN_GROUP = 10  # fewer episodes than this with (or without) a feature: shown, flagged, not tested
FDR = 0.05  # Benjamini-Hochberg false discovery rate


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (Wilson 1927; Newcombe 1998, method 3).

    wilson_interval(81, 263)  # (0.2553, 0.3662) to four places
    wilson_interval(0, 0)     # (0.0, 1.0): no episodes, no information
    """
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n: got {successes} of {n}")
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test of the table [[a, b], [c, d]].

    The sum of the probabilities of every table with the same margins that is no more likely
    than the one observed (as R's fisher.test and scipy's fisher_exact compute it).

    fisher_exact(3, 1, 1, 3)  # 0.4857: Fisher's lady tasting tea
    fisher_exact(6, 2, 1, 4)  # 0.1026
    """
    if min(a, b, c, d) < 0:
        raise ValueError(f"counts must not be negative: [[{a}, {b}], [{c}, {d}]]")
    row1, col1, n = a + b, a + c, a + b + c + d
    low, high = max(0, row1 + col1 - n), min(row1, col1)

    def log_p(x: int) -> float:  # hypergeometric probability of a table whose top-left cell is x
        return _log_choose(col1, x) + _log_choose(n - col1, row1 - x) - _log_choose(n, row1)

    observed = log_p(a)
    # A relative tolerance, as R uses, so that tables as likely as the observed one count despite rounding.
    limit = observed + math.log1p(1e-7)
    total = math.fsum(math.exp(lp) for lp in (log_p(x) for x in range(low, high + 1)) if lp <= limit)
    return min(1.0, total)


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values, in the order given (an adjusted p below q is a discovery at FDR q).

    benjamini_hochberg([0.01, 0.04, 0.03])  # [0.03, 0.04, 0.04]
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):  # from the largest p down, keeping the smallest p * m / rank seen
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = running
    return adjusted


@dataclass(frozen=True)
class Episode:
    """One completed episode: whether it reached the MCID, and the features it had."""

    reached: bool
    features: frozenset[str]


@dataclass(frozen=True)
class Comparison:
    feature: str
    with_n: int
    with_reached: int
    without_n: int
    without_reached: int
    with_interval: tuple[float, float]
    without_interval: tuple[float, float]
    p: float | None  # None: a group too small to test
    adjusted_p: float | None

    @property
    def with_share(self) -> float | None:
        return self.with_reached / self.with_n if self.with_n else None

    @property
    def without_share(self) -> float | None:
        return self.without_reached / self.without_n if self.without_n else None

    @property
    def too_small(self) -> bool:
        return self.p is None

    @property
    def significant(self) -> bool:
        return self.adjusted_p is not None and self.adjusted_p < FDR


def compare(episodes: Iterable[Episode], features: Sequence[str], min_group: int = MIN_GROUP) -> list[Comparison]:
    """For each feature, the share reaching the MCID with and without it, tested and adjusted together.

    A feature with fewer than ``min_group`` episodes on either side is reported, flagged, and
    left out of the tests (and so out of the number of tests the adjustment counts).

    rows = compare(episodes, ["skin:trophedema", "grasp"])
    [r.feature for r in rows if r.significant]
    """
    episodes = list(episodes)
    total = len(episodes)
    reached_total = sum(e.reached for e in episodes)
    counted: list[tuple[str, int, int, int, int, float | None]] = []
    for feature in features:
        with_n = sum(feature in e.features for e in episodes)
        with_reached = sum(e.reached and feature in e.features for e in episodes)
        without_n, without_reached = total - with_n, reached_total - with_reached
        p = None
        if min(with_n, without_n) >= min_group:
            p = fisher_exact(with_reached, with_n - with_reached, without_reached, without_n - without_reached)
        counted.append((feature, with_n, with_reached, without_n, without_reached, p))
    tested = [row[5] for row in counted if row[5] is not None]
    adjusted = iter(benjamini_hochberg(tested))
    return [
        Comparison(
            feature=feature,
            with_n=with_n,
            with_reached=with_reached,
            without_n=without_n,
            without_reached=without_reached,
            with_interval=wilson_interval(with_reached, with_n),
            without_interval=wilson_interval(without_reached, without_n),
            p=p,
            adjusted_p=None if p is None else next(adjusted),
        )
        for feature, with_n, with_reached, without_n, without_reached, p in counted
    ]
