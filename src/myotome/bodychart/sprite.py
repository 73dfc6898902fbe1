"""The chart for web pages: its artwork once, in a cacheable sprite, and a light page SVG of ``<use>``.

``sprite_svg()`` is a static SVG file holding every view's silhouette, details, captions and
spine, and one element per muscle and skin zone (per side) with its geometry and no paint of
its own. ``page_svg()`` draws one view for a page as a ``<use>`` per target pointing into that
file: the ``<use>`` carries the target's spoken label and mark classes (a read-only chart's also
its KB id and side; an interactive one's are in its href, ``target_ref``), and its
fill and stroke (set by the page's stylesheet, ``page_stylesheet()``) inherit into the shape::

    href = "/static/exams/" + sprite_name()
    svg = page_svg("back", {"muscles": [{"muscle_id": "supinator", "side": "right", "severity": 2}]}, sprite=href)

A shape too small to be a 24 x 24 CSS px target (WCAG 2.2, 2.5.8) at its zoom on the
narrowest view a 1024 x 768 screen draws (``VIEW_PX``) gets an invisible hit area of that size;
targets are drawn largest first so that no small shape lies under a larger one.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from html import escape
from string import Template
from typing import Any

from myotome.bodychart import paint
from myotome.bodychart.chart import VIEWS, Shape, View, load_chart
from myotome.bodychart.marks import Marks, normalize
from myotome.bodychart.render import (
    DERMATOME_FILL,
    FALLBACK_FILL,
    _f,
    _fill_class,
    _fill_colours,
    _kb,
    _names,
    _plan_markers,
    _state,
    zone_text_shapes,
)
from myotome.bodychart.zoom import WHOLE, load_zooms, view_box

# The narrowest a view is drawn, in CSS px, on a 1024 x 768 screen (two views side by side in
# the exam's chart column); hit areas are sized for it. tests/browser/test_chart_browser.py measures.
VIEW_PX = 200.0
TARGET_PX = 24.0
LAYER_KINDS = {"muscles": "muscle", "zones": "region"}

# Paint of the artwork inside the sprite (a page's CSS does not reach into an external <use>).
BODY = f'fill="{paint.BODY_FILL}" stroke="#5f4b3f" stroke-width="1.2"'
DETAIL = 'fill="none" stroke="#8a7566" stroke-width=".8" stroke-linecap="round"'
DETAIL_FILL = 'fill="#8a7566"'
ZONE_EDGE = "#3d4650"
DEEP = ' stroke-dasharray="2.2 1.4"'
TEXT = 'font-family="system-ui,sans-serif" font-weight="600" text-anchor="middle"'

# The page's rules; the marks' colours ($names) come from myotome.bodychart.paint.
PAGE_STYLE = Template("""
.bc-chart{display:block;width:100%;height:auto;touch-action:manipulation}
.bc-shape{cursor:pointer;stroke-linejoin:round}
.bc-shape:focus{outline:none}
.bc-muscle{fill:$muscle;stroke:$muscle_stroke;stroke-width:.7}
.bc-muscle.bc-deep{fill:$deep;stroke-dasharray:2.2 1.4}
.bc-region{stroke:#3d4650;stroke-width:.5}
.bc-muscle.bc-sev1{fill:$sev1}
.bc-muscle.bc-sev2{fill:$sev2}
.bc-muscle.bc-sev3{fill:$sev3}
.bc-region.bc-skin{fill:$skin}
.bc-region.bc-sensory{stroke:$sensory;stroke-width:2.4;stroke-dasharray:3.2 1.6}
.bc-region.bc-sensory-increased{stroke-dasharray:none}
.bc-region.bc-sensory-altered{stroke-dasharray:.8 1.4;stroke-linecap:round}
.bc-shape:hover{stroke:#0b3f8a;stroke-width:1.4}
.bc-shape:focus-visible,.bc-shape:focus,.bc-shape.bc-current{stroke:#0b57d0;stroke-width:2.6;stroke-dasharray:none}
.bc-level-mark{stroke-width:2.6;stroke-linecap:round}
.bc-level-tender{stroke:$tender}
.bc-level-thickened{stroke:$thickened}
.bc-plan circle{fill:#17365d;stroke:#fff;stroke-width:1.2}
.bc-plan-leader{stroke:#17365d;stroke-width:1}
.bc-plan text{font:700 7.5px system-ui,sans-serif;fill:#fff;text-anchor:middle;dominant-baseline:central}
.bc-layer-muscles .bc-regions,.bc-layer-zones .bc-muscles{display:none}
.bc-resting-muscles{fill:$muscle}
.bc-outlines{fill:none;pointer-events:none}
""")


def mark_colours() -> dict[str, str]:
    """The marks' colours by the names the stylesheets use ($sev1, $skin, ...)."""
    return {
        "muscle": paint.MUSCLE_FILL,
        "muscle_stroke": paint.MUSCLE_STROKE,
        "deep": paint.DEEP_MUSCLE_FILL,
        **{f"sev{level}": colour for level, colour in paint.SEVERITY_FILL.items()},
        "skin": paint.SKIN_FILL,
        "sensory": paint.SENSORY_STROKE,
        **paint.LEVEL_STROKE,
    }


def target_ref(view: str, shape: Shape) -> str:
    """The sprite id of one target: view, kind and side initials and the KB id (``bmr-supinator``).

    The exam form's script reads an interactive target's kind, side and id back from it (chart.js).
    """
    return f"{view[0]}{shape.kind[0]}{shape.side[0]}-{shape.id}"


def _zoom_of(view: View, shape: Shape) -> str:
    """The smallest zoom whose box (for the shape's side) holds the shape's centre."""
    zooms = sorted((z for z in load_zooms().values() if z.id != WHOLE), key=lambda z: z.boxes[view.name][2] * z.boxes[view.name][3])
    for zoom in zooms:
        x, y, w, h = view_box(zoom.id, view.name, shape.side)
        if x <= shape.centroid[0] <= x + w and y <= shape.centroid[1] <= y + h:
            return zoom.id
    return WHOLE


def _hit_area(view: View, shape: Shape) -> tuple[float, float, float, float] | None:
    """An invisible rectangle making the shape a 24 px target at its zoom, or None if it is one."""
    zoom = _zoom_of(view, shape)
    box_w = view_box(zoom, view.name, shape.side)[2]
    need = TARGET_PX * box_w / VIEW_PX + 1.0  # chart units, a unit to spare for rounding
    xs, ys = [p[0] for p in shape.points], [p[1] for p in shape.points]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    if w >= need and h >= need:
        return None
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    hw, hh = max(w, need), max(h, need)
    return (cx - hw / 2, cy - hh / 2, hw, hh)


def drawing_order(view: View) -> list[Shape]:
    """Targets largest first, so that every smaller shape is drawn over, never under, a larger one."""
    return sorted(view.shapes, key=lambda s: -s.area)


@functools.cache
def _drawn(view_name: str) -> dict[str, tuple[Shape, ...]]:
    """Each kind's shapes of a view in drawing order (the chart is fixed: sorted once)."""
    shapes = drawing_order(load_chart().views[view_name])
    return {kind: tuple(s for s in shapes if s.kind == kind) for kind in ("region", "muscle")}


@functools.cache
def _places(view_name: str) -> dict[tuple[str, str, str], frozenset[int]]:
    """Where a mark can show, by (kind, id, side): the positions in ``_drawn`` of the shapes it
    paints. A muscle's mark paints its own shape and any group shape covering it."""
    out: dict[tuple[str, str, str], set[int]] = {}
    for kind, shapes in _drawn(view_name).items():
        for at, shape in enumerate(shapes):
            for record_id in {shape.id, *shape.covers}:
                out.setdefault((kind, record_id, shape.side), set()).add(at)
    return {key: frozenset(at) for key, at in out.items()}


def _marked_shapes(view_name: str, kind: str, m: Marks, plan_at: Mapping[str, Any]) -> list[Shape]:
    """The shapes of ``kind`` that a read-only chart draws (those with a mark), in drawing order,
    found from the marks rather than by testing all 350 targets."""
    places, shapes = _places(view_name), _drawn(view_name)[kind]
    keys = m.severity if kind == "muscle" else [*m.skin, *m.sensory]
    found = set().union(*(places.get((kind, record_id, side), ()) for record_id, side in keys))
    found |= {at for at, shape in enumerate(shapes) if shape.key in plan_at}
    return [shapes[at] for at in sorted(found)]


@functools.cache
def sprite_svg() -> str:
    """The sprite file's text: artwork and target geometry for both views (cached)."""
    chart = load_chart()
    out = ['<svg xmlns="http://www.w3.org/2000/svg"><defs>']
    for name in VIEWS:
        v = chart.views[name]
        outline = "".join(f'<path d="{d}"/>' for d in (v.outline, *v.insets))
        out.append(f'<clipPath id="{name}-clip">{outline}</clipPath>')
        art = "".join(f'<path {BODY} d="{d}"/>' for d in (v.outline, *v.insets))
        art += "".join(f'<path {DETAIL_FILL if d.cls == "detail-fill" else DETAIL} d="{d.d}"/>' for d in v.details)
        out.append(f'<g id="{name}-art">{art}{_captions(v)}</g>')
        out.append(f'<g id="{name}-spine" pointer-events="none">{_spine(v)}</g>')
        out.append(f'<g id="{name}-texts">{_zone_texts(v)}</g>')
        for s in v.shapes:
            clip = f' clip-path="url(#{name}-clip)"' if s.kind == "region" else ""
            hit = _hit_area(v, s)
            if hit is None:
                out.append(f'<path id="{target_ref(name, s)}"{clip} d="{s.d}"/>')
            else:
                x, y, w, h = hit
                rect = f'<rect fill="#000" fill-opacity="0" stroke="none" x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}"/>'
                out.append(f'<g id="{target_ref(name, s)}">{rect}<path{clip} d="{s.d}"/></g>')
        out.append(_resting(name, v))
    out.append("</defs></svg>\n")
    return "".join(out)


def _resting(name: str, v: View) -> str:
    """Every zone and every muscle of a view in its unmarked paint, as two groups: a read-only
    chart draws these and a ``<use>`` only for each marked target (the saved exam's weight)."""
    zones = "".join(
        f'<use href="#{target_ref(name, s)}" fill="{DERMATOME_FILL.get(_names(id(_kb()))[(s.kind, s.id)][2], FALLBACK_FILL)}"/>'
        for s in drawing_order(v)
        if s.kind == "region"
    )
    muscles = "".join(f'<use href="#{target_ref(name, s)}"{DEEP if s.deep else ""}/>' for s in drawing_order(v) if s.kind == "muscle")
    return (
        f'<g id="{name}-zones" stroke="{ZONE_EDGE}" stroke-width=".5">{zones}</g>'
        f'<g id="{name}-muscles" stroke="#6b4a3c" stroke-width=".7" stroke-linejoin="round">{muscles}</g>'
    )


def sprite_name() -> str:
    """The sprite's file name, with a hash of its content so a browser may cache it for good."""
    return f"chart-sprite.{hashlib.sha256(sprite_svg().encode()).hexdigest()[:10]}.svg"


def _spine(v: View) -> str:
    if not v.levels:
        return ""
    labelled = {"C2", "C4", "C7", "T1", "T4", "T8", "T12", "L1", "L3", "L5", "S1"}
    axis = load_chart().mirror_x
    ys = list(v.levels.values())
    out = [f'<path fill="none" stroke="#6f5c4f" stroke-width=".9" d="M{_f(axis)} {_f(min(ys) - 4)}V{_f(max(ys) + 6)}"/>']
    for level, y in v.levels.items():
        if "-" in level:
            continue
        r = 1.6 if level in labelled else 1.0
        out.append(f'<circle fill="#5f4b3f" cx="{_f(axis)}" cy="{_f(y)}" r="{r}"/>')
        if level in labelled:
            out.append(
                f'<text font-family="system-ui,sans-serif" font-weight="600" font-size="6.5" fill="#4a3b31" x="{_f(axis + 3)}" y="{_f(y - 1.5)}">{level}</text>'
            )
    return "".join(out)


def _captions(v: View) -> str:
    chart = load_chart()
    left, right = ("R", "L") if v.name == "front" else ("L", "R")
    out = [
        f'<text {TEXT} font-size="15" fill="#4a3b31" x="22" y="34">{left}</text>',
        f'<text {TEXT} font-size="15" fill="#4a3b31" x="{_f(chart.width - 22)}" y="34">{right}</text>',
        f'<text {TEXT} font-size="8" fill="#5f4b3f" x="{_f(chart.width / 2)}" y="12">{v.name.upper()}</text>',
    ]
    out += [f'<text {TEXT} font-size="8" fill="#5f4b3f" x="{_f(x)}" y="{_f(y)}">{escape(t)}</text>' for t, x, y in v.captions]
    return "".join(out)


def _zone_texts(v: View) -> str:
    names = _names(id(_kb()))
    return "".join(
        f'<text {TEXT} font-size="6" fill="#1f2933" pointer-events="none" x="{_f(s.centroid[0])}" y="{_f(s.centroid[1] + 2)}">'
        f"{escape(names[(s.kind, s.id)][2])}</text>"
        for s in zone_text_shapes(v)
    )


@functools.cache
def _abbreviations() -> dict[str, str]:
    """Muscle id -> its short capitals aliases (ECRB, FCU, VMO), for the chart's type-ahead."""
    kb = _kb()
    out = {}
    for record_id, aliases in [*((m.id, m.aliases) for m in kb.muscles.values()), *((g.id, g.aliases) for g in kb.groups.values())]:
        short = [a for a in aliases if a.isupper() and " " not in a and len(a) <= 6]
        if short:
            out[record_id] = " ".join(short)
    return out


@functools.cache
def _boxes(view: str) -> str:
    """Every zoom's view box for each side, as JSON for the page's script."""
    return json.dumps(
        {z: {side: [round(n, 1) for n in view_box(z, view, side)] for side in ("right", "left")} for z in load_zooms()},
        separators=(",", ":"),
    )


def page_svg(
    view: str,
    marks: Mapping[str, Any] | None = None,
    *,
    sprite: str,
    layer: str = "muscles",
    interactive: bool = False,
    zoom: str = WHOLE,
    side: str = "right",
    id_prefix: str = "bc",
) -> str:
    """One view for a page: a ``<use>`` per target into the sprite at URL ``sprite``, with marks.

    svg = page_svg("front", marks, sprite="/static/exams/chart-sprite.0123456789.svg", interactive=True)

    ``layer`` is ``muscles``, ``zones`` (the shown layer; both are drawn, the other hidden by the
    stylesheet) or ``both``. An ``interactive`` chart's targets are buttons (``tabindex=-1``: the
    page's script gives one of them the tab stop); a read-only chart's marked targets are images
    with their label and the rest are hidden from assistive technology.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; use 'front' or 'back'")
    if layer not in ("muscles", "zones", "both"):
        raise ValueError(f"unknown layer {layer!r}; use 'muscles', 'zones' or 'both'")
    chart = load_chart()
    v = chart.views[view]
    m = normalize(marks)
    names = _names(id(_kb()))
    pfx = f"{escape(id_prefix)}-{view}"
    x, y, w, h = view_box(zoom, view, side)
    plan_at: dict[str, list[Any]] = {}
    for pm in m.plan:
        target = next((s for s in v.shapes if s.kind == "muscle" and s.side == pm.side and pm.muscle_id in (s.id, *s.covers)), None)
        if target is not None:
            plan_at.setdefault(target.key, []).append(pm)
    side_word = "left" if view == "front" else "right"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_f(x)} {_f(y)} {_f(w)} {_f(h)}" role="group" aria-labelledby="{pfx}-title" '
        f'class="bc-chart bc-{view} bc-layer-{layer}" data-view="{view}" data-boxes=\'{_boxes(view)}\'>',
        f"<title id=\"{pfx}-title\">Body chart, {view} view: the patient's right is on the viewer's {side_word}</title>",
        f'<use href="{escape(sprite)}#{view}-art" aria-hidden="true"/>',
    ]
    href = escape(sprite)
    for kind in ("region", "muscle"):
        group = "bc-regions" if kind == "region" else "bc-muscles"
        out.append(f'<g class="{group}">')
        if not interactive:
            fill = ' class="bc-resting-muscles"' if kind == "muscle" else ""
            out.append(f'<use href="{href}#{view}-{"zones" if kind == "region" else "muscles"}"{fill} aria-hidden="true"/>')
        for s in _drawn(view)[kind] if interactive else _marked_shapes(view, kind, m, plan_at):
            orders = [p.order for p in plan_at.get(s.key, ())]
            if interactive or _marked(s, m, orders):
                out.append(_use(view, s, m, names, sprite, orders, interactive))
        if kind == "muscle" and not interactive:
            # The outlines again over the marked fills, so a marked muscle never hides a smaller one.
            out.append(f'<use href="{href}#{view}-muscles" class="bc-outlines" aria-hidden="true"/>')
        if kind == "region":
            out.append(f'<use href="{href}#{view}-texts" aria-hidden="true" pointer-events="none"/>')
        out.append("</g>")
    if v.levels:
        # The spine over the muscles, as the standalone chart draws it: its levels stay readable.
        out.append(f'<use href="{href}#{view}-spine" aria-hidden="true" pointer-events="none"/>')
    if v.levels and (m.levels or interactive):
        out.append(_level_marks(v, m, chart.mirror_x, interactive))
    if plan_at and layer != "zones":
        out.append(_plan_markers(v, plan_at, chart.mirror_x))
    out.append("</svg>")
    return "".join(out)


def _marked(s: Shape, m: Marks, plan_orders: Sequence[int]) -> bool:
    return bool(_state(s, m, plan_orders)[0])


def _use(
    view: str,
    s: Shape,
    m: Marks,
    names: Mapping[tuple[str, str], tuple[str, str, str]],
    sprite: str,
    plan_orders: Sequence[int],
    interactive: bool,
) -> str:
    derm = names[(s.kind, s.id)][2]
    classes, words = _state(s, m, plan_orders)
    if s.kind == "region":
        classes.append(_fill_class(DERMATOME_FILL.get(derm, FALLBACK_FILL)))
    cls = " ".join(["bc-shape", f"bc-{s.kind}", *(["bc-deep"] if s.deep else []), *classes])
    label = escape(", ".join([_label(s, names), *words]))
    if interactive:
        # A target of the exam form: its kind, side and id are in its href, its name, abbreviations
        # and covered muscles in the static table the page's script reads (``target_table``); only
        # a marked one says its marks here. 350 targets' repeats stay out of the page (issue 9, weight).
        # chart.js makes each a button (role, tabindex): without script the chart is a picture.
        aria = f' aria-label="{label}"' if words else ""
        return f'<use href="{escape(sprite)}#{target_ref(view, s)}" class="{cls}"{aria}/>'
    data = f'data-kind="{s.kind}" data-id="{escape(s.id)}" data-side="{s.side}"'
    if s.covers != (s.id,):
        data += f' data-covers="{escape(" ".join(s.covers))}"'
    aria = f'role="img" aria-label="{label}"' if words else 'aria-hidden="true"'
    return f'<use href="{escape(sprite)}#{target_ref(view, s)}" class="{cls}" {data} {aria}/>'


def _label(s: Shape, names: Mapping[tuple[str, str], tuple[str, str, str]]) -> str:
    """A target's spoken name without its marks: "Right supinator", "Left thumb, dermatome C6"."""
    return f"{s.side.capitalize()} {names[(s.kind, s.id)][0]}"


def target_table() -> dict[str, dict[str, str]]:
    """Every target of both views by its sprite id: its spoken name, and a muscle's abbreviations
    (for type-ahead) and the muscles a group's shape covers, where it has them::

        target_table()["bmr-extensor_carpi_radialis_brevis"]  # {"label": "Right extensor ...", "abbr": "ECRB"}

    The exam form's chart reads it from a static file (myotome.clinic.exams.chart) instead of
    carrying it on every target of the page.
    """
    names = _names(id(_kb()))
    table: dict[str, dict[str, str]] = {}
    for view in VIEWS:
        for s in load_chart().views[view].shapes:
            entry = {"label": _label(s, names)}
            abbr = _abbreviations().get(s.id) if s.kind == "muscle" else None
            if abbr:
                entry["abbr"] = abbr
            if s.covers != (s.id,):
                entry["covers"] = " ".join(s.covers)
            table[target_ref(view, s)] = entry
    return table


# A paraspinal level's mark: a stroke this far (chart units) either side of the spine's axis.
LEVEL_MARK_SPAN = (2.5, 11.0)


def _level_x(axis: float, side: str) -> tuple[float, float]:
    near, far = LEVEL_MARK_SPAN
    return (axis + near, axis + far) if side == "right" else (axis - far, axis - near)


def _level_marks(v: View, m: Marks, axis: float, interactive: bool = False) -> str:
    """The paraspinal marks beside the spine. An interactive chart's group also says where each
    level and side is drawn (``data-ladder``), so that chart.js repaints a mark when the exam's
    spine ladder changes one (the ``exam:level`` event)."""
    where = ""
    if interactive:
        ladder = {"x": {side: [round(x, 1) for x in _level_x(axis, side)] for side in ("left", "right")}, "y": dict(v.levels)}
        where = f" data-ladder='{json.dumps(ladder, separators=(',', ':'))}'"
    out = [f'<g class="bc-levels" aria-hidden="true"{where}>']
    for (level, side), sign in m.levels.items():
        if level in v.levels:
            y = v.levels[level]
            x0, x1 = _level_x(axis, side)
            data = f' data-level="{escape(level)}" data-side="{side}"' if interactive else ""
            out.append(f'<path class="bc-level-mark bc-level-{sign}"{data} d="M{_f(x0)} {_f(y)}H{_f(x1)}"/>')
    out.append("</g>")
    return "".join(out)


def page_stylesheet() -> str:
    """The page's rules for ``page_svg`` charts: paint of targets and marks, one rule a line."""
    rules = PAGE_STYLE.substitute(mark_colours()).strip().splitlines()
    rules += [f".{_fill_class(c)}{{fill:{c}}}" for c in _fill_colours()]
    return "\n".join(rules) + "\n"
