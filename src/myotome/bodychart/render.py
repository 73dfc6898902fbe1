"""The body chart as an accessible inline SVG string (pure Python, no Django).

Every muscle and skin zone is a focusable ``<path role="button">`` carrying its KB id,
the patient's side and a spoken label; marks colour it (tender band severity 1-3, skin
and sensory signs) and the plan's steps appear as numbered circles::

    svg = render_chart("back", {"muscles": [{"muscle_id": "infraspinatus", "side": "right", "severity": 2}]})
    svg = render_chart("front", layer="dermatomes")

A page served under a Content-Security-Policy that refuses inline styles renders with
``inline_styles=False`` and links the rules of ``stylesheet()`` instead::

    svg = render_chart("front", layer="dermatomes", id_prefix="zones", inline_styles=False)
    css = stylesheet({"dermatomes": "zones"})
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from html import escape
from string import Template
from typing import Any, Literal

from myotome.bodychart import paint
from myotome.bodychart.chart import VIEWS, Chart, Point, Shape, View, inside, load_chart
from myotome.bodychart.marks import Marks, PlanMark, normalize
from myotome.kb import KnowledgeBase, load_kb

Layer = Literal["muscles", "dermatomes", "both"]
LAYERS = ("muscles", "dermatomes", "both")

# Primary dermatome -> zone fill. Neighbouring segments alternate in lightness so bands stay apart.
DERMATOME_FILL = {
    "CN V1": "#e6e2ef",
    "CN V2": "#d9d3e8",
    "CN V3": "#ccc4df",
    "C2": "#cfdcf1",
    "C3": "#aec7ea",
    "C4": "#c4d9f3",
    "C5": "#9fc0e6",
    "C6": "#8fd0dc",
    "C7": "#b9e2e8",
    "C8": "#7fc4c9",
    "T1": "#bfe3c9",
    "T2": "#d9efc9",
    "T3": "#c2e3a9",
    "T4": "#dcedbd",
    "T5": "#c8e6a3",
    "T6": "#e3f1c3",
    "T7": "#eef0b2",
    "T8": "#e5e39b",
    "T9": "#f3f0c4",
    "T10": "#e8db8f",
    "T11": "#f5e9bb",
    "T12": "#eedb9f",
    "L1": "#fbd9b4",
    "L2": "#f7c392",
    "L3": "#fbe0c4",
    "L4": "#f3b27f",
    "L5": "#f8cba1",
    "S1": "#f2bccb",
    "S2": "#e9a8bb",
    "S3": "#f6d0dc",
    "S4": "#dfb8dc",
    "S5": "#ebcde8",
}
# A zone whose primary dermatome has no colour of its own.
FALLBACK_FILL = "#e4e4e4"

# The marks' colours ($names) come from myotome.bodychart.paint.
STYLE = Template("""
.bc-body{fill:#f6f0ea;stroke:#8d7b6e;stroke-width:1.1}
.bc-detail{fill:none;stroke:#b3a194;stroke-width:.7;stroke-linecap:round}
.bc-detail-fill{fill:#b3a194;stroke:none}
.bc-shape{cursor:pointer;stroke-linejoin:round}
.bc-shape:focus{outline:none}
.bc-muscle{fill:#e6cfc5;stroke:#a88677;stroke-width:.6}
.bc-muscle.bc-deep{fill:#efe0d9;stroke-dasharray:2 1.3}
.bc-layer-both .bc-muscle{fill:#fff;fill-opacity:.3;stroke:#8f6f62}
.bc-region{stroke:#fff;stroke-width:.6}
.bc-layer-both .bc-region{fill-opacity:.85}
.bc-muscle.bc-sev1{fill:$sev1;fill-opacity:1}
.bc-muscle.bc-sev2{fill:$sev2;fill-opacity:1}
.bc-muscle.bc-sev3{fill:$sev3;fill-opacity:1}
.bc-region.bc-skin{fill:#9a7cc8;fill-opacity:1}
.bc-region.bc-sensory{fill:#4f97cf;fill-opacity:1}
.bc-region.bc-skin.bc-sensory{fill:url(#PFX-both)}
.bc-shape:hover{stroke:#1d4f91;stroke-width:1.2}
.bc-shape:focus-visible,.bc-shape:focus{stroke:#0b57d0;stroke-width:2;stroke-dasharray:none}
.bc-spine{fill:none;stroke:#9c8a7d;stroke-width:.8}
.bc-level{fill:#8d7b6e}
.bc-level-text{font:600 6.5px system-ui,sans-serif;fill:#6d5d52}
.bc-level-mark{stroke-width:2.2;stroke-linecap:round}
.bc-level-tender{stroke:$tender}
.bc-level-thickened{stroke:$thickened}
.bc-zone-text{font:600 6px system-ui,sans-serif;fill:#3d4650;pointer-events:none}
.bc-plan circle{fill:#17365d;stroke:#fff;stroke-width:1.2}
.bc-plan-leader{stroke:#17365d;stroke-width:1}
.bc-plan text{font:700 7.5px system-ui,sans-serif;fill:#fff;text-anchor:middle;dominant-baseline:central}
.bc-caption{font:700 15px system-ui,sans-serif;fill:#6d5d52;text-anchor:middle}
.bc-caption-small{font:500 8px system-ui,sans-serif;fill:#8d7b6e;text-anchor:middle}
""").substitute(sev1=paint.SEVERITY_FILL[1], sev2=paint.SEVERITY_FILL[2], sev3=paint.SEVERITY_FILL[3], **paint.LEVEL_STROKE)


@functools.cache
def _kb() -> KnowledgeBase:
    return load_kb()


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:] if name[1:2].islower() or name[1:2] == " " or len(name) == 1 else name


@functools.cache
def _names(kb_id: int) -> dict[tuple[str, str], tuple[str, str, str]]:
    """(kind, id) -> (name for speech, extra title line, primary dermatome). ``kb_id`` keys the cache."""
    kb = _kb()
    chart = load_chart()
    out: dict[tuple[str, str], tuple[str, str, str]] = {}
    for view in chart.views.values():
        for s in view.shapes:
            if (s.kind, s.id) in out:
                continue
            if s.kind == "region":
                region = kb.regions[s.id]
                derm = ", ".join(region.dermatomes)
                word = "dermatome" if len(region.dermatomes) == 1 else "dermatomes"
                out[(s.kind, s.id)] = (f"{_lower_first(s.label or region.name)}, {word} {derm}", "", region.dermatomes[0])
            else:
                record = kb.muscles.get(s.id) or kb.groups[s.id]
                roots = ""
                if s.id in kb.muscles:
                    r = kb.muscles[s.id].roots
                    roots = "Roots " + ", ".join(r.main) + (f" (minor {', '.join(r.minor)})" if r.minor else "")
                else:
                    roots = "Includes " + ", ".join(kb.muscles[c].name.lower() for c in s.covers if c in kb.muscles)
                out[(s.kind, s.id)] = (_lower_first(s.label or record.name), roots, "")
    return out


def _state(shape: Shape, marks: Marks, plan_orders: Sequence[int]) -> tuple[list[str], list[str]]:
    """CSS classes and spoken words for a shape's marks."""
    classes: list[str] = []
    words: list[str] = []
    if shape.kind == "muscle":
        sev = max((marks.severity.get((i, shape.side), 0) for i in {shape.id, *shape.covers}), default=0)
        if sev:
            classes += ["bc-tender", f"bc-sev{sev}"]
            words.append(f"tender band severity {sev}")
    else:
        key = (shape.id, shape.side)
        skin = marks.skin.get(key, ())
        if skin:
            classes.append("bc-skin")
            words += [s.replace("_", " ") for s in skin]
        change = marks.sensory.get(key)
        if change:
            classes += ["bc-sensory", f"bc-sensory-{change}"]
            words.append(f"{change} sensation")
    if plan_orders:
        classes.append("bc-planned")
        words.append(("plan step " if len(plan_orders) == 1 else "plan steps ") + ", ".join(str(o) for o in plan_orders))
    return classes, words


def _x_span(points: Sequence[Point], y: float) -> tuple[float, float] | None:
    """Leftmost and rightmost x where the horizontal line at ``y`` crosses the polygon."""
    xs = []
    for (x0, y0), (x1, y1) in zip(points, [*points[1:], points[0]], strict=True):
        if (y0 <= y < y1) or (y1 <= y < y0):
            xs.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    return (min(xs), max(xs)) if xs else None


def _plan_position(shape: Shape, mark: PlanMark, view: View, axis: float) -> tuple[Point, Point | None]:
    """Where a step's marker goes, and the point a leader line joins it to (for a spinal level).

    A step at a level sits just lateral of its paraspinal strip, level with the spinous
    process or interspace, so the level labels on the midline stay readable; where the
    strip ends short of the level (multifidus at C7-T1), the leader joins its nearest end.
    """
    if mark.level and mark.level in view.levels:
        y = view.levels[mark.level]
        ys = [p[1] for p in shape.points]
        at = min(max(y, min(ys) + 0.5), max(ys) - 0.5)
        span = _x_span(shape.points, at)
        if span:
            outward = -1.0 if shape.centroid[0] < axis else 1.0
            edge = span[0] if outward < 0 else span[1]
            return (edge + outward * 9.0, y), ((span[0] + span[1]) / 2, at)
    return shape.centroid, None


def _f(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def render_chart(
    view: str,
    marks: Mapping[str, Any] | None = None,
    *,
    layer: Layer = "muscles",
    id_prefix: str = "bc",
    inline_styles: bool = True,
) -> str:
    """Inline SVG of one view with its marks; ``layer`` picks muscles, dermatome zones or both.

    svg = render_chart("front", {"plan": [{"order": 1, "muscle_id": "biceps_brachii", "side": "left"}]})
    svg = render_chart("back", layer="both")

    With ``inline_styles=False`` the SVG has no ``<style>`` element and no ``style``
    attribute, for a page whose CSP refuses inline styles: every skin zone, marked or not,
    carries its dermatome colour as a ``bc-fill-<hex>`` class (so a script that clears a
    mark shows the zone's own colour again), and the page links ``stylesheet()``.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; use 'front' or 'back'")
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; use 'muscles', 'dermatomes' or 'both'")
    chart = load_chart()
    v = chart.views[view]
    m = normalize(marks)
    kb = _kb()
    names = _names(id(kb))
    pfx = f"{escape(id_prefix)}-{view}"
    kinds = {"muscles": ("muscle",), "dermatomes": ("region",), "both": ("region", "muscle")}[layer]

    # Plan steps drawn on this view: each on the first shape that stands for its muscle.
    plan_at: dict[str, list[PlanMark]] = {}
    if "muscle" in kinds:
        for pm in m.plan:
            target = next(
                (s for s in v.shapes if s.kind == "muscle" and s.side == pm.side and (pm.muscle_id == s.id or pm.muscle_id in s.covers)),
                None,
            )
            if target is not None:
                plan_at.setdefault(target.key, []).append(pm)

    right_of_viewer = "left" if view == "front" else "right"
    title = f"Body chart, {view} view"
    desc = (
        f"{'Front' if view == 'front' else 'Back'} of the body: the patient's right side is on the viewer's "
        f"{'left' if view == 'front' else 'right'}. Showing {'muscles' if layer == 'muscles' else 'skin zones with their dermatomes' if layer == 'dermatomes' else 'skin zones and muscles'}."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(chart.width)} {_f(chart.height)}" role="group" '
        f'aria-labelledby="{pfx}-title" aria-describedby="{pfx}-desc" class="bc-chart bc-{view} bc-layer-{layer}" data-view="{view}">',
        f'<title id="{pfx}-title">{escape(title)}</title><desc id="{pfx}-desc">{escape(desc)}</desc>',
        *(["<style>" + STYLE.replace("PFX", pfx).replace("\n", "") + "</style>"] if inline_styles else []),
        f'<defs><clipPath id="{pfx}-clip"><path d="{v.outline}"/>' + "".join(f'<path d="{d}"/>' for d in v.insets) + "</clipPath>"
        f'<pattern id="{pfx}-both" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="5" height="5" fill="#4f97cf"/><rect width="2.5" height="5" fill="#9a7cc8"/></pattern></defs>',
        f'<g class="bc-silhouette" aria-hidden="true"><path class="bc-body" d="{v.outline}"/>'
        + "".join(f'<path class="bc-body" d="{d}"/>' for d in v.insets)
        + "</g>",
    ]
    details = "".join(f'<path class="bc-{d.cls}" d="{d.d}"/>' for d in v.details)
    for kind in kinds:
        group = "bc-regions" if kind == "region" else "bc-muscles"
        if kind == "muscle" and details:
            out.append(f'<g class="bc-details" aria-hidden="true">{details}</g>')
        clip = f' clip-path="url(#{pfx}-clip)"' if kind == "region" else ""
        out.append(f'<g class="{group}"{clip}>')
        for side in ("right", "left"):
            out.append(f'<g role="group" aria-label="Patient\'s {side} side, {"muscles" if kind == "muscle" else "skin zones"}">')
            for s in v.shapes:
                if s.kind != kind or s.side != side:
                    continue
                out.append(_shape(s, m, names, pfx, [p.order for p in plan_at.get(s.key, ())], inline_styles))
            out.append("</g>")
        out.append("</g>")
    if "muscle" not in kinds and details:
        out.append(f'<g class="bc-details" aria-hidden="true">{details}</g>')
    if kinds == ("region",):
        out.append(_zone_texts(v, names))
    if v.levels:
        out.append(_levels(v, m, chart.mirror_x))
    out.append(_plan_markers(v, plan_at, chart.mirror_x))
    out.append(_captions(v, right_of_viewer, chart))
    out.append("</svg>")
    return "".join(out)


def _fill_class(colour: str) -> str:
    return "bc-fill-" + colour.lstrip("#").lower()


def _shape(
    s: Shape,
    m: Marks,
    names: Mapping[tuple[str, str], tuple[str, str, str]],
    pfx: str,
    plan_orders: Sequence[int],
    inline_styles: bool = True,
) -> str:
    name, extra, derm = names[(s.kind, s.id)]
    classes, words = _state(s, m, plan_orders)
    label = ", ".join([f"{s.side.capitalize()} {name}", *words])
    tip = label + (f". {extra}" if extra else "")
    fill = ""
    if s.kind == "region":
        colour = DERMATOME_FILL.get(derm, FALLBACK_FILL)
        if not inline_styles:
            # Always, marked or not: the mark's rules outrank it, and it shows again once a mark is cleared.
            classes = [*classes, _fill_class(colour)]
        elif not classes:
            fill = f' style="fill:{colour}"'
    cls = " ".join(["bc-shape", f"bc-{s.kind}", *(["bc-deep"] if s.deep else []), *classes])
    covers = " ".join(s.covers)
    return (
        f'<path id="{pfx}-{s.key}" class="{cls}" data-kind="{s.kind}" data-id="{escape(s.id)}" data-side="{s.side}" '
        f'data-covers="{escape(covers)}" tabindex="0" role="button" aria-label="{escape(label)}"{fill} d="{s.d}">'
        f"<title>{escape(tip)}</title></path>"
    )


@functools.cache
def _zone_text_keys(view: str) -> frozenset[str]:
    """Keys of the zones big enough for their dermatome label and centred on the body: the
    point-in-polygon tests run once per view, not on every chart drawn (issue 12)."""
    v = load_chart().views[view]
    return frozenset(
        s.key
        for s in v.shapes
        if s.kind == "region"
        and s.area >= 330
        and (inside(s.centroid, v.outline_points) or any(inside(s.centroid, i) for i in v.inset_points))
    )


def zone_text_shapes(v: View) -> list[Shape]:
    """The zones that carry their primary dermatome as a label, in drawing order."""
    keys = _zone_text_keys(v.name)
    return [s for s in v.shapes if s.key in keys]


def _zone_texts(v: View, names: Mapping[tuple[str, str], tuple[str, str, str]]) -> str:
    out = ['<g class="bc-zone-texts" aria-hidden="true">']
    for s in zone_text_shapes(v):
        text = names[(s.kind, s.id)][2]
        x, y = s.centroid
        out.append(f'<text class="bc-zone-text" x="{_f(x)}" y="{_f(y + 2)}" text-anchor="middle">{escape(text)}</text>')
    out.append("</g>")
    return "".join(out)


def _levels(v: View, m: Marks, axis: float) -> str:
    """Spinous processes on the back view's midline, every vertebra dotted, a few labelled;
    a paraspinal sign is a tick at its vertebra or interspace (halfway between two dots)."""
    labelled = {"C2", "C4", "C7", "T1", "T4", "T8", "T12", "L1", "L3", "L5", "S1"}
    ys = list(v.levels.values())
    out = [f'<g class="bc-levels" aria-hidden="true"><path class="bc-spine" d="M{_f(axis)} {_f(min(ys) - 4)}V{_f(max(ys) + 6)}"/>']
    for level, y in v.levels.items():
        if "-" in level:
            continue  # an interspace: no spinous process to dot
        r = 1.6 if level in labelled else 1.0
        out.append(f'<circle class="bc-level" cx="{_f(axis)}" cy="{_f(y)}" r="{r}"/>')
        if level in labelled:
            out.append(f'<text class="bc-level-text" x="{_f(axis + 3)}" y="{_f(y - 1.5)}">{level}</text>')
    for (level, side), sign in m.levels.items():
        if level not in v.levels:
            continue
        y = v.levels[level]
        # Back view: the patient's right is on the viewer's right.
        x0, x1 = (axis + 2.5, axis + 11) if side == "right" else (axis - 11, axis - 2.5)
        out.append(f'<path class="bc-level-mark bc-level-{sign}" d="M{_f(x0)} {_f(y)}H{_f(x1)}"/>')
    out.append("</g>")
    return "".join(out)


def _plan_markers(v: View, plan_at: Mapping[str, Sequence[PlanMark]], axis: float) -> str:
    shapes = {s.key: s for s in v.shapes}
    placed: list[Point] = []
    out = ['<g class="bc-plan" aria-hidden="true">']
    for key, marks in plan_at.items():
        shape = shapes[key]
        for pm in marks:
            (x, y), anchor = _plan_position(shape, pm, v, axis)
            outward = -1.0 if shape.centroid[0] < axis else 1.0
            while any(math.dist((x, y), p) < 12.4 for p in placed):
                if anchor is None:
                    y += 12.5
                else:
                    x += outward * 12.5
            placed.append((x, y))
            leader = f'<path class="bc-plan-leader" d="M{_f(anchor[0])} {_f(anchor[1])}L{_f(x)} {_f(y)}"/>' if anchor else ""
            out.append(
                f'<g class="bc-plan-marker" data-order="{pm.order}">{leader}<circle cx="{_f(x)}" cy="{_f(y)}" r="6.2"/><text x="{_f(x)}" y="{_f(y)}">{pm.order}</text></g>'
            )
    out.append("</g>")
    return "".join(out)


def _captions(v: View, right_of_viewer: str, chart: Chart) -> str:
    left_letter, right_letter = ("R", "L") if right_of_viewer == "left" else ("L", "R")
    out = ['<g class="bc-captions" aria-hidden="true">']
    out.append(
        f'<text class="bc-caption" x="22" y="34">{left_letter}</text><text class="bc-caption" x="{_f(chart.width - 22)}" y="34">{right_letter}</text>'
    )
    out.append(f'<text class="bc-caption-small" x="{_f(chart.width / 2)}" y="12">{"FRONT" if v.name == "front" else "BACK"}</text>')
    for text, x, y in v.captions:
        out.append(f'<text class="bc-caption-small" x="{_f(x)}" y="{_f(y)}">{escape(text)}</text>')
    out.append("</g>")
    return "".join(out)


_CSS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def stylesheet(prefixes: str | Mapping[str, str] = "bc") -> str:
    """The CSS ``render_chart`` inlines, for charts drawn with ``inline_styles=False``.

    ``prefixes`` is the ``id_prefix`` the page renders charts with: one for every layer,
    or per layer (a layer left out gets no rules naming a chart's ids). A rule that names a
    chart's own ids (the hatching of a zone with both a skin and a sensory sign) is written
    once per view and layer, scoped by the chart root's ``bc-<view>`` and ``bc-layer-<layer>``
    classes; a ``bc-fill-<hex>`` rule follows for every zone colour. One rule a line::

        css = stylesheet({"muscles": "muscles", "dermatomes": "dermatomes", "both": "both"})
    """
    by_layer = dict.fromkeys(LAYERS, prefixes) if isinstance(prefixes, str) else dict(prefixes)
    for layer, prefix in by_layer.items():
        if layer not in LAYERS:
            raise ValueError(f"unknown layer {layer!r}; use 'muscles', 'dermatomes' or 'both'")
        if not _CSS_NAME.fullmatch(prefix):
            raise ValueError(f"id prefix {prefix!r} cannot be named in CSS; use letters, digits, '-' and '_'")
    rules: list[str] = []
    for line in STYLE.strip().splitlines():
        if "PFX" not in line:
            rules.append(line)
            continue
        selector, _, body = line.partition("{")
        for layer in (name for name in LAYERS if name in by_layer):
            for view in VIEWS:
                scoped = ",".join(f".bc-{view}.bc-layer-{layer} {part.strip()}" for part in selector.split(","))
                rules.append(scoped + "{" + body.replace("PFX", f"{by_layer[layer]}-{view}"))
    rules += [f".{_fill_class(c)}{{fill:{c}}}" for c in _fill_colours()]
    return "\n".join(rules) + "\n"


def _fill_colours() -> list[str]:
    """Every colour a zone can be filled with, lower case."""
    return sorted({*(c.lower() for c in DERMATOME_FILL.values()), FALLBACK_FILL.lower()})


def chart_ids(view: str | None = None) -> dict[str, dict[str, tuple[str, ...]]]:
    """Every muscle id and region id drawn, per view (muscle ids include a group shape's members).

    chart_ids()["back"]["muscles"]  # ('anconeus', 'biceps_femoris_long_head', ...)
    chart_ids("front")["front"]["regions"]
    """
    chart = load_chart()
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for name in [view] if view else VIEWS:
        if name not in VIEWS:
            raise ValueError(f"unknown view {name!r}; use 'front' or 'back'")
        shapes = chart.views[name].shapes
        out[name] = {
            "muscles": tuple(sorted({i for s in shapes if s.kind == "muscle" for i in (s.id, *s.covers)})),
            "regions": tuple(sorted({s.id for s in shapes if s.kind == "region"})),
        }
    return out
