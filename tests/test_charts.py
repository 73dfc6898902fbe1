"""The chart renderer: points where the scales put them, reference lines, the words a reader needs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from myotome.charts import Bar, BarChart, Layout, LineChart, Rule, Series, render_bar_chart, render_line_chart

SVG = "{http://www.w3.org/2000/svg}"
LAYOUT = Layout()  # 340 x 210; plot from x 34 to 330 and y 26 to 180


def _tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _points(svg: str) -> list[tuple[float, float]]:
    return [(float(c.get("cx", "")), float(c.get("cy", ""))) for c in _tree(svg).iter(f"{SVG}circle")]


def _chart(points: tuple[tuple[date, float], ...], **kwargs: object) -> LineChart:
    return LineChart("NDI over time", "NDI scores", (0, 50), "score", (Series("NDI", points),), **kwargs)  # type: ignore[arg-type]


# (points, expected (x, y) of each): x runs from the first date (46) to the last (318), 12 inside the plot;
# y from 50 at the top (26) to 0 at the foot (180), 3.08 units a point.
COORDINATES = [
    (((date(2026, 11, 3), 24),), [(182, 106.1)]),  # one date: the middle of the plot
    (((date(2026, 11, 3), 50), (date(2026, 11, 24), 0)), [(46, 26), (318, 180)]),
    (((date(2026, 11, 3), 24), (date(2026, 11, 10), 18), (date(2026, 11, 24), 12)), [(46, 106.1), (136.7, 124.6), (318, 143)]),
    (((date(2026, 11, 24), 12), (date(2026, 11, 3), 24)), [(46, 106.1), (318, 143)]),  # drawn in date order
    (((date(2026, 11, 3), 60),), [(182, 26)]),  # off the scale: drawn at its edge
]


@pytest.mark.parametrize(("points", "expected"), COORDINATES)
def test_points_sit_at_their_date_and_value(points: tuple[tuple[date, float], ...], expected: list[tuple[float, float]]) -> None:
    drawn = _points(render_line_chart(_chart(points)))
    assert [c for xy in drawn for c in xy] == pytest.approx([c for xy in expected for c in xy], abs=0.1)


def test_it_is_an_accessible_image_with_a_title_and_description() -> None:
    root = _tree(render_line_chart(_chart(((date(2026, 11, 3), 24),)), id_prefix="ndi"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "ndi-title ndi-desc"
    assert root.find(f"{SVG}title").text == "NDI over time"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "NDI scores"  # type: ignore[union-attr]
    assert root.find(f"{SVG}title").get("id") == "ndi-title"  # type: ignore[union-attr]


def test_text_is_escaped() -> None:
    svg = render_line_chart(LineChart("A < B & C", "x > y", (0, 10), "score", (Series("S", ((date(2026, 1, 1), 1),)),)))
    assert _tree(svg).find(f"{SVG}title").text == "A < B & C"  # type: ignore[union-attr]


@pytest.mark.parametrize(("kind", "value", "y"), [("baseline", 24, 106.1), ("mcid", 19, 121.5), ("normal", 45, 41.4)])
def test_a_rule_is_drawn_across_the_plot_at_its_value(kind: str, value: float, y: float) -> None:
    svg = render_line_chart(_chart(((date(2026, 11, 3), 24),), rules=(Rule(kind, value, f"{kind} {value}"),)))  # type: ignore[arg-type]
    lines = [ln for ln in _tree(svg).iter(f"{SVG}line") if ln.get("class") == f"rule rule-{kind}"]
    assert len(lines) == 1
    assert (float(lines[0].get("x1", "")), float(lines[0].get("x2", ""))) == (34, 330)
    assert float(lines[0].get("y1", "")) == pytest.approx(y, abs=0.1)


def test_no_rule_is_drawn_unless_asked() -> None:
    svg = render_line_chart(_chart(((date(2026, 11, 3), 24),)))
    assert "rule-" not in svg


@pytest.mark.parametrize(("better", "words"), [("lower", "Lower is better"), ("higher", "Higher is better"), (None, None)])
def test_the_direction_of_better_is_written(better: str | None, words: str | None) -> None:
    svg = render_line_chart(_chart(((date(2026, 11, 3), 24),), better=better))
    texts = [t.text for g in _tree(svg).iter(f"{SVG}g") if (g.get("class") or "").startswith("better") for t in g.iter(f"{SVG}text")]
    assert texts == ([words] if words else [])


def test_bars_stack_the_part_at_the_foot_and_write_its_share() -> None:
    chart = BarChart("Insertions", "per session", (Bar("3 Nov", 10, 4), Bar("10 Nov", 5, 0)), "insertions", "with a grasp")
    root = _tree(render_bar_chart(chart))
    totals = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar-total"]
    parts = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar-part"]
    assert [float(r.get("height", "")) for r in totals] == pytest.approx([154, 77])  # 10 fills the plot; 5 half of it
    assert [float(r.get("height", "")) for r in parts] == pytest.approx([61.6, 0])
    assert [float(r.get("y", "")) + float(r.get("height", "")) for r in parts] == pytest.approx([180, 180])
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "bar-share"] == ["40%", "0%"]
