"""Progress in words and charts: baseline against latest, the MCID threshold, range against normal."""

from __future__ import annotations

from datetime import date

import pytest

from myotome.charts import render_bar_chart, render_line_chart
from myotome.outcomes import load_measures
from myotome.outcomes.progress import (
    RangeReadings,
    SessionInsertions,
    compare,
    insertions_chart,
    mcid_threshold,
    measure_chart,
    range_chart,
)

MEASURES = load_measures()
D1, D2, D3 = date(2026, 11, 3), date(2026, 11, 10), date(2026, 11, 24)

# measure, baseline, latest, reached, words. MCIDs from measures.yaml: NPRS 2, LEFS 9, NDI 5; PRTEE none.
COMPARISONS = [
    ("nprs", 7, 4, True, "Reached the MCID: 3 points better (MCID 2)."),
    ("nprs", 7, 5, True, "Reached the MCID: 2 points better (MCID 2)."),  # exactly the MCID counts
    ("nprs", 7, 6, False, "MCID not reached: 1 point better, 2 points better needed."),
    ("nprs", 4, 6, False, "MCID not reached: 2 points worse, 2 points better needed."),
    ("lefs", 40, 50, True, "Reached the MCID: 10 points better (MCID 9)."),  # higher is better
    ("lefs", 40, 30, False, "MCID not reached: 10 points worse, 9 points better needed."),
    ("ndi", 24, 24, False, "MCID not reached: no change, 5 points better needed."),
    ("prtee", 60, 20, None, "40 points better; no MCID is established for this measure."),
]


@pytest.mark.parametrize(("measure", "baseline", "latest", "reached", "words"), COMPARISONS)
def test_baseline_against_latest_in_words(measure: str, baseline: float, latest: float, reached: bool | None, words: str) -> None:
    result = compare(MEASURES[measure], [(D3, latest), (D1, baseline), (D2, (baseline + latest) / 2)])
    assert result is not None
    assert result.reached is reached
    assert result.words == words


def test_one_score_is_a_baseline_only() -> None:
    result = compare(MEASURES["nprs"], [(D1, 7)])
    assert result is not None and result.reached is None
    assert result.words == "Baseline 7 on 3 Nov 2026; no later score yet."
    assert compare(MEASURES["nprs"], []) is None


# measure, baseline, threshold: the score at which the change reaches the MCID, in the better direction.
THRESHOLDS = [
    ("nprs", 7, 5),
    ("lefs", 40, 49),
    ("ndi", 3, None),  # 3 - 5 is below the scale: cannot be drawn
    ("prtee", 60, None),  # not established
    ("kujala", 50, None),  # not established
]


@pytest.mark.parametrize(("measure", "baseline", "threshold"), THRESHOLDS)
def test_the_mcid_threshold(measure: str, baseline: float, threshold: float | None) -> None:
    assert mcid_threshold(MEASURES[measure], baseline) == threshold


@pytest.mark.parametrize("measure", list(MEASURES))
def test_the_mcid_line_is_drawn_only_where_an_mcid_is_established(measure: str) -> None:
    m = MEASURES[measure]
    middle = (m.range[0] + m.range[1]) / 2
    svg = render_line_chart(measure_chart(m, [(D1, middle), (D2, middle)]))
    assert ("rule-mcid" in svg) is (m.mcid.value is not None)
    assert "rule-baseline" in svg
    assert ("Higher is better" if m.better == "higher" else "Lower is better") in svg


def test_the_chart_description_names_scores_and_outcome() -> None:
    chart = measure_chart(MEASURES["ndi"], [(D1, 24), (D3, 12)])
    assert chart.desc == (
        "Neck Disability Index scores over time, range 0 to 50, lower is better. The MCID (5 points) is reached at 19. "
        "Scores: 3 Nov 2026 24; 24 Nov 2026 12. Reached the MCID: 12 points better (MCID 5)."
    )


def test_range_is_drawn_against_the_normal_value() -> None:
    readings = RangeReadings("Cervical rotation", "left", "deg", ((D1, 40), (D2, 55)), ((D2, 65),), normal=80, normal_source="AAOS")
    chart = range_chart(readings)
    assert [r.kind for r in chart.rules] == ["normal"] and chart.rules[0].value == 80
    assert chart.y_range == (0, 90)
    assert [s.label for s in chart.series] == ["Measured (exam or before needling)", "After needling"]
    assert "Normal is 80 deg (AAOS)." in chart.desc


def test_a_lack_of_extension_keeps_its_negative_values_on_the_scale() -> None:
    chart = range_chart(RangeReadings("Knee extension", "right", "deg", ((D1, -15), (D2, -5)), normal=0))
    assert chart.y_range == (-15, 5)


def test_insertions_give_the_grasp_share() -> None:
    chart = insertions_chart([SessionInsertions(D1, 10, 4), SessionInsertions(D2, 6, 3)])
    assert chart.desc.endswith("Overall 44% drew a grasp.")
    assert ">40%<" in render_bar_chart(chart) and ">50%<" in render_bar_chart(chart)
