"""The exam page on a tablet and a phone: side by side without sideways scrolling, fingertip targets, the ladder by keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import Server
from .test_exam_browser import ACTION_TIMEOUT_MS, consented_episode, sign_in

# Every visible control of the forms column a finger taps, with its height and width.
_SMALL_TARGETS = """() => {
  const out = [];
  for (const el of document.querySelectorAll(
      ".forms-column button, .forms-column select, .forms-column input[type=text], .forms-column summary, .forms-column label.toggle span")) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || el.closest("[hidden]") || el.classList.contains("default-submit")) continue;
    if (r.height < 44 || r.width < 24) out.push(`${el.tagName} ${el.name || el.textContent.trim().slice(0, 20)} ${r.width}x${r.height}`);
  }
  return out;
}"""


@pytest.fixture
def tablet(browser: Any, server: Server) -> Any:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    sign_in(page, server)
    yield page
    context.close()


@pytest.mark.parametrize(("width", "height", "side_by_side"), [(1024, 768, True), (768, 1024, True), (390, 844, False)])
def test_the_exam_fits_the_screen_without_sideways_scrolling(
    tablet: Any, server: Server, screenshots: Path, width: int, height: int, side_by_side: bool
) -> None:
    page = tablet
    page.set_viewport_size({"width": width, "height": height})
    episode_id, _, _ = consented_episode(server)
    page.goto(f"{server.url}/episodes/{episode_id}/exams/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    chart, forms = page.locator(".chart-column").bounding_box(), page.locator(".forms-column").bounding_box()
    assert (forms["x"] >= chart["x"] + chart["width"]) is side_by_side
    assert page.evaluate(_SMALL_TARGETS) == []
    page.screenshot(path=str(screenshots / f"exam-form-{width}.png"))


def test_the_spine_ladder_is_worked_by_keys(tablet: Any, server: Server) -> None:
    page = tablet
    episode_id, _, _ = consented_episode(server)
    page.goto(f"{server.url}/episodes/{episode_id}/exams/new/")
    page.locator("button[data-rung='para_C5-C6_left']").focus()
    page.keyboard.press("ArrowRight")  # to the right side of C5-C6
    page.keyboard.press("t")
    page.keyboard.press("ArrowDown")  # C6, right
    page.keyboard.press("k")
    page.keyboard.press("ArrowDown")  # C6-C7, right
    page.keyboard.press("Enter")  # one tap: tender
    page.keyboard.press("Enter")  # thickened
    page.keyboard.press("Enter")  # clear
    values = [page.locator(f"#para_{name}").input_value() for name in ("C5-C6_right", "C6_right", "C6-C7_right", "C5-C6_left")]
    assert values == ["tender", "thickened", "", ""]
    assert page.locator("button[data-rung='para_C6_right']").get_attribute("aria-label") == "C6 right: thickened"
