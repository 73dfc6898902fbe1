"""Small server-side charts as accessible SVG: lines over time and stacked bars (no Django).

    svg = render_line_chart(LineChart("NDI", "NDI over time ...", (0, 50), "points", (Series("NDI", points),)))
    svg.startswith("<svg")  # True: role="img", with <title> and <desc> naming what it shows

The SVG carries its colours and dashes as attributes (the PDF renderer reads no style sheets)
and a class on each mark for the page's style sheet; it scales to the width of its container,
so the viewBox is sized for a phone: 12-unit text is about 11 px across a 320 px column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Literal

Better = Literal["higher", "lower"]


@dataclass(frozen=True)
class Layout:
    """The drawing's box in SVG units: the plot sits inside the margins."""

    width: float = 340
    height: float = 210
    left: float = 34
    right: float = 10
    top: float = 26
    bottom: float = 30
    font: float = 12
    inset: float = 12  # the first and last dates sit this far inside the plot, so their labels fit

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[tuple[date, float], ...]
    style: Literal["solid", "dashed"] = "solid"


@dataclass(frozen=True)
class Rule:
    """A horizontal reference line across the plot: the baseline, the MCID threshold."""

    kind: Literal["baseline", "mcid", "normal"]
    value: float
    label: str


@dataclass(frozen=True)
class Band:
    """A shaded horizontal band: the normal range of a movement."""

    low: float
    high: float
    label: str


@dataclass(frozen=True)
class LineChart:
    title: str
    desc: str
    y_range: tuple[float, float]
    unit: str
    series: tuple[Series, ...]
    rules: tuple[Rule, ...] = ()
    band: Band | None = None
    better: Better | None = None


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    part: int  # the highlighted share of the total (drawn at the bar's foot)


@dataclass(frozen=True)
class BarChart:
    title: str
    desc: str
    bars: tuple[Bar, ...]
    total_label: str
    part_label: str
    layout: Layout = field(default_factory=Layout)


INK = "#202020"
GRID = "#d0d4da"
LINE_COLOURS = ("#17365d", "#8a4b08", "#2f6b2f", "#6b2f6b")
RULE_STYLE = {
    "baseline": ("#6b6b6b", "4 3"),
    "mcid": ("#2f6b2f", "8 3 2 3"),
    "normal": ("#2f6b2f", "2 2"),
}


def render_line_chart(chart: LineChart, layout: Layout | None = None, id_prefix: str = "chart") -> str:
    """The chart as an SVG element: dates along x, values on y (``y_range``), one line per series.

    svg = render_line_chart(chart, id_prefix="ndi")
    '<title id="ndi-title">' in svg  # True
    """
    lay = layout or Layout()
    x_of = x_scale([d for s in chart.series for d, _ in s.points], lay)
    y_of = y_scale(chart.y_range, lay)
    out = _open(chart.title, chart.desc, lay, id_prefix)
    out.extend(_y_axis(chart.y_range, chart.unit, lay, y_of))
    if chart.band is not None:
        top, bottom = y_of(min(chart.band.high, chart.y_range[1])), y_of(max(chart.band.low, chart.y_range[0]))
        out.append(
            f'<rect class="band" x="{lay.left:g}" y="{_n(top)}" width="{_n(lay.plot_width)}" height="{_n(bottom - top)}" '
            f'fill="#e3efe3" data-label="{_a(chart.band.label)}"/>'
        )
    for rule in chart.rules:
        colour, dash = RULE_STYLE[rule.kind]
        y = y_of(rule.value)
        out.append(
            f'<line class="rule rule-{rule.kind}" x1="{lay.left:g}" x2="{_n(lay.left + lay.plot_width)}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke="{colour}" stroke-width="1.2" stroke-dasharray="{dash}"/>'
        )
        out.append(
            f'<text class="rule-label" x="{_n(lay.left + lay.plot_width - 2)}" y="{_n(y - 3)}" text-anchor="end" '
            f'font-size="{lay.font - 2:g}" fill="{colour}">{_t(rule.label)}</text>'
        )
    dates = sorted({d for s in chart.series for d, _ in s.points})
    out.extend(_x_axis(dates, lay, x_of))
    for n, series in enumerate(chart.series):
        colour = LINE_COLOURS[n % len(LINE_COLOURS)]
        coords = [(x_of(d), y_of(v), d, v) for d, v in sorted(series.points)]
        if len(coords) > 1:
            path = " ".join(f"{'M' if i == 0 else 'L'}{_n(x)} {_n(y)}" for i, (x, y, _, _) in enumerate(coords))
            dash = ' stroke-dasharray="5 3"' if series.style == "dashed" else ""
            out.append(f'<path class="series" d="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for x, y, d, v in coords:
            out.append(
                f'<circle class="point" cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{colour}">'
                f"<title>{_t(series.label)} {_t(_day(d))}: {v:g}</title></circle>"
            )
    if chart.better is not None:
        out.extend(_better(chart.better, lay))
    if len(chart.series) > 1:
        out.extend(_legend([s.label for s in chart.series], lay))
    out.append("</svg>")
    return "".join(out)


def render_bar_chart(chart: BarChart, id_prefix: str = "bars") -> str:
    """Stacked bars: each bar's total, its part drawn darker at the foot, the part's share above it.

    svg = render_bar_chart(BarChart("Insertions", "...", (Bar("3 Nov", 12, 5),), "insertions", "with a grasp"))
    """
    lay = chart.layout
    top = max((b.total for b in chart.bars), default=0)
    y_max = float(max(top, 1))
    y_of = y_scale((0.0, y_max), lay)
    out = _open(chart.title, chart.desc, lay, id_prefix)
    out.extend(_y_axis((0.0, y_max), chart.total_label, lay, y_of))
    slot = lay.plot_width / max(len(chart.bars), 1)
    width = min(slot * 0.6, 36)
    for n, bar in enumerate(chart.bars):
        x = lay.left + slot * n + (slot - width) / 2
        base = y_of(0)
        out.append(
            f'<rect class="bar-total" x="{_n(x)}" y="{_n(y_of(bar.total))}" width="{_n(width)}" height="{_n(base - y_of(bar.total))}" '
            f'fill="#b8c7dc"><title>{_t(bar.label)}: {bar.total} {_t(chart.total_label)}</title></rect>'
        )
        out.append(
            f'<rect class="bar-part" x="{_n(x)}" y="{_n(y_of(bar.part))}" width="{_n(width)}" height="{_n(base - y_of(bar.part))}" '
            f'fill="#17365d"><title>{_t(bar.label)}: {bar.part} {_t(chart.part_label)}</title></rect>'
        )
        share = f"{round(100 * bar.part / bar.total)}%" if bar.total else "-"
        out.append(
            f'<text class="bar-share" x="{_n(x + width / 2)}" y="{_n(y_of(bar.total) - 3)}" text-anchor="middle" '
            f'font-size="{lay.font - 1:g}" fill="{INK}">{share}</text>'
        )
        if len(chart.bars) <= 12 or n % 2 == 0:
            out.append(
                f'<text class="tick" x="{_n(x + width / 2)}" y="{_n(lay.height - lay.bottom + 14)}" text-anchor="middle" '
                f'font-size="{lay.font - 2:g}" fill="{INK}">{_t(bar.label)}</text>'
            )
    out.extend(_legend([chart.total_label, chart.part_label], lay, colours=("#b8c7dc", "#17365d")))
    out.append("</svg>")
    return "".join(out)


# -- scales ---------------------------------------------------------------------------------


def x_scale(dates: Sequence[date], lay: Layout) -> _DateScale:
    """Dates to x: the first near the plot's left edge, the last near its right; one date in the middle."""
    return _DateScale(min(dates, default=date.min), max(dates, default=date.min), lay)


@dataclass(frozen=True)
class _DateScale:
    first: date
    last: date
    lay: Layout

    def __call__(self, day: date) -> float:
        span = (self.last - self.first).days
        if span == 0:
            return self.lay.left + self.lay.plot_width / 2
        inner = self.lay.plot_width - 2 * self.lay.inset
        return self.lay.left + self.lay.inset + inner * (day - self.first).days / span


def y_scale(y_range: tuple[float, float], lay: Layout) -> _ValueScale:
    return _ValueScale(y_range[0], y_range[1], lay)


@dataclass(frozen=True)
class _ValueScale:
    low: float
    high: float
    lay: Layout

    def __call__(self, value: float) -> float:
        value = min(max(value, self.low), self.high)  # a value off the scale is drawn at its edge
        return self.lay.top + self.lay.plot_height * (self.high - value) / (self.high - self.low or 1)


# -- pieces ---------------------------------------------------------------------------------


def _open(title: str, desc: str, lay: Layout, prefix: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart" viewBox="0 0 {lay.width:g} {lay.height:g}" '
        f'width="{lay.width:g}" height="{lay.height:g}" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'font-family="Helvetica, Arial, sans-serif">',
        f'<title id="{prefix}-title">{_t(title)}</title><desc id="{prefix}-desc">{_t(desc)}</desc>',
        f'<rect x="0" y="0" width="{lay.width:g}" height="{lay.height:g}" fill="#ffffff"/>',
    ]


def _y_axis(y_range: tuple[float, float], unit: str, lay: Layout, y_of: _ValueScale) -> list[str]:
    low, high = y_range
    ticks = _ticks(low, high)
    out = []
    for tick in ticks:
        y = y_of(tick)
        out.append(
            f'<line class="grid" x1="{lay.left:g}" x2="{_n(lay.left + lay.plot_width)}" y1="{_n(y)}" y2="{_n(y)}" stroke="{GRID}" stroke-width="0.6"/>'
        )
        out.append(
            f'<text class="tick" x="{_n(lay.left - 4)}" y="{_n(y + lay.font / 3)}" text-anchor="end" font-size="{lay.font - 1:g}" '
            f'fill="{INK}">{tick:g}</text>'
        )
    out.append(f'<text class="unit" x="4" y="{_n(lay.top - 10)}" font-size="{lay.font - 1:g}" fill="{INK}">{_t(unit)}</text>')
    return out


def _x_axis(dates: Sequence[date], lay: Layout, x_of: _DateScale) -> list[str]:
    base = lay.top + lay.plot_height
    out = [
        f'<line class="axis" x1="{lay.left:g}" x2="{_n(lay.left + lay.plot_width)}" y1="{_n(base)}" y2="{_n(base)}" stroke="{INK}" stroke-width="0.8"/>'
    ]
    shown = dates if len(dates) <= 5 else [dates[round(i * (len(dates) - 1) / 4)] for i in range(5)]
    for day in dict.fromkeys(shown):
        out.append(
            f'<text class="tick" x="{_n(x_of(day))}" y="{_n(base + 14)}" text-anchor="middle" font-size="{lay.font - 2:g}" '
            f'fill="{INK}">{_t(_day(day))}</text>'
        )
    return out


def _better(better: Better, lay: Layout) -> list[str]:
    """An arrow and words at the top right: which way is better (the words, not the arrow, carry it)."""
    x = lay.width - lay.right
    y = lay.top - 10
    words = "Higher is better" if better == "higher" else "Lower is better"
    tip, tail, back = (y - 6, y + 2, 4) if better == "higher" else (y + 2, y - 6, -4)
    head = f"M{_n(x - 4)} {_n(tip + back)} L{_n(x)} {_n(tip)} L{_n(x + 4)} {_n(tip + back)}"
    return [
        f'<g class="better better-{better}">',
        f'<line x1="{_n(x)}" x2="{_n(x)}" y1="{_n(tail)}" y2="{_n(tip)}" stroke="{INK}" stroke-width="1.4"/>',
        f'<path d="{head}" fill="none" stroke="{INK}" stroke-width="1.4"/>',
        f'<text x="{_n(x - 8)}" y="{_n(y + 2)}" text-anchor="end" font-size="{lay.font - 1:g}" fill="{INK}">{words}</text>',
        "</g>",
    ]


def _legend(labels: Sequence[str], lay: Layout, colours: Sequence[str] = LINE_COLOURS) -> list[str]:
    out = ['<g class="legend">']
    x = lay.left
    y = lay.height - 4
    for n, label in enumerate(labels):
        out.append(f'<rect x="{_n(x)}" y="{_n(y - 8)}" width="10" height="8" fill="{colours[n % len(colours)]}"/>')
        out.append(f'<text x="{_n(x + 13)}" y="{_n(y)}" font-size="{lay.font - 2:g}" fill="{INK}">{_t(label)}</text>')
        x += 24 + 5.5 * len(label)
    out.append("</g>")
    return out


def _ticks(low: float, high: float) -> list[float]:
    """About five round values from ``low`` to ``high``."""
    span = high - low
    if span <= 0:
        return [low]
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100) if span / s <= 6)
    first = low if low % step == 0 else low + step - low % step
    ticks = []
    value = first
    while value <= high + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def _day(day: date) -> str:
    return f"{day.day} {day:%b}"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _t(text: str) -> str:
    return escape(text, quote=False)


def _a(text: str) -> str:
    return escape(text, quote=True)
