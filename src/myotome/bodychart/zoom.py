"""Body regions the chart zooms to, and the region a complaint opens it at.

Each zoom is a box per view (``data/zooms.yaml``) drawn for one side of the patient; the other
side is its mirror image. A complaint's regions choose the zoom whose boxes hold them::

    zoom_for(["lateral_elbow"])            # 'forearm_hand'
    view_box("forearm_hand", "back", "right")  # (x, y, width, height) in chart units
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from myotome.bodychart.chart import VIEWS, load_chart

DATA = Path(__file__).parent / "data" / "zooms.yaml"
WHOLE = "whole"

Box = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Zoom:
    id: str
    label: str
    short: str  # the button's text
    boxes: Mapping[str, Box]  # view -> box drawn for the view's authored side
    sided: bool  # a limb: the box follows the chosen side
    regions: tuple[str, ...]  # KB regions not drawn on the chart that open this zoom


@functools.cache
def load_zooms(path: Path | None = None) -> dict[str, Zoom]:
    """The zooms in button order, ``whole`` first (cached)."""
    raw = yaml.safe_load((path or DATA).read_text(encoding="utf-8"))
    out: dict[str, Zoom] = {}
    for key, item in raw["zooms"].items():
        boxes: dict[str, Box] = {}
        for view in VIEWS:
            x, y, w, h = (float(n) for n in item["boxes"][view])
            boxes[view] = (x, y, w, h)
        out[key] = Zoom(
            key, item["label"], item.get("short", item["label"]), boxes, bool(item.get("sided", False)), tuple(item.get("regions", ()))
        )
    if WHOLE not in out:
        raise ValueError(f"{path or DATA}: a '{WHOLE}' zoom is required")
    return out


def view_box(zoom: str, view: str, side: str = "right") -> Box:
    """The box of ``zoom`` on ``view`` for the patient's ``side`` (mirrored from the authored side)."""
    zooms = load_zooms()
    if zoom not in zooms:
        raise ValueError(f"unknown zoom {zoom!r}; use one of {', '.join(zooms)}")
    x, y, w, h = zooms[zoom].boxes[view]
    chart = load_chart()
    if zooms[zoom].sided and side in ("left", "right") and side != chart.views[view].authored_side:
        x = 2 * chart.mirror_x - x - w
    return (x, y, w, h)


def _inside(point: tuple[float, float], box: Box) -> bool:
    x, y, w, h = box
    return x <= point[0] <= x + w and y <= point[1] <= y + h


@functools.cache
def _region_zoom() -> dict[str, str]:
    """KB region id -> the smallest zoom whose box holds the region's drawn centre (either view)."""
    zooms = load_zooms()
    chart = load_chart()
    out: dict[str, str] = {}
    by_size = sorted((z for z in zooms.values() if z.id != WHOLE), key=lambda z: z.boxes["front"][2] * z.boxes["front"][3])
    for view in VIEWS:
        for shape in chart.views[view].shapes:
            if shape.kind != "region" or shape.side != chart.views[view].authored_side or shape.id in out:
                continue
            out[shape.id] = next((z.id for z in by_size if _inside(shape.centroid, z.boxes[view])), WHOLE)
    for zoom in zooms.values():
        out.update(dict.fromkeys(zoom.regions, zoom.id))
    return out


def zoom_for(regions: Iterable[str]) -> str:
    """The zoom a complaint over ``regions`` (KB region ids) opens the chart at: the one most of
    them fall in, ``whole`` for none, for unknown ids only, or for a tie between regions.

    zoom_for(["lateral_elbow", "lateral_forearm"])  # 'forearm_hand'
    zoom_for(["low_back", "thumb"])                 # 'whole'
    """
    table = _region_zoom()
    counts = Counter(table[r] for r in regions if r in table)
    if not counts:
        return WHOLE
    ranked = counts.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return WHOLE
    return ranked[0][0]
