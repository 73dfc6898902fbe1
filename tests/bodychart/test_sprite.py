"""The chart for web pages: the sprite, the light page SVG of <use>, hit areas, contrast and zooms."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from myotome.bodychart import load_chart
from myotome.bodychart.paint import contrast_ratio as contrast
from myotome.bodychart.render import DERMATOME_FILL
from myotome.bodychart.sprite import (
    BODY,
    TARGET_PX,
    VIEW_PX,
    ZONE_EDGE,
    _hit_area,
    _zoom_of,
    drawing_order,
    page_stylesheet,
    page_svg,
    sprite_name,
    sprite_svg,
    target_ref,
    target_table,
)
from myotome.bodychart.zoom import WHOLE, load_zooms, view_box, zoom_for
from myotome.kb import load_kb

SVG = "{http://www.w3.org/2000/svg}"
SPRITE = "/static/exams/chart-sprite.x.svg"


def test_the_sprite_parses_and_holds_every_target_once() -> None:
    root = ET.fromstring(sprite_svg())
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    chart = load_chart()
    for view in chart.views.values():
        assert {target_ref(view.name, s) for s in view.shapes} <= set(ids)
        assert {f"{view.name}-art", f"{view.name}-zones", f"{view.name}-muscles"} <= set(ids)


def test_targets_in_the_sprite_carry_no_paint_of_their_own() -> None:
    # Fill and stroke set on the page's <use> inherit into the shape only where the shape sets none.
    root = ET.fromstring(sprite_svg())
    for view in load_chart().views.values():
        for s in view.shapes:
            element = root.find(f".//*[@id='{target_ref(view.name, s)}']")
            assert element is not None
            path = element if element.tag == f"{SVG}path" else element.find(f"{SVG}path")
            assert path is not None and path.get("fill") is None and path.get("stroke") is None, s.key


def test_the_sprite_name_follows_its_content() -> None:
    assert re.fullmatch(r"chart-sprite\.[0-9a-f]{10}\.svg", sprite_name())


def test_the_page_svg_is_light_and_points_into_the_sprite() -> None:
    svg = page_svg("back", None, sprite=SPRITE, interactive=True)
    root = ET.fromstring(svg)
    uses = [u for u in root.iter(f"{SVG}use") if "bc-shape" in u.get("class", "")]
    assert len(uses) == len(load_chart().views["back"].shapes)
    assert all(u.get("href", "").startswith(SPRITE + "#") for u in uses)
    # Kind, side and id are read from the href by the page's script, and an unmarked target's name
    # from the targets table: nothing of them is repeated on each target.
    assert not any(u.get("data-kind") or u.get("data-id") or u.get("data-side") or u.get("aria-label") for u in uses)
    shapes = {target_ref("back", s) for s in load_chart().views["back"].shapes}
    assert {u.get("href", "").split("#")[1] for u in uses} == shapes
    assert " d=" not in svg  # no geometry inline: it is in the sprite
    assert len(svg) < 45_000


def test_a_group_shape_says_which_muscles_it_covers() -> None:
    chart = load_chart()
    group = next(s for v in chart.views.values() for s in v.shapes if s.kind == "muscle" and s.covers != (s.id,))
    view = next(n for n, v in chart.views.items() if group in v.shapes)
    assert target_table()[target_ref(view, group)]["covers"] == " ".join(group.covers)
    marks = {"muscles": [{"muscle_id": group.covers[0], "side": group.side, "severity": 2}]}
    assert f'data-covers="{" ".join(group.covers)}"' in page_svg(view, marks, sprite=SPRITE)  # the saved exam's chart


def test_abbreviations_from_the_kb_are_offered_for_type_ahead() -> None:
    assert "ECRB" in target_table()["bmr-extensor_carpi_radialis_brevis"]["abbr"].split()


def test_the_targets_table_names_every_target_as_a_marked_one_is_spoken() -> None:
    table = target_table()
    assert len(table) == sum(len(v.shapes) for v in load_chart().views.values())
    assert table["bmr-extensor_carpi_radialis_brevis"]["label"] == "Right extensor carpi radialis brevis"
    assert table["frl-thumb"]["label"] == "Left thumb, dermatome C6"
    marks = {"muscles": [{"muscle_id": "supinator", "side": "right", "severity": 2}]}
    marked = ET.fromstring(page_svg("back", marks, sprite=SPRITE, interactive=True)).find(f".//{SVG}use[@aria-label]")
    assert marked is not None and marked.get("href") == SPRITE + "#bmr-supinator"
    assert marked.get("aria-label") == table["bmr-supinator"]["label"] + ", tender band severity 2"


def test_a_read_only_chart_draws_only_its_marked_targets_over_the_resting_drawing() -> None:
    marks = {"muscles": [{"muscle_id": "supinator", "side": "right", "severity": 2}]}
    root = ET.fromstring(page_svg("back", marks, sprite=SPRITE))
    targets = root.findall(f".//{SVG}use[@data-kind]")
    assert [(u.get("data-id"), u.get("data-side")) for u in targets] == [("supinator", "right")]
    assert "bc-sev2" in targets[0].get("class", "")
    hrefs = [u.get("href") for u in root.iter(f"{SVG}use")]
    assert (
        hrefs.index(SPRITE + "#back-muscles")
        < hrefs.index(targets[0].get("href"))
        < len(hrefs) - 1 - hrefs[::-1].index(SPRITE + "#back-muscles")
    )  # the outlines are drawn again over the marked fill


@pytest.mark.parametrize("view", ["front", "back"])
def test_a_read_only_chart_draws_every_shape_a_mark_lights_and_no_other(view: str) -> None:
    # page_svg finds the marked shapes from the marks (an index by id and side), not by testing
    # every target: each must still be drawn, group shapes too, in drawing order.
    shapes = drawing_order(load_chart().views[view])
    muscles = [s for s in shapes if s.kind == "muscle"]
    group = next(s for s in muscles if s.covers != (s.id,))
    regions = [s for s in shapes if s.kind == "region"]
    marks = {
        "muscles": [
            {"muscle_id": group.covers[-1], "side": group.side, "severity": 3},  # lights the group's shape
            {"muscle_id": muscles[-1].id, "side": "bilateral", "severity": 1},
        ],
        "regions": [
            {"region_id": regions[0].id, "side": regions[0].side, "skin": ["trophedema"]},
            {"region_id": regions[-1].id, "side": "bilateral", "sensory": "reduced"},
        ],
        "plan": [{"order": 1, "muscle_id": muscles[len(muscles) // 2].id, "side": muscles[len(muscles) // 2].side}],
    }
    lit = {group.key, regions[0].key, muscles[len(muscles) // 2].key}
    lit |= {s.key for s in shapes if (s.kind, s.id) in {("muscle", muscles[-1].id), ("region", regions[-1].id)}}
    lit |= {s.key for s in muscles if group.covers[-1] in s.covers and s.side == group.side}
    drawn = [
        f"{u.get('data-kind')}-{u.get('data-side')}-{u.get('data-id')}"
        for u in ET.fromstring(page_svg(view, marks, sprite=SPRITE)).iter(f"{SVG}use")
        if u.get("data-kind")
    ]
    expected = [s.key for s in shapes if s.key in lit]
    assert sorted(drawn) == sorted(expected)
    assert [k for k in drawn if k.startswith("muscle")] == [k for k in expected if k.startswith("muscle")]
    assert [k for k in drawn if k.startswith("region")] == [k for k in expected if k.startswith("region")]


def test_smaller_shapes_are_drawn_over_larger_ones() -> None:
    front = load_chart().views["front"]
    order = [s.key for s in drawing_order(front)]
    # Issue 9: the middle deltoid's centre lay under the anterior deltoid on the front view.
    assert order.index("muscle-right-middle_deltoid") > order.index("muscle-right-anterior_deltoid")
    areas = [s.area for s in drawing_order(front)]
    assert areas == sorted(areas, reverse=True)


def test_a_hit_area_makes_every_target_24_px_at_its_zoom() -> None:
    for view in load_chart().views.values():
        for s in view.shapes:
            zoom = _zoom_of(view, s)
            scale = VIEW_PX / view_box(zoom, view.name, s.side)[2]
            xs, ys = [p[0] for p in s.points], [p[1] for p in s.points]
            hit = _hit_area(view, s)
            w, h = (max(xs) - min(xs), max(ys) - min(ys)) if hit is None else (hit[2], hit[3])
            assert min(w, h) * scale >= TARGET_PX, (view.name, s.key, zoom)


def _rule(selector: str, prop: str) -> str:
    match = re.search(re.escape(selector) + r"\{[^}]*\b" + prop + r":(#[0-9a-f]{6})", page_stylesheet())
    assert match, (selector, prop)
    return match.group(1)


def test_outlines_and_edges_meet_3_to_1_against_what_they_border() -> None:
    # WCAG 2.1 1.4.11 non-text contrast: the silhouette against the page and its own fill, a
    # muscle's edge against its fill and the body, a zone's edge against every dermatome fill.
    outline, body = re.search(r'stroke="(#[0-9a-f]{6})"', BODY).group(1), re.search(r'fill="(#[0-9a-f]{6})"', BODY).group(1)  # type: ignore[union-attr]
    assert contrast(outline, "#ffffff") >= 3 and contrast(outline, body) >= 3
    edge, fill = _rule(".bc-muscle", "stroke"), _rule(".bc-muscle", "fill")
    assert contrast(edge, fill) >= 3 and contrast(edge, body) >= 3
    assert all(contrast(ZONE_EDGE, c) >= 3 for c in DERMATOME_FILL.values())


def test_skin_and_sensory_marks_stand_apart_from_the_dermatome_fills() -> None:
    skin = _rule(".bc-region.bc-skin", "fill")
    sensory = _rule(".bc-region.bc-sensory", "stroke")
    assert all(contrast(skin, c) >= 3 for c in DERMATOME_FILL.values())
    assert all(contrast(sensory, c) >= 3 for c in DERMATOME_FILL.values())
    assert "stroke-dasharray" in page_stylesheet().split(".bc-region.bc-sensory{")[1].split("}")[0]  # an outline style, not a colour


# -- zooms ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("regions", "zoom"),
    [
        (["lateral_elbow"], "arm"),
        (["lateral_forearm", "thumb"], "forearm_hand"),
        (["radial_wrist"], "forearm_hand"),  # not drawn: named in zooms.yaml
        (["low_back"], "back"),
        (["flank"], "back"),  # its centre lies in the arm's box; the data says trunk
        (["lateral_neck", "top_of_shoulder"], "neck_shoulder"),
        (["buttock", "posterior_thigh"], "hip_thigh"),
        (["plantar_heel"], "leg_foot"),
        (["low_back", "thumb"], WHOLE),  # a tie: the whole body
        ([], WHOLE),
        (["no_such_region"], WHOLE),
    ],
)
def test_a_complaint_opens_the_chart_at_its_region(regions: list[str], zoom: str) -> None:
    assert zoom_for(regions) == zoom


def test_every_kb_region_opens_some_zoom() -> None:
    zooms = load_zooms()
    for region in load_kb().regions:
        assert zoom_for([region]) in zooms


def test_a_limb_zoom_follows_the_side_and_the_trunk_does_not() -> None:
    assert view_box("arm", "front", "right") != view_box("arm", "front", "left")
    assert view_box("back", "back", "right") == view_box("back", "back", "left")
    x, _, w, _ = view_box("arm", "front", "left")
    assert x > 200 and x + w <= 400  # the patient's left is on the viewer's right, front view


def test_an_unknown_zoom_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown zoom 'elbows'; use one of whole"):
        view_box("elbows", "front")
