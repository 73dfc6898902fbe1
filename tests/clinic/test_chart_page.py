"""The body chart on the clinic's pages: one cached sprite, a light SVG of <use>, marks drawn by the server."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.urls import reverse

from myotome.bodychart import paint
from myotome.bodychart.sprite import sprite_name, sprite_svg
from myotome.clinic.exams import chart

from .conftest import World
from .exam_data import make_exam

STATIC = Path(chart.__file__).parent / "static" / "exams"
SVG = "{http://www.w3.org/2000/svg}"
# Issue 9: the saved exam was 458 KB of HTML with the chart inline twice; a page is to stay under 150 KB
# (tests/clinic/test_page_weight.py measures the pages). The form's chart must stay light.
PAGE_BUDGET = 150_000
FORM_CHART_BUDGET = 90_000


def test_the_sprite_file_is_what_the_renderer_draws() -> None:
    # Regenerate with: python -m myotome.clinic.exams.chart
    assert (STATIC / sprite_name()).read_text(encoding="utf-8") == sprite_svg()
    assert [p.name for p in STATIC.glob("chart-sprite.*.svg")] == [sprite_name()]  # no stale drawing left behind


def test_the_targets_file_is_what_the_renderer_names() -> None:
    # Regenerate with: python -m myotome.clinic.exams.chart
    assert (STATIC / chart.targets_name()).read_text(encoding="utf-8") == chart.targets_script()
    assert [p.name for p in STATIC.glob("chart-targets.*.js")] == [chart.targets_name()]
    assert '"bmr-supinator":{"abbr":"SUP","label":"Right supinator"}' in chart.targets_script()


def test_the_stylesheet_matches_the_renderer() -> None:
    # Regenerate with: python -m myotome.clinic.exams.chart
    assert (STATIC / "bodychart.css").read_text(encoding="utf-8") == chart.stylesheet()


def test_every_fill_class_the_chart_uses_has_a_rule() -> None:
    css = (STATIC / "bodychart.css").read_text(encoding="utf-8")
    used = set()
    for svg in chart.chart_context(None)["views"]:
        used |= set(re.findall(r"bc-fill-([0-9a-f]+)", str(svg)))
    assert used and all(f".bc-fill-{c}{{fill:#{c}}}" in css for c in used)


@pytest.mark.parametrize("layer", chart.LAYERS)
@pytest.mark.parametrize("view", chart.VIEWS)
def test_the_page_chart_has_no_inline_style_and_marks_drawn_by_the_server(view: str, layer: str) -> None:
    marks = {
        "regions": [{"region_id": "thumb", "side": "right", "skin": ["trophedema"], "sensory": "reduced"}],
        "muscles": [{"muscle_id": "flexor_carpi_radialis" if view == "front" else "supinator", "side": "right", "severity": 3}],
    }
    svg = str(chart.chart_svg(view, marks, layer))
    assert "<style" not in svg and not re.search(r"\sstyle=", svg) and "<script" not in svg
    root = ET.fromstring(svg)
    uses = root.findall(f".//{SVG}use[@data-kind]")
    assert uses and all(u.get("href", "").startswith("/static/exams/chart-sprite.") for u in uses)
    thumb = next(u for u in uses if u.get("data-id") == "thumb" and u.get("data-side") == "right")
    assert {"bc-skin", "bc-sensory", "bc-sensory-reduced"} <= set(thumb.get("class", "").split())
    assert re.search(r"\bbc-fill-[0-9a-f]{6}\b", thumb.get("class", ""))  # its own colour stays under the marks
    assert thumb.get("aria-label") == "Right thumb, dermatome C6, trophedema, reduced sensation"
    band = next(u for u in uses if u.get("data-kind") == "muscle" and "bc-sev3" in u.get("class", ""))
    assert band.get("role") == "img" and band.get("aria-label", "").endswith("tender band severity 3")
    # A read-only chart draws every target in its resting paint from the sprite, and a <use> only
    # for each marked one: no buttons, nothing unmarked to read out.
    assert all(u.get("role") == "img" for u in uses)
    assert len(uses) <= 4


def test_every_target_points_at_an_element_of_the_sprite() -> None:
    ids = set(re.findall(r' id="([^"]+)"', sprite_svg()))
    for view in chart.VIEWS:
        svg = str(chart.chart_svg(view, None, "both"))
        refs = set(re.findall(r'href="[^"#]+#([^"]+)"', svg))
        assert refs and refs <= ids, sorted(refs - ids)


def test_the_exam_form_draws_one_light_chart_zoomed_to_the_complaint(world: World) -> None:
    world.episode.regions = ["lateral_forearm"]
    world.episode.save()
    response = world.client("alice").get(reverse("exams:new", args=[world.episode.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="bc-chart bc-') == 2  # front and back, once
    assert 'data-zoom="forearm_hand"' in page
    assert page.count('<use href="/static/exams/chart-sprite.') > 300  # every target drawn: chart.js makes them buttons
    assert 'href="#chart-end"' in page and 'id="chart-end"' in page
    charts = sum(len(svg.encode()) for svg in re.findall(r"<svg .*?</svg>", page, re.S))
    assert charts < FORM_CHART_BUDGET, charts


def test_the_saved_exam_shows_its_marks_without_javascript_and_stays_light(world: World) -> None:
    exam = make_exam(world.episode, world.alice)
    response = world.client("alice").get(reverse("exams:detail", args=[exam.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<use href="[^"]+" class="bc-shape bc-muscle[^"]*\bbc-sev[123]\b', page)
    assert "bc-plan-marker" in page
    assert len(response.content) < PAGE_BUDGET, len(response.content)


@pytest.mark.parametrize("sign", ["tender", "thickened"])
def test_the_ladders_rung_wears_the_colour_of_the_levels_chart_mark_with_readable_text(sign: str) -> None:
    css = chart.stylesheet()
    mark = re.search(rf"(?m)^\.bc-level-{sign}\{{stroke:(#[0-9a-fA-F]{{6}})", css)
    assert mark, f"no chart mark for a {sign} level"
    rung = re.search(rf"(?m)^table\.ladder button\.rung-{sign}\{{background:(#[0-9a-fA-F]{{6}});color:(#[0-9a-fA-F]{{6}})", css)
    assert rung, f"no rule for a {sign} rung"
    assert rung.group(1) == mark.group(1) == paint.LEVEL_STROKE[sign]
    assert paint.contrast_ratio(rung.group(1), rung.group(2)) >= 4.5  # its text (WCAG 1.4.3)
