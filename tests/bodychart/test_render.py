"""The body chart: its drawing checked against the knowledge base, and the SVG it renders.

Side conventions are clinical facts, not styling: on the front view the patient's right
is on the viewer's left; on the back view it is on the viewer's right.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from myotome.bodychart import chart_ids, load_chart, render_chart, stylesheet
from myotome.bodychart.chart import control_points
from myotome.bodychart.drawing import build
from myotome.bodychart.render import STYLE
from myotome.exam import VERTEBRAL_LEVELS
from myotome.kb import KnowledgeBase

SVG = "{http://www.w3.org/2000/svg}"
VIEWS = ("front", "back")
LAYERS = ("muscles", "dermatomes", "both")

# The muscles clinicians mark most, per view (a group's shape counts for its members).
FRONT_MUSCLES = [
    "sternocleidomastoid",
    "scalenus_anterior",
    "scalenus_medius",
    "upper_trapezius",
    "pectoralis_major_clavicular_head",
    "pectoralis_major_sternocostal_head",
    "anterior_deltoid",
    "middle_deltoid",
    "biceps_brachii",
    "brachialis",
    "brachioradialis",
    "pronator_teres",
    "flexor_carpi_radialis",
    "flexor_carpi_ulnaris",
    "flexor_digitorum_superficialis",
    "abductor_pollicis_brevis",
    "rectus_abdominis",
    "external_oblique",
    "iliacus",
    "psoas_major",
    "tensor_fasciae_latae",
    "sartorius",
    "rectus_femoris",
    "vastus_lateralis",
    "vastus_medialis",
    "adductor_longus",
    "gracilis",
    "tibialis_anterior",
    "fibularis_longus",
    "extensor_digitorum_longus",
    "masseter",
    "temporalis",
]
BACK_MUSCLES = [
    "upper_trapezius",
    "middle_trapezius",
    "lower_trapezius",
    "levator_scapulae",
    "splenius_capitis",
    "semispinalis_capitis",
    "rectus_capitis_posterior_major",
    "rhomboid_major",
    "rhomboid_minor",
    "supraspinatus",
    "infraspinatus",
    "teres_minor",
    "teres_major",
    "posterior_deltoid",
    "latissimus_dorsi",
    "triceps_brachii",
    "anconeus",
    "supinator",
    "extensor_carpi_radialis_longus",
    "extensor_carpi_radialis_brevis",
    "extensor_digitorum",
    "extensor_carpi_ulnaris",
    "multifidus_cervical",
    "multifidus_thoracic",
    "multifidus_lumbar",
    "iliocostalis_lumborum",
    "longissimus_thoracis",
    "quadratus_lumborum",
    "gluteus_maximus",
    "gluteus_medius",
    "piriformis",
    "biceps_femoris_long_head",
    "semitendinosus",
    "semimembranosus",
    "gastrocnemius_medial_head",
    "gastrocnemius_lateral_head",
    "soleus",
]
FRONT_REGIONS = [
    "thumb",
    "index_finger",
    "middle_finger",
    "ring_finger",
    "little_finger",
    "lateral_forearm",
    "medial_forearm",
    "lateral_arm",
    "top_of_shoulder",
    "medial_knee",
    "anterior_thigh",
    "shin",
    "medial_leg",
    "dorsum_of_foot",
    "big_toe",
    "lateral_foot",
    "groin",
]
BACK_REGIONS = ["occiput", "low_back", "buttock", "calf", "heel", "sole", "posterior_thigh", "lateral_leg", "thumb", "little_finger"]


def shapes_of(svg: str) -> list[ET.Element]:
    return [el for el in ET.fromstring(svg).iter() if el.get("data-kind")]


def by_key(svg: str) -> dict[tuple[str, str, str], ET.Element]:
    return {(el.get("data-kind", ""), el.get("data-id", ""), el.get("data-side", "")): el for el in shapes_of(svg)}


# --- The drawing against the knowledge base -------------------------------------------------


def test_every_drawn_id_is_a_kb_record(kb: KnowledgeBase) -> None:
    for view in load_chart().views.values():
        for shape in view.shapes:
            if shape.kind == "muscle":
                assert shape.id in kb.muscles or shape.id in kb.groups, f"{view.name}: unknown muscle id {shape.id!r}"
                assert set(shape.covers) <= set(kb.muscles), f"{view.name} {shape.id}: covers unknown muscles"
                if shape.id in kb.groups:
                    assert set(shape.covers) == set(kb.groups[shape.id].members), f"{shape.id}: covers must be the group's members"
            else:
                assert shape.kind == "region"
                assert shape.id in kb.regions, f"{view.name}: unknown region id {shape.id!r}"


def test_regions_are_drawn_on_a_view_the_kb_allows(kb: KnowledgeBase) -> None:
    for view in load_chart().views.values():
        for shape in view.shapes:
            if shape.kind == "region":
                assert kb.regions[shape.id].view in (view.name, "both"), (
                    f"{shape.id} is a {kb.regions[shape.id].view}-view region, drawn on {view.name}"
                )


@pytest.mark.parametrize(("view", "wanted"), [("front", FRONT_MUSCLES), ("back", BACK_MUSCLES)])
def test_the_muscles_clinicians_mark_most_are_drawn(view: str, wanted: list[str]) -> None:
    missing = set(wanted) - set(chart_ids(view)[view]["muscles"])
    assert not missing, f"{view}: not drawn: {sorted(missing)}"


@pytest.mark.parametrize(("view", "wanted"), [("front", FRONT_REGIONS), ("back", BACK_REGIONS)])
def test_the_common_skin_zones_are_drawn(view: str, wanted: list[str]) -> None:
    missing = set(wanted) - set(chart_ids(view)[view]["regions"])
    assert not missing, f"{view}: not drawn: {sorted(missing)}"


def test_each_id_is_drawn_once_per_side() -> None:
    for view in load_chart().views.values():
        keys = [(s.kind, s.id, s.side) for s in view.shapes]
        assert len(keys) == len(set(keys)), f"{view.name}: a shape is drawn twice"


# --- Geometry -------------------------------------------------------------------------------


def test_shapes_lie_inside_the_view_box() -> None:
    chart = load_chart()
    for view in chart.views.values():
        for shape in view.shapes:
            # A Bézier curve stays inside the hull of its control points.
            pts = [p for seg in control_points(shape.points) for p in seg]
            assert all(0 <= x <= chart.width and 0 <= y <= chart.height for x, y in pts), f"{view.name} {shape.key} leaves the view box"


def test_shapes_are_not_degenerate() -> None:
    for view in load_chart().views.values():
        for shape in view.shapes:
            assert len(set(shape.points)) >= 3, f"{view.name} {shape.key}: fewer than 3 points"
            assert shape.area >= 8, f"{view.name} {shape.key}: area {shape.area:.1f} is too small to click"


def test_every_shape_has_a_mirrored_twin() -> None:
    chart = load_chart()
    for view in chart.views.values():
        for shape in view.shapes:
            other = view.shape(shape.kind, shape.id, "left" if shape.side == "right" else "right")
            assert other is not None, f"{view.name} {shape.key} has no other side"
            mirrored = [(round(2 * chart.mirror_x - x, 6), round(y, 6)) for x, y in other.points]
            assert [(round(x, 6), round(y, 6)) for x, y in shape.points] == mirrored


@pytest.mark.parametrize(
    ("view", "right_half"),
    [
        ("front", "viewer's left"),  # facing the patient: their right is on our left
        ("back", "viewer's right"),  # behind the patient: their right is on our right
    ],
)
def test_the_patients_right_is_on_the_correct_half(view: str, right_half: str) -> None:
    chart = load_chart()
    for shape in chart.views[view].shapes:
        on_left = shape.centroid[0] < chart.mirror_x
        expected_left = (shape.side == "right") == (right_half == "viewer's left")
        assert on_left == expected_left, f"{view} {shape.key} is on the wrong half"


def test_right_and_left_are_labelled_on_the_chart() -> None:
    front = ET.fromstring(render_chart("front"))
    back = ET.fromstring(render_chart("back"))

    def letters(root: ET.Element) -> list[str]:
        texts = sorted((float(t.get("x", 0)), t.text or "") for t in root.iter(f"{SVG}text") if t.get("class") == "bc-caption")
        return [text for _, text in texts]

    assert letters(front) == ["R", "L"]
    assert letters(back) == ["L", "R"]


def test_back_view_marks_spinal_levels() -> None:
    back = load_chart().views["back"]
    assert {"C2", "C7", "T1", "T12", "L1", "L5", "S1"} <= set(back.levels)
    ys = list(back.levels.values())
    assert ys == sorted(ys), "levels must run down the spine in order"
    labels = {t.text for t in ET.fromstring(render_chart("back")).iter(f"{SVG}text") if t.get("class") == "bc-level-text"}
    for region in (("C2", "C4", "C7"), ("T1", "T4", "T8", "T12"), ("L1", "L3", "L5"), ("S1",)):
        assert set(region) <= labels
    assert not load_chart().views["front"].levels


def test_the_back_view_has_every_vertebra_and_interspace_of_format_1_1_in_order() -> None:
    levels = load_chart().views["back"].levels
    assert list(levels) == list(VERTEBRAL_LEVELS)  # C0-C1 at the top, S1 at the bottom
    for level, y in levels.items():
        upper, _, lower = level.partition("-")
        if lower:  # an interspace lies between its two vertebrae (C0-C1 above the atlas)
            assert (upper == "C0" or levels[upper] < y) and y < levels[lower], level
    # Only vertebrae have a spinous process to dot.
    dots = [c for c in ET.fromstring(render_chart("back")).iter(f"{SVG}circle") if c.get("class") == "bc-level"]
    assert len(dots) == 7 + 12 + 5 + 1


@pytest.mark.parametrize("level", ["C0-C1", "C7-T1", "T12-L1", "L5-S1", "C6"])
def test_a_paraspinal_sign_is_drawn_at_its_vertebra_or_interspace(level: str) -> None:
    root = ET.fromstring(render_chart("back", {"levels": [{"level": level, "side": "right", "sign": "tender"}]}))
    marks = [p for p in root.iter(f"{SVG}path") if "bc-level-mark" in (p.get("class") or "")]
    assert len(marks) == 1
    y = float(marks[0].get("d", "").split()[1].split("H")[0])
    assert y == load_chart().views["back"].levels[level]


def test_a_step_at_a_level_beyond_its_strip_is_joined_to_the_strip_end() -> None:
    # Cervical multifidus is drawn down to C7; needled at C7-T1, its marker sits at C7-T1.
    back = load_chart().views["back"]
    marks = {"plan": [{"order": 1, "muscle_id": "multifidus_cervical", "side": "right", "level": "C7-T1"}]}
    marker = next(g for g in ET.fromstring(render_chart("back", marks)).iter(f"{SVG}g") if g.get("class") == "bc-plan-marker")
    circle, leader = marker.find(f"{SVG}circle"), marker.find(f"{SVG}path")
    assert circle is not None and leader is not None
    assert float(circle.get("cy", 0)) == back.levels["C7-T1"]
    start_y = float(leader.get("d", "").split()[1].split("L")[0])
    strip = back.shape("muscle", "multifidus_cervical", "right")
    assert strip is not None and start_y <= max(p[1] for p in strip.points) < back.levels["C7-T1"]


def test_the_chart_data_is_what_the_drawing_code_draws() -> None:
    assert build.main(["--check"]) == 0, "chart.yaml is stale: run python -m myotome.bodychart.drawing.build"


def test_muscles_lie_inside_the_silhouette() -> None:
    assert build.problems(build.build()) == []


# --- The SVG --------------------------------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("layer", LAYERS)
def test_output_parses_as_xml_with_a_title(view: str, layer: str) -> None:
    root = ET.fromstring(render_chart(view, layer=layer))  # type: ignore[arg-type]
    assert root.get("role") == "group"
    title = root.find(f"{SVG}title")
    assert title is not None and title.get("id") in (root.get("aria-labelledby") or "").split()
    assert title.text == f"Body chart, {view} view"


@pytest.mark.parametrize("view", VIEWS)
def test_every_shape_is_a_labelled_focusable_button(view: str) -> None:
    svg = render_chart(view, layer="both")
    shapes = shapes_of(svg)
    assert len(shapes) == len(load_chart().views[view].shapes)
    ids = [el.get("id") for el in shapes]
    assert len(ids) == len(set(ids))
    for el in shapes:
        assert el.tag in (f"{SVG}path", f"{SVG}polygon")
        assert el.get("tabindex") == "0" and el.get("role") == "button"
        assert el.get("data-kind") in ("muscle", "region") and el.get("data-side") in ("left", "right") and el.get("data-id")
        assert f"bc-{el.get('data-kind')}" in (el.get("class") or "").split()
        label = el.get("aria-label") or ""
        assert label.startswith(f"{el.get('data-side', '').capitalize()} ")
        title = el.find(f"{SVG}title")
        assert title is not None and (title.text or "").startswith(label)


def test_layers_choose_what_is_drawn() -> None:
    kinds = {layer: {el.get("data-kind") for el in shapes_of(render_chart("front", layer=layer))} for layer in LAYERS}  # type: ignore[arg-type]
    assert kinds == {"muscles": {"muscle"}, "dermatomes": {"region"}, "both": {"muscle", "region"}}


def test_region_labels_name_the_dermatomes(kb: KnowledgeBase) -> None:
    el = by_key(render_chart("front", layer="dermatomes"))[("region", "thumb", "right")]
    assert el.get("aria-label") == f"Right thumb, dermatome {kb.regions['thumb'].dermatomes[0]}"
    el = by_key(render_chart("back", layer="dermatomes"))[("region", "low_back", "left")]
    assert el.get("aria-label") == "Left low back, dermatomes " + ", ".join(kb.regions["low_back"].dermatomes)


def test_muscle_titles_give_the_roots() -> None:
    el = by_key(render_chart("back"))[("muscle", "infraspinatus", "right")]
    title = el.find(f"{SVG}title")
    assert title is not None and title.text == "Right infraspinatus. Roots C5, C6 (minor C4)"


@pytest.mark.parametrize(
    ("severity", "css"),
    [(1, "bc-sev1"), (2, "bc-sev2"), (3, "bc-sev3")],
)
def test_a_tender_band_colours_the_muscle_by_severity(severity: int, css: str) -> None:
    before = by_key(render_chart("back"))[("muscle", "infraspinatus", "right")]
    assert before.get("aria-label") == "Right infraspinatus"
    assert "bc-tender" not in (before.get("class") or "")
    marks = {"muscles": [{"muscle_id": "infraspinatus", "side": "right", "severity": severity}]}
    shapes = by_key(render_chart("back", marks))
    after = shapes[("muscle", "infraspinatus", "right")]
    assert {"bc-tender", css} <= set((after.get("class") or "").split())
    assert after.get("aria-label") == f"Right infraspinatus, tender band severity {severity}"
    assert shapes[("muscle", "infraspinatus", "left")].get("aria-label") == "Left infraspinatus"


def test_a_member_mark_lights_its_group_shape() -> None:
    marks = {"muscles": [{"muscle_id": "scalenus_medius", "side": "left", "severity": 3}]}
    el = by_key(render_chart("front", marks))[("muscle", "scalenes", "left")]
    assert "bc-sev3" in (el.get("class") or "")
    assert el.get("aria-label") == "Left scalene muscles, tender band severity 3"


def test_bilateral_marks_both_sides() -> None:
    shapes = by_key(render_chart("back", {"muscles": [{"muscle_id": "upper_trapezius", "side": "bilateral", "severity": 1}]}))
    assert all("bc-sev1" in (shapes[("muscle", "upper_trapezius", side)].get("class") or "") for side in ("left", "right"))


def test_skin_and_sensory_signs_mark_regions() -> None:
    marks = {
        "regions": [
            {"region_id": "lateral_forearm", "side": "right", "skin": ["trophedema", "hair_loss"]},
            {"region_id": "thumb", "side": "right", "sensory": "reduced"},
        ]
    }
    shapes = by_key(render_chart("front", marks, layer="dermatomes"))
    forearm = shapes[("region", "lateral_forearm", "right")]
    assert "bc-skin" in (forearm.get("class") or "").split()
    assert (forearm.get("aria-label") or "").endswith(", trophedema, hair loss")
    thumb = shapes[("region", "thumb", "right")]
    assert {"bc-sensory", "bc-sensory-reduced"} <= set((thumb.get("class") or "").split())
    assert (thumb.get("aria-label") or "").endswith(", reduced sensation")
    assert "bc-skin" not in (shapes[("region", "lateral_forearm", "left")].get("class") or "")


def test_plan_markers_are_numbered_in_order() -> None:
    marks = {
        "plan": [
            {"order": 2, "muscle_id": "infraspinatus", "side": "right"},
            {"order": 1, "muscle_id": "multifidus_cervical", "side": "right", "level": "C6"},
            {"order": 3, "muscle_id": "biceps_brachii", "side": "right"},  # front only: not on the back
        ]
    }
    root = ET.fromstring(render_chart("back", marks))
    markers = [g for g in root.iter(f"{SVG}g") if g.get("class") == "bc-plan-marker"]
    assert [g.get("data-order") for g in markers] == ["1", "2"]
    assert [g.find(f"{SVG}text").text for g in markers] == ["1", "2"]  # type: ignore[union-attr]
    level_marker = markers[0].find(f"{SVG}circle")
    assert level_marker is not None and float(level_marker.get("cy", 0)) == load_chart().views["back"].levels["C6"]
    assert float(level_marker.get("cx", 0)) > 200  # the patient's right, seen from behind
    shapes = by_key(render_chart("back", marks))
    assert shapes[("muscle", "infraspinatus", "right")].get("aria-label") == "Right infraspinatus, plan step 2"
    assert "bc-planned" in (shapes[("muscle", "infraspinatus", "right")].get("class") or "")
    front_markers = [g for g in ET.fromstring(render_chart("front", marks)).iter(f"{SVG}g") if g.get("class") == "bc-plan-marker"]
    assert [g.get("data-order") for g in front_markers] == ["3"]


def test_markers_on_one_shape_do_not_overlap() -> None:
    marks = {"plan": [{"order": n, "muscle_id": "gluteus_maximus", "side": "left"} for n in (1, 2, 3)]}
    circles = [c for c in ET.fromstring(render_chart("back", marks)).iter(f"{SVG}circle") if c.get("r") == "6.2"]
    centres = [(float(c.get("cx", 0)), float(c.get("cy", 0))) for c in circles]
    assert len(centres) == 3
    assert all(abs(a[1] - b[1]) >= 12 or abs(a[0] - b[0]) >= 12 for i, a in enumerate(centres) for b in centres[i + 1 :])


def test_paraspinal_findings_mark_the_level() -> None:
    root = ET.fromstring(render_chart("back", {"levels": [{"level": "L4", "side": "left", "sign": "thickened"}]}))
    marks = [p for p in root.iter(f"{SVG}path") if "bc-level-mark" in (p.get("class") or "")]
    assert len(marks) == 1 and "bc-level-thickened" in (marks[0].get("class") or "")
    x0 = float(marks[0].get("d", "")[1:].split()[0])
    assert x0 < 200  # the patient's left is on the viewer's left, seen from behind


def test_text_is_escaped() -> None:
    svg = render_chart("front", id_prefix='a"<b>')
    ET.fromstring(svg)
    assert "<b>" not in svg


def test_unknown_view_or_layer_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown view 'side'"):
        render_chart("side")
    with pytest.raises(ValueError, match="unknown layer 'bones'"):
        render_chart("front", layer="bones")  # type: ignore[arg-type]


# --- Without inline styles, for a page whose CSP refuses them --------------------------------

ZONE_MARKS = {
    "regions": [
        {"region_id": "thumb", "side": "right", "skin": ["trophedema"], "sensory": "reduced"},
        {"region_id": "lateral_forearm", "side": "right", "skin": ["trophedema"]},
        {"region_id": "low_back", "side": "left", "sensory": "increased"},
    ],
    "muscles": [{"muscle_id": "infraspinatus", "side": "right", "severity": 2}],
}


def fill_classes(el: ET.Element) -> list[str]:
    return [c for c in (el.get("class") or "").split() if c.startswith("bc-fill-")]


def test_inline_styles_are_the_default() -> None:
    svg = render_chart("front", layer="dermatomes")
    assert svg.count("<style>") == 1 and ' style="fill:#' in svg and "bc-fill-" not in svg
    assert svg == render_chart("front", layer="dermatomes", inline_styles=True)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("layer", LAYERS)
def test_without_inline_styles_every_zone_carries_its_fill_as_a_class(view: str, layer: str) -> None:
    svg = render_chart(view, ZONE_MARKS, layer=layer, inline_styles=False)  # type: ignore[arg-type]
    assert "<style" not in svg and not re.search(r"\sstyle=", svg)
    root = ET.fromstring(svg)
    assert all(el.get("style") is None for el in root.iter())
    assert root.find(f".//{SVG}style") is None
    shapes = shapes_of(svg)
    zones = [el for el in shapes if el.get("data-kind") == "region"]
    assert (len(zones) > 0) == (layer != "muscles")
    assert any({"bc-skin", "bc-sensory"} & set((el.get("class") or "").split()) for el in zones) == (layer != "muscles")
    for el in zones:  # marked ones too, so a script that clears a mark shows the zone's colour again
        (fill,) = fill_classes(el)
        assert re.fullmatch(r"bc-fill-[0-9a-f]{6}", fill)
    assert not any(fill_classes(el) for el in shapes if el.get("data-kind") == "muscle")


@pytest.mark.parametrize("view", VIEWS)
def test_a_fill_class_is_the_colour_the_inline_chart_paints(view: str) -> None:
    inline = by_key(render_chart(view, layer="both"))
    classed = by_key(render_chart(view, ZONE_MARKS, layer="both", inline_styles=False))
    zones = [key for key in inline if key[0] == "region"]
    assert zones and set(inline) == set(classed)
    for key in zones:
        colour = (inline[key].get("style") or "").removeprefix("fill:#")
        assert fill_classes(classed[key]) == [f"bc-fill-{colour.lower()}"]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("layer", LAYERS)
def test_without_inline_styles_the_drawing_is_otherwise_the_same(view: str, layer: str) -> None:
    def bare(svg: str) -> str:
        svg = re.sub(r"<style>.*?</style>", "", svg, flags=re.S)
        return re.sub(r' style="[^"]*"| bc-fill-[0-9a-f]+', "", svg)

    inline = render_chart(view, ZONE_MARKS, layer=layer, id_prefix="z", inline_styles=True)  # type: ignore[arg-type]
    classed = render_chart(view, ZONE_MARKS, layer=layer, id_prefix="z", inline_styles=False)  # type: ignore[arg-type]
    assert bare(inline) == bare(classed)
    assert (classed == bare(classed)) == (layer == "muscles")


def test_the_stylesheet_has_a_rule_for_every_fill_class_used() -> None:
    css = stylesheet()
    rules = set(css.splitlines())
    used: set[str] = set()
    for view in VIEWS:
        for layer in LAYERS:
            for marks in (None, ZONE_MARKS):
                svg = render_chart(view, marks, layer=layer, inline_styles=False)  # type: ignore[arg-type]
                used |= set(re.findall(r"\bbc-fill-([0-9a-f]+)\b", svg))
    assert used and all(f".bc-fill-{c}{{fill:#{c}}}" in rules for c in used)


def test_the_stylesheet_holds_the_inline_rules_scoped_per_chart() -> None:
    prefixes = {"muscles": "m", "dermatomes": "zones"}
    css = stylesheet(prefixes)
    assert css.endswith("\n") and "PFX" not in css and "<" not in css
    rules = css.splitlines()
    # The renderer's rules in its order, so the cascade is the same; a rule naming a chart's ids
    # becomes one rule per view and layer, in its place.
    style = STYLE.strip().splitlines()
    expected: list[str] = []
    for line in style:
        selector, _, body = line.partition("{")
        if "PFX" not in line:
            expected.append(line)
            continue
        for layer, prefix in prefixes.items():
            expected += [f".bc-{view}.bc-layer-{layer} {selector}{{{body.replace('PFX', f'{prefix}-{view}')}" for view in VIEWS]
    assert rules[: len(expected)] == expected
    hatched = [line for line in rules if "url(#" in line]
    assert len(hatched) == len(prefixes) * len(VIEWS)
    for layer, prefix in prefixes.items():
        for view in VIEWS:
            rule = f".bc-{view}.bc-layer-{layer} .bc-region.bc-skin.bc-sensory{{fill:url(#{prefix}-{view}-both)}}"
            assert rule in hatched
            svg = render_chart(view, layer=layer, id_prefix=prefix, inline_styles=False)  # type: ignore[arg-type]
            root = ET.fromstring(svg)
            assert {f"bc-{view}", f"bc-layer-{layer}"} <= set((root.get("class") or "").split())
            assert root.find(f".//{SVG}pattern[@id='{prefix}-{view}-both']") is not None
    fills = rules[len(expected) :]
    assert fills and fills == sorted(fills) and all(re.fullmatch(r"\.bc-fill-([0-9a-f]{6})\{fill:#\1\}", line) for line in fills)


def test_the_stylesheet_takes_one_prefix_for_every_layer() -> None:
    css = stylesheet("bc")
    assert css == stylesheet() == stylesheet(dict.fromkeys(LAYERS, "bc"))
    assert ".bc-back.bc-layer-both .bc-region.bc-skin.bc-sensory{fill:url(#bc-back-both)}" in css.splitlines()


def test_the_stylesheet_refuses_what_it_cannot_name() -> None:
    with pytest.raises(ValueError, match="unknown layer 'bones'"):
        stylesheet({"bones": "b"})
    with pytest.raises(ValueError, match="id prefix"):
        stylesheet('a"<b>')


def test_chart_ids_lists_what_is_drawn_per_view() -> None:
    ids = chart_ids()
    assert set(ids) == {"front", "back"}
    assert "infraspinatus" in ids["back"]["muscles"] and "infraspinatus" not in ids["front"]["muscles"]
    assert "scalenes" in ids["front"]["muscles"] and "scalenus_anterior" in ids["front"]["muscles"]
    assert "thumb" in ids["front"]["regions"] and "thumb" in ids["back"]["regions"]
    assert list(ids["front"]["regions"]) == sorted(ids["front"]["regions"])
    with pytest.raises(ValueError, match="unknown view"):
        chart_ids("top")


def test_rendering_does_not_import_django() -> None:
    code = (
        "import sys\n"
        "from myotome.bodychart import render_chart, stylesheet\n"
        "render_chart('front', layer='both'); render_chart('back', inline_styles=False); stylesheet()\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
