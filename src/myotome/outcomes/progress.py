"""Progress as charts and words: a measure over time against its baseline and MCID, range of
motion against normal, insertions per session with the share that drew a grasp (no Django).

    chart = measure_chart(load_measures()["ndi"], [(date(2026, 11, 3), 24), (date(2026, 11, 24), 12)])
    compare(load_measures()["ndi"], points).words  # 'Reached the MCID: 12 points better (MCID 5).'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from myotome.charts import Bar, BarChart, LineChart, Rule, Series
from myotome.outcomes.definitions import Measure

Point = tuple[date, float]


@dataclass(frozen=True)
class Comparison:
    """Baseline (the first valid score) against the latest, in the measure's own direction."""

    baseline: Point
    latest: Point
    improvement: float  # positive: better, whichever way the measure runs
    mcid: float | None
    reached: bool | None  # None: only one score, or no established MCID

    @property
    def words(self) -> str:
        if self.latest == self.baseline:
            return f"Baseline {self.baseline[1]:g} on {_day(self.baseline[0])}; no later score yet."
        size = f"{abs(self.improvement):g} point{'s' if abs(self.improvement) != 1 else ''}"
        moved = f"{size} better" if self.improvement > 0 else f"{size} worse" if self.improvement < 0 else "no change"
        if self.mcid is None:
            return f"{moved.capitalize()}; no MCID is established for this measure."
        if self.reached:
            return f"Reached the MCID: {moved} (MCID {self.mcid:g})."
        return f"MCID not reached: {moved}, {self.mcid:g} points better needed."


def compare(measure: Measure, points: Sequence[Point]) -> Comparison | None:
    """Baseline against latest for ``points`` (valid scores, any order); None without a score.

    compare(measures["nprs"], [(date(2026, 11, 3), 7), (date(2026, 11, 24), 4)]).reached  # True (MCID 2)
    """
    if not points:
        return None
    ordered = sorted(points, key=lambda p: p[0])
    baseline, latest = ordered[0], ordered[-1]
    change = latest[1] - baseline[1]
    improvement = change if measure.better == "higher" else -change
    mcid = measure.mcid.value
    reached = None if mcid is None or len(ordered) == 1 else improvement >= mcid
    return Comparison(baseline, latest, round(improvement, 2), mcid, reached)


def mcid_threshold(measure: Measure, baseline: float) -> float | None:
    """The score at which the change from ``baseline`` reaches the MCID; None when none is established
    or when the threshold lies beyond the measure's range (a baseline already near the best end)."""
    if measure.mcid.value is None:
        return None
    threshold = baseline + measure.mcid.value if measure.better == "higher" else baseline - measure.mcid.value
    low, high = measure.range
    return threshold if low <= threshold <= high else None


def measure_chart(measure: Measure, points: Sequence[Point]) -> LineChart:
    """One measure over time: its scores, the baseline and the MCID threshold, and which way is better."""
    comparison = compare(measure, points)
    rules: list[Rule] = []
    desc = [f"{measure.name} scores over time, range {measure.range[0]:g} to {measure.range[1]:g}, {measure.better} is better."]
    if comparison is not None:
        rules.append(Rule("baseline", comparison.baseline[1], f"Baseline {comparison.baseline[1]:g}"))
        threshold = mcid_threshold(measure, comparison.baseline[1])
        if threshold is not None:
            rules.append(Rule("mcid", threshold, f"MCID threshold {threshold:g}"))
            desc.append(f"The MCID ({measure.mcid.value:g} points) is reached at {threshold:g}.")
        elif measure.mcid.value is None:
            desc.append("No MCID is established for this measure.")
        else:
            desc.append(f"An MCID of {measure.mcid.value:g} points lies beyond the scale from this baseline.")
        desc.append(f"Scores: {'; '.join(f'{_day(d)} {v:g}' for d, v in sorted(points))}.")
        desc.append(comparison.words)
    else:
        desc.append("No scores yet.")
    return LineChart(
        title=f"{measure.name} over time",
        desc=" ".join(desc),
        y_range=measure.range,
        unit="score",
        series=(Series(measure.name, tuple(sorted(points))),),
        rules=tuple(rules),
        better=measure.better,
    )


@dataclass(frozen=True)
class RangeReadings:
    """One movement on one side: the value measured at each exam or session start, and after needling."""

    movement: str  # the movement's name
    side: str
    unit: str
    measured: tuple[Point, ...]
    after: tuple[Point, ...] = ()
    normal: float | None = None  # the knowledge base's normal active range
    normal_source: str = ""


def range_chart(readings: RangeReadings) -> LineChart:
    """Range of motion over time against the normal range (a line at the normal value)."""
    values = [v for _, v in (*readings.measured, *readings.after)] + ([readings.normal] if readings.normal is not None else [])
    high = max([*values, 1.0])
    low = min([*values, 0.0])
    top = max(_round_up(high * 1.1), 5.0)
    series = [Series("Measured (exam or before needling)", readings.measured)]
    if readings.after:
        series.append(Series("After needling", readings.after, style="dashed"))
    rules = () if readings.normal is None else (Rule("normal", readings.normal, f"Normal {readings.normal:g} {readings.unit}"),)
    where = f"{readings.movement}, {readings.side}"
    parts = [f"Range of {where} over time in {readings.unit}."]
    if readings.normal is not None:
        parts.append(
            f"Normal is {readings.normal:g} {readings.unit}" + (f" ({readings.normal_source})." if readings.normal_source else ".")
        )
    parts.append("Measured: " + ("; ".join(f"{_day(d)} {v:g}" for d, v in sorted(readings.measured)) or "none") + ".")
    if readings.after:
        parts.append("After needling: " + "; ".join(f"{_day(d)} {v:g}" for d, v in sorted(readings.after)) + ".")
    return LineChart(
        title=f"{where}: range over time",
        desc=" ".join(parts),
        y_range=(_round_down(low), top),
        unit=readings.unit,
        series=tuple(series),
        rules=rules,
        better="higher",
    )


@dataclass(frozen=True)
class SessionInsertions:
    day: date
    insertions: int
    grasps: int


def insertions_chart(sessions: Sequence[SessionInsertions]) -> BarChart:
    """Insertions per session, the part that drew a grasp response drawn darker, with its share."""
    lines = [f"{_day(s.day)}: {s.insertions} insertions, {s.grasps} with a grasp" for s in sessions]
    total = sum(s.insertions for s in sessions)
    grasps = sum(s.grasps for s in sessions)
    share = f" Overall {round(100 * grasps / total)}% drew a grasp." if total else ""
    return BarChart(
        title="Insertions per session",
        desc=(f"Insertions in each of {len(sessions)} sessions and how many drew a grasp response. " + "; ".join(lines) + "." + share)
        if sessions
        else "No sessions with insertions yet.",
        bars=tuple(Bar(_day(s.day), s.insertions, s.grasps) for s in sessions),
        total_label="insertions",
        part_label="with a grasp",
    )


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _round_up(value: float) -> float:
    step = 10 if value > 20 else 5 if value > 5 else 1
    return float(-(-value // step) * step)


def _round_down(value: float) -> float:
    step = 10 if value < -20 else 5
    return float((value // step) * step) if value < 0 else 0.0
