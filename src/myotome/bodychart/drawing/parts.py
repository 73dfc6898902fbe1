"""Small builders shared by the front and back drawings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from myotome.bodychart.drawing.body import MID, trunk_x
from myotome.bodychart.drawing.geometry import Frame, Point, dedupe, lerp

Item = dict[str, Any]


def P(d: float, y: float) -> Point:
    """A point ``d`` units lateral of the midline on the viewer's left half."""
    return (MID - d, y)


def Ps(*pairs: tuple[float, float]) -> list[Point]:
    return [P(d, y) for d, y in pairs]


def flank(y: float, v: float = 1.0) -> Point:
    return (trunk_x(y, v), y)


def flank_line(y0: float, y1: float, v: float = 1.0, step: float = 6.0) -> list[Point]:
    n = max(1, round(abs(y1 - y0) / step))
    return [flank(lerp(y0, y1, i / n), v) for i in range(n + 1)]


def strip(frame: Frame, path: Sequence[tuple[float, float]], half: float | Sequence[float]) -> list[Point]:
    """A band of half-width ``half`` (in v) along a path of (u, v) points in a limb."""
    halves = [half] * len(path) if isinstance(half, (int, float)) else list(half)
    one = [frame.at(u, v - h) for (u, v), h in zip(path, halves, strict=True)]
    two = [frame.at(u, v + h) for (u, v), h in zip(path, halves, strict=True)]
    return one + list(reversed(two))


def muscle(
    mid: str,
    points: Iterable[Point],
    *,
    deep: bool = False,
    label: str | None = None,
    covers: Sequence[str] = (),
    sharp: Sequence[int] = (),
) -> Item:
    item: Item = {"id": mid}
    if label:
        item["label"] = label
    if covers:
        item["covers"] = list(covers)
    if deep:
        item["deep"] = True
    item["smooth"] = True
    if sharp:
        item["sharp"] = list(sharp)
    item["points"] = dedupe(list(points))
    return item


def region(rid: str, points: Iterable[Point]) -> Item:
    return {"id": rid, "points": dedupe(list(points))}


def detail(cls: str, points: Iterable[Point], *, midline: bool = False, closed: bool = False, smooth: bool = True) -> Item:
    item: Item = {"class": cls, "points": list(points)}
    if midline:
        item["midline"] = True
    if closed:
        item["closed"] = True
    if not smooth:
        item["smooth"] = False
    return item
