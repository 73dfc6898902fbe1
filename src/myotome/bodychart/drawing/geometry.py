"""Plane geometry for drawing the chart: limb frames and small vector helpers.

A limb is drawn along a bent centre line (shoulder -> elbow -> wrist -> fingertip) with
a half-width on each side that changes along it. A point on the limb is written in the
limb's own coordinates ``(u, v)``: ``u`` runs along the centre line (0 at the top
station, 1 at the next, ...), ``v`` runs across it from -1 (the lateral edge) through 0
(the centre line) to +1 (the medial edge). Muscles and skin zones authored this way
follow the limb wherever it bends, and their edges meet the silhouette exactly.

Everything here works on the viewer's left half of the chart (x < 200), where the
medial direction is +x; the renderer mirrors it to the other side.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Point = tuple[float, float]


def lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def interp(table: Sequence[tuple[float, float]], x: float) -> float:
    """Piecewise-linear look-up in a table of ``(x, value)`` rows sorted by x, clamped at the ends."""
    xs = [row[0] for row in table]
    if x <= xs[0]:
        return table[0][1]
    if x >= xs[-1]:
        return table[-1][1]
    i = bisect_right(xs, x) - 1
    (x0, y0), (x1, y1) = table[i], table[i + 1]
    return lerp(y0, y1, (x - x0) / (x1 - x0))


@dataclass(frozen=True)
class Frame:
    """A limb: centre-line stations at u = 0, 1, 2, ... and half-width tables over u."""

    stations: tuple[Point, ...]
    lateral: tuple[tuple[float, float], ...]  # (u, half-width towards the lateral side)
    medial: tuple[tuple[float, float], ...]  # (u, half-width towards the medial side)
    bend: float = 0.22  # how far either side of a point the tangent is taken: rounds the joints

    def centre(self, u: float) -> Point:
        last = len(self.stations) - 1
        # Beyond either end the first or last segment is extended in a straight line.
        i = min(max(math.floor(u), 0), last - 1)
        t = u - i
        (x0, y0), (x1, y1) = self.stations[i], self.stations[i + 1]
        return (lerp(x0, x1, t), lerp(y0, y1, t))

    def normal(self, u: float) -> Point:
        """Unit vector from the centre line towards the medial edge."""
        a = self.centre(u - self.bend)
        b = self.centre(u + self.bend)
        tx, ty = b[0] - a[0], b[1] - a[1]
        n = math.hypot(tx, ty)
        tx, ty = tx / n, ty / n
        # Going down the viewer's left half, (ty, -tx) points to +x: towards the midline.
        return (ty, -tx)

    def at(self, u: float, v: float) -> Point:
        cx, cy = self.centre(u)
        nx, ny = self.normal(u)
        w = interp(self.medial, u) if v > 0 else interp(self.lateral, u)
        return (cx + nx * v * w, cy + ny * v * w)

    def edge(self, v: float, u0: float, u1: float, step: float = 0.04) -> list[Point]:
        """Points along the line of constant ``v`` from ``u0`` to ``u1`` (either direction)."""
        n = max(1, math.ceil(abs(u1 - u0) / step))
        return [self.at(lerp(u0, u1, i / n), v) for i in range(n + 1)]

    def shape(self, uv: Iterable[Point]) -> list[Point]:
        return [self.at(u, v) for u, v in uv]

    def band(self, u0: float, u1: float, v0: float, v1: float, step: float = 0.04) -> list[Point]:
        """The quadrilateral-like patch u0..u1 by v0..v1, with its long sides following the limb."""
        return self.edge(v0, u0, u1, step) + self.edge(v1, u1, u0, step)


def ellipse(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 12) -> list[Point]:
    """Points on an ellipse from angle a0 to a1 (degrees, 0 = +x, 90 = +y: down the page)."""
    out = []
    for i in range(n + 1):
        a = math.radians(lerp(a0, a1, i / n))
        out.append((cx + rx * math.cos(a), cy + ry * math.sin(a)))
    return out


def rounded(points: Iterable[Point], digits: int = 1) -> list[list[float]]:
    return [[round(x, digits), round(y, digits)] for x, y in points]


def dedupe(points: Sequence[Point], tolerance: float = 0.25) -> list[Point]:
    """Drop points closer than ``tolerance`` to the previous one (and a closing duplicate)."""
    out: list[Point] = []
    for p in points:
        if not out or math.dist(p, out[-1]) > tolerance:
            out.append(p)
    if len(out) > 2 and math.dist(out[0], out[-1]) <= tolerance:
        out.pop()
    return out
