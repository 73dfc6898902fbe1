"""The exam in a real browser: sign in as demo/demo, open a demo patient, mark the body chart,
record a range of motion, save, and read the ranked segments and the plan.

Screenshots of the exam and the plan land in test-output/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Server

UPPER_LIMB = ("tennis_elbow", "golfers_elbow", "de_quervain", "carpal_tunnel_syndrome", "rotator_cuff")

# A point inside the shape where the shape itself is on top, in page coordinates, so that the
# test clicks the drawing as a clinician would (the middle of a thin, curved muscle's bounding
# box can lie outside it, or on a neighbour).
# Each target is a <use> of the chart's sprite: the point is found by asking the page what is on top.
_POINT_INSIDE = """(shape) => {
  shape.scrollIntoView({block: "center"});
  const box = shape.getBoundingClientRect();
  for (let n = 3; n <= 24; n += 3) {
    for (let i = 1; i < n; i++) for (let j = 1; j < n; j++) {
      const x = box.left + box.width * i / n, y = box.top + box.height * j / n;
      if (document.elementFromPoint(x, y) === shape) return {x: x, y: y};
    }
  }
  return null;
}"""


# A loaded 2-core CI machine can take seconds per page; waits are for elements, never fixed sleeps.
ACTION_TIMEOUT_MS = 90_000


def click_shape(page: Any, selector: str) -> None:
    shape = page.locator(selector).first
    point = shape.evaluate(_POINT_INSIDE)
    assert point is not None, f"no clickable point inside {selector}"
    page.mouse.click(point["x"], point["y"])


def sign_in(page: Any, server: Server) -> None:
    page.goto(server.url + "/accounts/login/")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "demo")
    page.click("form button[type=submit]")
    page.wait_for_url(server.url + "/")


def consented_episode(server: Server) -> tuple[int, int, str]:
    """(episode id, patient id, patient's family name): an upper-limb episode of the demo clinician's clinic with consent."""
    rows = server.query(
        """SELECT e.id, p.id, p.family_name, e.condition FROM patients_episode e
           JOIN patients_patient p ON p.id = e.patient_id JOIN accounts_clinic c ON c.id = p.clinic_id
           WHERE c.name = 'Riverside IMS Clinic'
             AND EXISTS (SELECT 1 FROM patients_consent k WHERE k.patient_id = p.id AND k.withdrawn_on IS NULL)
           ORDER BY e.id"""
    )
    assert rows, "the demo practice has no consented episode in the first clinic"
    rows.sort(key=lambda r: r[3] not in UPPER_LIMB)
    episode_id, patient_id, family, _ = rows[0]
    return episode_id, patient_id, family


@pytest.fixture
def page(browser: Any, server: Server) -> Any:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    # Console errors (a CSP refusal shows up here), uncaught exceptions and failed requests;
    # the browser's own favicon request is not the page's.
    page.problems = []
    page.on(
        "console",
        lambda m: page.problems.append(m.text) if m.type == "error" and not m.text.startswith("Failed to load resource") else None,
    )
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on(
        "response",
        lambda r: page.problems.append(f"{r.status} {r.url}") if r.status >= 400 and not r.url.endswith("/favicon.ico") else None,
    )
    yield page
    context.close()


def test_exam_on_the_body_chart_is_saved_and_planned(page: Any, server: Server, screenshots: Path) -> None:
    episode_id, patient_id, family = consented_episode(server)
    sign_in(page, server)

    # Open the patient from the list, then the episode, then a new exam: the way a clinician gets there.
    page.goto(server.url + "/patients/")
    page.click(f"a[href='/patients/{patient_id}/']")
    assert family in page.locator("h1").inner_text()
    page.click(f"a[href='/episodes/{episode_id}/']")
    page.click(f"a[href='/episodes/{episode_id}/exams/new/']")
    page.wait_for_url(re.compile(r"/exams/new/$"))
    assert page.locator("h1").inner_text().startswith("New exam")

    # Tender bands by clicking the chart: ECRB twice (severity 2), infraspinatus once, biceps once.
    page.click("button[data-zoom-to='whole']")
    ecrb = "svg.bc-back .bc-shape[data-id='extensor_carpi_radialis_brevis'][data-side='right']"
    click_shape(page, ecrb)
    click_shape(page, ecrb)
    click_shape(page, "svg.bc-back .bc-shape[data-id='infraspinatus'][data-side='right']")
    click_shape(page, "svg.bc-front .bc-shape[data-id='biceps_brachii'][data-side='right']")
    rows = page.locator("#band-list li")
    assert rows.count() == 3
    assert "bc-sev2" in (page.locator(ecrb).get_attribute("class") or "")
    assert page.locator(ecrb).get_attribute("aria-label").endswith("tender band severity 2")
    assert page.locator("#band-list li[data-token='extensor_carpi_radialis_brevis:right'] select").input_value() == "2"

    # The keyboard does the same: focus a muscle and press Enter.
    supinator = "svg.bc-back .bc-shape[data-id='supinator'][data-side='right']"
    page.locator(supinator).focus()
    page.keyboard.press("Enter")
    assert "bc-sev1" in (page.locator(supinator).get_attribute("class") or "")

    # A skin sign on a dermatome zone: choose the tool, tap the zone (the chart shows its zones).
    page.click("button[data-tool='skin'][data-value='trophedema']")
    click_shape(page, "svg.bc-back .bc-shape[data-id='lateral_forearm'][data-side='right']")
    assert "Trophedema" in page.locator("#zone-list").inner_text()
    page.click("button[data-tool='band'][data-value='']")

    # The searchable list: a typo gets the KB's suggestion, which adds the muscle.
    page.fill("#band_name", "extensor carpi ulnaris")
    page.click("button[data-add='band']")
    page.wait_for_selector("#band-list li[data-token='extensor_carpi_ulnaris:right']")
    page.fill("#band_name", "teres minr")
    page.click("button[data-add='band']")
    page.wait_for_selector("#band-lookup .suggestion")
    assert "did you mean" in page.locator("#band-lookup").inner_text()

    # Range of motion with its restriction shown as it is typed; a root sign and a paraspinal level.
    page.fill("#rom_shoulder_abduction_right", "120")
    assert page.locator("#rom_shoulder_abduction_right-restriction").inner_text() == "33% restricted"
    page.select_option("#reflex_brachioradialis_reflex_right", "reduced")
    page.click("button[data-rung='para_C6_right']")  # the spine ladder: tender, then thickened
    page.click("button[data-rung='para_C6_right']")
    assert page.locator("#para_C6_right").input_value() == "thickened"
    page.click("button[data-rung='para_C7-T1_right']")  # an interspace: where the C8 root leaves
    page.evaluate("window.scrollTo(0, 0)")  # sticky columns are drawn where the scroll leaves them
    page.screenshot(path=str(screenshots / "exam-form.png"), full_page=True)
    page.locator(".chart-column").screenshot(path=str(screenshots / "exam-form-chart.png"))
    page.locator("section[aria-labelledby='para-heading']").screenshot(path=str(screenshots / "exam-form-levels.png"))

    page.click("button[data-save]")
    page.wait_for_url(re.compile(r"/exams/\d+/$"))
    assert page.locator("h1").inner_text().startswith("Exam and plan")

    # Ranked segments with their evidence, the plan as an ordered list and as numbered markers.
    segments = page.locator("ol.segments > li")
    assert segments.count() >= 3
    top = segments.first.locator(".segment-name").inner_text()
    assert top in ("C5", "C6", "C7")
    assert "reduced brachioradialis reflex" in page.locator("ol.segments").inner_text()
    steps = page.locator("ol.plan-steps > li")
    assert steps.count() >= 3
    assert "Cervical multifidus" in steps.first.inner_text()  # paraspinal first
    markers = page.locator("svg .bc-plan-marker")
    assert markers.count() >= 3
    assert page.locator("svg .bc-plan-marker[data-order='1']").count() >= 1
    assert "Saved" in page.locator("h1").inner_text()
    assert "Paraspinal tender at C7-T1, right" in page.locator("ol.findings").inner_text()
    page.screenshot(path=str(screenshots / "exam-plan.png"), full_page=True)
    page.locator(".chart-column").screenshot(path=str(screenshots / "exam-plan-chart.png"))

    assert page.problems == [], page.problems


def post(page: Any, selector: str) -> None:
    """Click a button that posts the form (scripts off) and wait until the page it brings back has loaded."""
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def test_every_mark_is_possible_without_javascript(browser: Any, server: Server, screenshots: Path) -> None:
    """Progressive enhancement: with scripts off, the list adds marks and a refused save keeps them."""
    episode_id, _, _ = consented_episode(server)
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        sign_in(page, server)
        page.goto(f"{server.url}/episodes/{episode_id}/exams/new/")
        page.fill("#band_name", "ECRB")
        post(page, "button[data-add='band']")
        assert page.locator("#band-list li[data-token='extensor_carpi_radialis_brevis:right']").count() == 1
        page.fill("#zone_name", "pinky")
        page.select_option("select[name=zone_sign]", "sensory:reduced")
        post(page, "button[data-add='zone']")
        assert page.locator("#zone-list li[data-token='little_finger:right:sensory:reduced']").count() == 1
        post(page, "button[data-rung='para_C5-C6_right']")  # a rung posts the form; the server cycles it
        assert page.locator("#para_C5-C6_right").input_value() == "tender"
        expect(page.locator("button[data-rung='para_C5-C6_right']")).to_be_focused()  # back at the rung tapped
        assert page.locator("#band-list li").count() == 1 and page.locator("#zone-list li").count() == 1
        page.fill("#rom_wrist_extension_right", "lots")
        post(page, "button[name=action][value=save]")
        summary = page.locator("#error-summary").inner_text()
        assert "Wrist extension, right: 'lots' is not a number" in summary
        assert page.locator("#rom_wrist_extension_right").input_value() == "lots"
        assert page.locator("#band-list li").count() == 1 and page.locator("#zone-list li").count() == 1
        page.screenshot(path=str(screenshots / "exam-form-no-js-error.png"))
    finally:
        context.close()
