"""The body chart's drawing: read ``data/chart.yaml``, mirror it to both sides, build SVG paths.

``chart.yaml`` holds each view's shapes for one side of the patient only (the front
view for the patient's right, drawn on the viewer's left; the back view for the
patient's left, also on the viewer's left) and this module mirrors every one of them
about the midline for the other side. Shapes are keyed by knowledge-base ids::

    chart = load_chart()
    [(s.kind, s.id, s.side) for s in chart.views["front"].shapes][:2]
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data" / "chart.yaml"
VIEWS = ("front", "back")
SIDES = ("left", "right")
KINDS = ("muscle", "region")

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Shape:
    """One drawn muscle or skin zone on one side of the patient."""

    kind: str  # "muscle" | "region"
    id: str  # KB muscle (or muscle group) id, or KB region id
    side: str  # "left" | "right": the patient's side
    points: tuple[Point, ...]
    d: str  # SVG path data
    centroid: Point
    area: float
    covers: tuple[str, ...]  # muscle ids the shape stands for (itself, or a group's members)
    deep: bool = False  # lies under another muscle drawn here: shown with a dashed edge
    label: str | None = None  # display name when the KB name is not what the shape shows

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.side}-{self.id}"


@dataclass(frozen=True, slots=True)
class Detail:
    """A non-interactive line or fill: the silhouette's inner landmarks (clavicle, navel, spine)."""

    cls: str
    d: str


@dataclass(frozen=True, slots=True)
class View:
    name: str
    authored_side: str
    outline: str  # path of the whole silhouette (both sides)
    outline_points: tuple[Point, ...]
    insets: tuple[str, ...]  # extra silhouettes, e.g. the soles on the back view
    inset_points: tuple[tuple[Point, ...], ...]
    details: tuple[Detail, ...]
    shapes: tuple[Shape, ...]
    levels: Mapping[str, float]  # spinal level -> y of its spinous process (back view)
    captions: tuple[tuple[str, float, float], ...]  # (text, x, y) printed on the chart

    def shape(self, kind: str, shape_id: str, side: str) -> Shape | None:
        return next((s for s in self.shapes if s.kind == kind and s.id == shape_id and s.side == side), None)


@dataclass(frozen=True, slots=True)
class Chart:
    version: str
    width: float
    height: float
    mirror_x: float
    views: Mapping[str, View]


@functools.cache
def load_chart(path: Path | None = None) -> Chart:
    """The packaged chart (cached); ``path`` reads another file, e.g. in a test."""
    raw = yaml.load((path or DATA).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    meta = raw["meta"]
    _, _, width, height = (float(n) for n in meta["viewbox"])
    axis = float(meta["mirror_x"])
    views = {name: _view(name, raw["views"][name], axis) for name in VIEWS}
    return Chart(version=str(meta["version"]), width=width, height=height, mirror_x=axis, views=views)


def _view(name: str, raw: Mapping[str, Any], axis: float) -> View:
    authored = raw["authored_side"]
    other = "left" if authored == "right" else "right"
    half = _points(raw["outline"])
    whole = [*half, *reversed(mirror(half, axis))]
    outline = smooth_path(whole)
    inset_points = tuple(tuple(pts) for inset in raw.get("insets", ()) for pts in (_points(inset), mirror(_points(inset), axis)))
    insets = tuple(smooth_path(pts) for pts in inset_points)
    details: list[Detail] = []
    for item in raw.get("details", ()):
        pts = _points(item["points"])
        copies = [pts] if item.get("midline") else [pts, mirror(pts, axis)]
        for copy in copies:
            d = (
                smooth_path(copy, closed=item.get("closed", False))
                if item.get("smooth", True)
                else polygon_path(copy, closed=item.get("closed", False))
            )
            details.append(Detail(item["class"], d))
    shapes: list[Shape] = []
    for kind, key in (("region", "regions"), ("muscle", "muscles")):
        for item in raw.get(key, ()):
            pts = _points(item["points"])
            for side, copy in ((authored, pts), (other, mirror(pts, axis))):
                shapes.append(_shape(kind, item, side, copy))
    captions = tuple((str(c["text"]), float(c["x"]), float(c["y"])) for c in raw.get("captions", ()))
    levels = {str(k): float(v) for k, v in (raw.get("levels") or {}).items()}
    return View(name, authored, outline, tuple(whole), insets, inset_points, tuple(details), tuple(shapes), levels, captions)


def _shape(kind: str, item: Mapping[str, Any], side: str, pts: list[Point]) -> Shape:
    sharp = frozenset(item.get("sharp", ()))
    d = smooth_path(pts, sharp=sharp) if item.get("smooth", False) else polygon_path(pts)
    return Shape(
        kind=kind,
        id=item["id"],
        side=side,
        points=tuple(pts),
        d=d,
        centroid=centroid(pts),
        area=abs(signed_area(pts)),
        covers=tuple(item.get("covers", (item["id"],))),
        deep=bool(item.get("deep", False)),
        label=item.get("label"),
    )


def inside(point: Point, polygon: Sequence[Point]) -> bool:
    """Whether ``point`` lies inside ``polygon`` (even-odd rule)."""
    x, y = point
    result = False
    for (x0, y0), (x1, y1) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            result = not result
    return result


def _points(raw: Iterable[Sequence[float]]) -> list[Point]:
    return [(float(p[0]), float(p[1])) for p in raw]


def mirror(points: Iterable[Point], axis: float) -> list[Point]:
    return [(2 * axis - x, y) for x, y in points]


def signed_area(pts: Sequence[Point]) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, [*pts[1:], pts[0]], strict=True))


def centroid(pts: Sequence[Point]) -> Point:
    """Area centroid of a simple polygon (the vertex mean if it has no area)."""
    a = signed_area(pts)
    if abs(a) < 1e-9:
        return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(pts, [*pts[1:], pts[0]], strict=True):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return (cx / (6 * a), cy / (6 * a))


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def polygon_path(pts: Sequence[Point], closed: bool = True) -> str:
    body = " ".join(f"{_n(x)} {_n(y)}" for x, y in pts)
    return f"M{body}{'Z' if closed else ''}"


def control_points(
    pts: Sequence[Point], closed: bool = True, sharp: frozenset[int] = frozenset()
) -> list[tuple[Point, Point, Point, Point]]:
    """Cubic Bézier segments of the Catmull-Rom spline through ``pts``.

    Each curve lies within the hull of its four points, so a shape whose control points
    are inside the view box is drawn inside it. Points listed in ``sharp`` stay corners.
    """
    n = len(pts)
    segments = []
    last = n if closed else n - 1
    for i in range(last):
        p0, p1 = pts[(i - 1) % n] if (closed or i > 0) else pts[i], pts[i]
        p2 = pts[(i + 1) % n]
        p3 = pts[(i + 2) % n] if (closed or i + 2 < n) else p2
        c1 = p1 if i in sharp else (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = p2 if (i + 1) % n in sharp else (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        segments.append((p1, c1, c2, p2))
    return segments


def smooth_path(pts: Sequence[Point], closed: bool = True, sharp: frozenset[int] = frozenset()) -> str:
    if len(pts) < 3:
        return polygon_path(pts, closed)
    segs = control_points(pts, closed, sharp)
    out = [f"M{_n(pts[0][0])} {_n(pts[0][1])}"]
    out += [f"C{_n(c1[0])} {_n(c1[1])} {_n(c2[0])} {_n(c2[1])} {_n(p2[0])} {_n(p2[1])}" for _, c1, c2, p2 in segs]
    return "".join(out) + ("Z" if closed else "")
