"""Tender bands and level marks keep 3:1 against every colour beside them (WCAG 2.2, 1.4.11).

Skin and sensory marks, outlines and edges: tests/bodychart/test_sprite.py.

The ratios are computed from the stylesheets the pages and the printed chart use, not copied by
hand: a colour changed in myotome.bodychart.paint, or a rule edited, is measured again here.
"""

from __future__ import annotations

import re

import pytest

from myotome.bodychart import paint
from myotome.bodychart.render import stylesheet
from myotome.bodychart.sprite import page_stylesheet


def _fill(css: str, selector: str, prop: str = "fill") -> str:
    found = re.search(rf"(?m)^{re.escape(selector)}\{{[^}}]*\b{prop}:(#[0-9a-fA-F]{{6}})", css)
    assert found, f"no {prop} for {selector} in the stylesheet"
    return found.group(1)


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),  # the usual 'just under 4.5:1' grey
        ("#f4a06f", "#e3c3b4", 1.26),  # issue 9: severity 1 against an unmarked muscle, before
    ],
)
def test_contrast_is_wcags_ratio_of_relative_luminance(a: str, b: str, ratio: float) -> None:
    assert paint.contrast_ratio(a, b) == pytest.approx(ratio, abs=0.005)
    assert paint.contrast_ratio(b, a) == paint.contrast_ratio(a, b)


def test_a_colour_that_is_not_rrggbb_is_refused() -> None:
    with pytest.raises(ValueError, match="colour 'red' is not #rrggbb"):
        paint.relative_luminance("red")


# What lies beside a marked muscle on the page: an unmarked muscle, a deep one, the body.
PAGE_BESIDE = {".bc-muscle": "unmarked muscle", ".bc-muscle.bc-deep": "deep muscle"}


@pytest.mark.parametrize("severity", [1, 2, 3])
def test_every_severity_on_the_page_chart_stands_out_3_to_1(severity: int) -> None:
    css = page_stylesheet()
    fill = _fill(css, f".bc-muscle.bc-sev{severity}")
    assert fill == paint.SEVERITY_FILL[severity]
    beside = {name: _fill(css, selector) for selector, name in PAGE_BESIDE.items()} | {"body": paint.BODY_FILL}
    ratios = {name: round(paint.contrast_ratio(fill, colour), 2) for name, colour in beside.items()}
    print(f"severity {severity} {fill}: {ratios}")
    assert min(ratios.values()) >= paint.NON_TEXT_CONTRAST, ratios


@pytest.mark.parametrize("severity", [1, 2, 3])
def test_every_severity_on_the_printed_chart_stands_out_3_to_1(severity: int) -> None:
    css = stylesheet("pdf")
    fill = _fill(css, f".bc-muscle.bc-sev{severity}")
    beside = [_fill(css, ".bc-muscle"), _fill(css, ".bc-muscle.bc-deep"), _fill(css, ".bc-body")]
    assert min(paint.contrast_ratio(fill, colour) for colour in beside) >= paint.NON_TEXT_CONTRAST


@pytest.mark.parametrize("sign", ["tender", "thickened"])
def test_a_paraspinal_level_mark_stands_out_from_the_muscle_it_is_drawn_over(sign: str) -> None:
    css = page_stylesheet()
    stroke = _fill(css, f".bc-level-{sign}", "stroke")
    assert paint.contrast_ratio(stroke, _fill(css, ".bc-muscle")) >= paint.NON_TEXT_CONTRAST
    assert paint.contrast_ratio(stroke, paint.BODY_FILL) >= paint.NON_TEXT_CONTRAST


def test_a_thickened_level_is_darker_than_a_tender_one_and_unlike_a_skin_sign() -> None:
    tender, thickened = paint.LEVEL_STROKE["tender"], paint.LEVEL_STROKE["thickened"]
    assert paint.relative_luminance(thickened) < paint.relative_luminance(tender)
    assert paint.SKIN_FILL not in paint.LEVEL_STROKE.values()
