"""The body chart for fingers and keys, in a real browser at 1024 x 768 (a landscape tablet).

One tab stop with arrows between neighbours, type-ahead by name or abbreviation, the skip link,
severity and side keys, the paint tools, the name readout, every target at least 24 x 24 CSS px
at its region's zoom (WCAG 2.2, 2.5.8) and the sprite served to be cached. Screenshots of each
zoom land in test-output/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from myotome.bodychart import load_chart
from myotome.bodychart.sprite import _zoom_of
from myotome.bodychart.zoom import WHOLE, load_zooms

from .conftest import Server
from .test_exam_browser import ACTION_TIMEOUT_MS, click_shape, consented_episode, sign_in

TABLET = {"width": 1024, "height": 768}
ACTIVE = "() => { const a = document.activeElement; return a && a.classList.contains('bc-shape') ? [a.dataset.id, a.dataset.side, a.closest('svg').dataset.view] : null; }"
CENTRE = "() => { const r = document.activeElement.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }"


@pytest.fixture
def tablet(browser: Any, server: Server) -> Any:
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    # Console errors (a CSP refusal shows up here) and failed requests; the browser's own favicon request is not the page's.
    page.on(
        "console",
        lambda m: page.problems.append(m.text) if m.type == "error" and not m.text.startswith("Failed to load resource") else None,
    )
    page.on(
        "response",
        lambda r: page.problems.append(f"{r.status} {r.url}") if r.status >= 400 and not r.url.endswith("/favicon.ico") else None,
    )
    sign_in(page, server)
    episode_id, _, _ = consented_episode(server)
    page.goto(f"{server.url}/episodes/{episode_id}/exams/new/")
    page.wait_for_load_state("load")  # the sprite too
    page.wait_for_selector(".bc-shape[tabindex='0']", state="attached")
    yield page
    context.close()


def band_severity(page: Any, muscle: str, side: str) -> str | None:
    row = page.locator(f"#band-list li[data-token='{muscle}:{side}'] select")
    return row.input_value() if row.count() else None


def test_the_chart_is_one_tab_stop_with_arrows_type_ahead_and_keys(tablet: Any, screenshots: Path) -> None:
    page = tablet
    assert page.locator(".bc-shape[tabindex='0']").count() == 1
    assert page.locator(".bc-shape[role='button']").count() > 300

    # The skip link comes before the chart and lands after it.
    page.focus(".skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "chart-end"

    # Into the chart with one Tab stop, out of it with the next Tab.
    page.focus(".bc-shape[tabindex='0']")
    assert page.evaluate(ACTIVE) is not None
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE) is None
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(ACTIVE) is not None

    # Type-ahead by abbreviation and by name.
    page.keyboard.type("ecrb")
    assert page.evaluate(ACTIVE)[0] == "extensor_carpi_radialis_brevis"
    assert "extensor carpi radialis brevis" in page.locator("[data-chart-readout]").inner_text().lower()
    page.wait_for_timeout(1100)  # a pause starts a new name
    page.keyboard.type("supin")
    assert page.evaluate(ACTIVE)[0] == "supinator"

    # Arrows move to a neighbour in that direction.
    for key, axis, sign in (("ArrowDown", 1, 1), ("ArrowUp", 1, -1), ("ArrowRight", 0, 1), ("ArrowLeft", 0, -1)):
        before, where = page.evaluate(ACTIVE), page.evaluate(CENTRE)
        page.keyboard.press(key)
        after = page.evaluate(ACTIVE)
        assert after is not None and after != before, key
        assert (page.evaluate(CENTRE)[axis] - where[axis]) * sign > 0, key

    # Severity keys and Enter, on the focused muscle; Shift+S crosses to the other side.
    page.wait_for_timeout(1100)
    page.keyboard.type("supin")
    muscle, side, _ = page.evaluate(ACTIVE)
    page.keyboard.press("2")
    assert band_severity(page, muscle, side) == "2"
    page.keyboard.press("0")
    assert band_severity(page, muscle, side) is None
    page.keyboard.press("Enter")
    assert band_severity(page, muscle, side) == "1"
    page.wait_for_timeout(1100)
    page.keyboard.press("Shift+S")
    other = page.evaluate(ACTIVE)
    assert other[0] == muscle and other[1] != side
    assert page.locator("[data-chart-keys]").is_visible()
    page.locator(".chart-column").screenshot(path=str(screenshots / "chart-keys-1024.png"))
    assert page.problems == [], page.problems


def test_paint_tools_mark_and_clear_with_one_tap(tablet: Any, screenshots: Path) -> None:
    page = tablet
    page.click("button[data-zoom-to='forearm_hand']")
    forearm = "svg.bc-back .bc-shape[data-id='lateral_forearm'][data-side='right']"
    page.click("button[data-tool='skin'][data-value='pilomotor']")  # a skin tool shows the zones
    assert page.locator(forearm).is_visible()
    click_shape(page, forearm)
    assert page.locator("#zone-list li[data-token='lateral_forearm:right:skin:pilomotor']").count() == 1
    assert "bc-skin" in (page.locator(forearm).get_attribute("class") or "")
    click_shape(page, forearm)  # the same tool again clears it
    assert page.locator("#zone-list li[data-token='lateral_forearm:right:skin:pilomotor']").count() == 0
    thumb = "svg.bc-front .bc-shape[data-id='thumb'][data-side='right']"
    page.click("button[data-tool='sensory'][data-value='reduced']")
    click_shape(page, thumb)
    assert page.locator("#zone-list li[data-token='thumb:right:sensory:reduced']").count() == 1
    assert "bc-sensory-reduced" in (page.locator(thumb).get_attribute("class") or "")
    assert page.locator(thumb).get_attribute("aria-label").endswith("reduced sensation")
    page.locator(".chart-column").screenshot(path=str(screenshots / "chart-paint-zones-1024.png"))

    page.click("button[data-tool='band'][data-value='3']")  # a band tool shows the muscles
    supinator = "svg.bc-back .bc-shape[data-id='supinator'][data-side='right']"
    click_shape(page, supinator)
    assert band_severity(page, "supinator", "right") == "3"
    page.hover(supinator)
    assert page.locator("[data-chart-readout]").inner_text().startswith("Right supinator")
    click_shape(page, supinator)
    assert band_severity(page, "supinator", "right") is None
    assert page.locator("#zone-panel").count() == 0  # no per-zone panel and "Done"
    assert page.problems == [], page.problems


def _home_zooms() -> dict[str, list[str]]:
    """Zoom id -> "view kind side id" of the targets whose centre lies in that zoom's box."""
    chart = load_chart()
    out: dict[str, list[str]] = {}
    for view in chart.views.values():
        for shape in view.shapes:
            out.setdefault(_zoom_of(view, shape), []).append(f"{view.name} {shape.kind} {shape.side} {shape.id}")
    return out


MEASURE = """([keys, minimum]) => {
  const bad = [];
  for (const key of keys) {
    const [view, kind, side, id] = key.split(" ");
    const t = [...document.querySelectorAll(`svg.bc-${view} .bc-shape[data-kind="${kind}"][data-side="${side}"]`)].find(u => u.dataset.id === id);
    t.scrollIntoView({block: "center", inline: "center"});
    const r = t.getBoundingClientRect();
    let hit = false;
    for (let n = 2; n <= 12 && !hit; n += 2) for (let i = 1; i < n && !hit; i++) for (let j = 1; j < n && !hit; j++) {
      hit = document.elementFromPoint(r.left + r.width * i / n, r.top + r.height * j / n) === t;
    }
    if (r.width < minimum || r.height < minimum || !hit) bad.push(`${key}: ${r.width.toFixed(1)} x ${r.height.toFixed(1)}${hit ? "" : ", covered"}`);
  }
  return bad;
}"""


def test_every_target_is_at_least_24_px_at_its_zoom(tablet: Any, screenshots: Path) -> None:
    page = tablet
    homes = _home_zooms()
    failures: list[str] = []
    measured = 0
    for zoom in load_zooms().values():
        if zoom.id == WHOLE:
            continue
        for side in ("right", "left") if zoom.sided else ("right",):
            page.click(f"button[data-zoom-to='{zoom.id}']")
            if page.locator("[data-chart]").get_attribute("data-zoom-side") != side:
                page.click("button[data-zoom-flip]")
            for tool, kind in (
                ("button[data-tool='band'][data-value='']", "muscle"),
                ("button[data-tool='skin'][data-value='trophedema']", "region"),
            ):
                page.click(tool)
                keys = [k for k in homes.get(zoom.id, []) if k.split(" ")[1] == kind and (not zoom.sided or k.split(" ")[2] == side)]
                failures += page.evaluate(MEASURE, [keys, 24])
                measured += len(keys)
            page.locator(".charts").screenshot(path=str(screenshots / f"chart-zoom-{zoom.id}-{side}-1024.png"))
    assert measured > 300
    assert failures == [], f"{len(failures)} of {measured} targets: " + "; ".join(failures)


def test_the_sprite_is_served_once_to_be_kept(tablet: Any, server: Server) -> None:
    href = tablet.locator("svg.bc-front use").first.get_attribute("href")
    url = server.url + re.sub(r"#.*$", "", href)
    response = tablet.request.get(url)
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert "immutable" in response.headers["cache-control"]
