"""The exam page on a tablet and a phone: side by side without sideways scrolling, fingertip targets, the ladder by keys."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

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


def test_the_spine_ladder_is_worked_by_keys(tablet: Any, server: Server, screenshots: Path) -> None:
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
    # The chart's spine follows the ladder: a mark beside each marked level, in its sign's paint, and none for a cleared one.
    marks = page.locator("svg.bc-back g.bc-levels path.bc-level-mark")
    expect(marks).to_have_count(2)
    assert {(m.get_attribute("data-level"), m.get_attribute("data-side"), m.get_attribute("class")) for m in marks.all()} == {
        ("C5-C6", "right", "bc-level-mark bc-level-tender"),
        ("C6", "right", "bc-level-mark bc-level-thickened"),
    }
    c6 = page.locator("svg.bc-back path.bc-level-mark[data-level='C6']").bounding_box()
    assert c6 and c6["width"] > c6["height"]  # drawn: a short stroke across, beside the spine
    # The rung and the chart mark of a level wear the same colour, as the browser paints them.
    for level in ("C5-C6", "C6"):
        rung = page.locator(f"button[data-rung='para_{level}_right']").evaluate("b => getComputedStyle(b).backgroundColor")
        mark = page.locator(f"svg.bc-back path.bc-level-mark[data-level='{level}']").evaluate("p => getComputedStyle(p).stroke")
        assert rung == mark, (level, rung, mark)
    page.locator(".ladder-card").screenshot(path=str(screenshots / "exam-form-ladder.png"))


SECTION_KEYS = {
    "C": "Body chart",
    "P": "Spine: paraspinal levels",
    "B": "Tender bands",
    "Z": "Skin and sensation",
    "M": "Range of motion",
    "W": "Weakness",
    "R": "Reflexes",
    "H": "History and red flags",
    "N": "Exam notes",
    "D": "This session",
    "S": "Save",
}


def test_section_shortcuts_are_shown_listed_and_named_to_assistive_technology(tablet: Any, server: Server, screenshots: Path) -> None:
    page = tablet
    episode_id, _, _ = consented_episode(server)
    page.goto(f"{server.url}/episodes/{episode_id}/exams/new/")
    page.click("#key-list summary")
    items = page.locator("[data-key-items] li")
    assert items.all_inner_texts() == [f"Alt+Shift+{key} {name}" for key, name in SECTION_KEYS.items()]
    for key, name in SECTION_KEYS.items():
        where = page.locator(f"[data-key='{key}']")
        labelled = where.locator("h2") if key != "S" else where.locator("button[data-save]")
        assert labelled.get_attribute("aria-keyshortcuts") == f"Alt+Shift+{key}", name
        hint = where.locator("kbd.key-hint")
        expect(hint).to_have_text(f"Alt+Shift+{key}")
        if key != "S":  # the save bar keeps to one line on a tablet: its chord is in the list
            expect(hint).to_be_visible()  # the chord beside the heading
    page.locator("#key-list").screenshot(path=str(screenshots / "exam-form-shortcuts.png"))
    # Each lands on the section's first field: the chart's one tab stop, a rung, a reflex, a note.
    page.keyboard.press("Alt+Shift+KeyC")
    assert page.evaluate("document.activeElement.classList.contains('bc-shape')")
    page.keyboard.press("Alt+Shift+KeyP")
    assert page.evaluate("document.activeElement.dataset.rung") == "para_C0-C1_left"
    page.keyboard.press("Alt+Shift+KeyR")
    assert page.evaluate("document.activeElement.tagName + ' ' + document.activeElement.name").startswith("SELECT reflex_")
    page.keyboard.press("Alt+Shift+KeyN")
    assert page.evaluate("document.activeElement.id") == "exam_note"
    page.keyboard.press("Alt+Shift+KeyZ")
    assert page.evaluate("document.activeElement.id") == "zone_name"


def test_a_tap_on_a_rung_repaints_the_chart_spine(tablet: Any, server: Server) -> None:
    page = tablet
    episode_id, _, _ = consented_episode(server)
    page.goto(f"{server.url}/episodes/{episode_id}/exams/new/")
    mark = page.locator("svg.bc-back path.bc-level-mark[data-level='C5-C6'][data-side='right']")
    expect(mark).to_have_count(0)
    page.click("button[data-rung='para_C5-C6_right']")  # tender
    expect(mark).to_have_class("bc-level-mark bc-level-tender")
    page.click("button[data-rung='para_C5-C6_right']")  # thickened
    expect(mark).to_have_class("bc-level-mark bc-level-thickened")
    page.click("button[data-rung='para_C5-C6_right']")  # clear
    expect(mark).to_have_count(0)


def _status(page: Any, pattern: str) -> None:
    # The page's CSP forbids eval, so the wait is Playwright's own, on the status line.
    expect(page.locator("#draft-status")).to_have_text(re.compile(pattern), timeout=ACTION_TIMEOUT_MS)


def _saved(page: Any) -> None:
    _status(page, r"^Saved \d\d:\d\d$")


def _kept(page: Any, episode_id: int) -> str | None:
    return page.evaluate(f"window.localStorage.getItem('myotome-exam-draft:{episode_id}')")


def test_a_dropped_connection_loses_nothing(tablet: Any, server: Server, screenshots: Path) -> None:
    page = tablet
    episode_id, _, family = consented_episode(server)
    page.goto(f"{server.url}/episodes/{episode_id}/exams/new/")
    page.click("button[data-rung='para_C6_right']")
    _saved(page)  # the first autosave made the draft: the page now edits it
    exam_id = int(page.locator("form[data-exam-form]").get_attribute("data-exam"))
    assert page.url.endswith(f"/exams/{exam_id}/edit/")

    page.context.set_offline(True)
    page.click("button[data-rung='para_C5-C6_right']")
    page.fill("#exam_note", "kept while offline")
    page.locator("#exam_note").blur()
    _status(page, "^Offline — kept on this device$")
    kept = _kept(page, episode_id)
    assert kept and "para_C5-C6_right" in kept and "kept while offline" in kept
    assert family not in kept and "csrfmiddlewaretoken" not in kept  # the episode's id is the only link to the patient
    page.screenshot(path=str(screenshots / "exam-form-offline.png"))

    page.context.set_offline(False)
    _saved(page)
    document, note = server.query("SELECT document, exam_note FROM exams_exam WHERE id = ?", exam_id)[0]
    assert '"level": "C5-C6"' in document and '"level": "C6"' in document and note == "kept while offline"
    assert _kept(page, episode_id) is None


def test_a_timed_out_sign_in_loses_nothing(tablet: Any, server: Server) -> None:
    page = tablet
    episode_id, _, _ = consented_episode(server)
    page.goto(f"{server.url}/episodes/{episode_id}/exams/new/")
    page.fill("#rom_shoulder_abduction_right", "95")
    page.locator("#rom_shoulder_abduction_right").blur()
    _saved(page)
    exam_id = int(page.locator("form[data-exam-form]").get_attribute("data-exam"))

    page.context.clear_cookies()  # the session ends while the clinician works
    page.click("button[data-rung='para_C7-T1_right']")
    _status(page, "^Signed out — kept on this device")
    assert "para_C7-T1_right" in (_kept(page, episode_id) or "")

    sign_in(page, server)
    page.goto(f"{server.url}/exams/{exam_id}/edit/")
    assert page.locator("#draft-restore").is_visible()
    page.click("#draft-restore [data-restore]")
    _saved(page)
    assert page.locator("#para_C7-T1_right").input_value() == "tender"
    document = server.query("SELECT document FROM exams_exam WHERE id = ?", exam_id)[0][0]
    assert '"level": "C7-T1"' in document and '"value": 95' in document
    assert _kept(page, episode_id) is None
    # Saving the exam finishes the draft; nothing is left on the device.
    page.click("button[data-save]")
    page.wait_for_url(re.compile(rf"/exams/{exam_id}/$"))
    assert _kept(page, episode_id) is None


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1024, 768)])
def test_a_saved_exam_and_its_plan_read_on_a_phone_and_a_tablet(
    tablet: Any, server: Server, screenshots: Path, width: int, height: int
) -> None:
    page = tablet
    page.set_viewport_size({"width": width, "height": height})
    rows = server.query(
        """SELECT x.id FROM exams_exam x JOIN patients_episode e ON e.id = x.episode_id JOIN patients_patient p ON p.id = e.patient_id
           JOIN accounts_clinic c ON c.id = p.clinic_id WHERE c.name = 'Riverside IMS Clinic' AND x.status = 'saved'
           AND EXISTS (SELECT 1 FROM patients_consent k WHERE k.patient_id = p.id AND k.withdrawn_on IS NULL) ORDER BY x.id"""
    )
    assert rows, "the demo practice has no saved exam with consent"
    page.goto(f"{server.url}/exams/{rows[0][0]}/")
    assert page.locator("ol.plan-steps > li").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Every step reads within the screen: nothing of the plan is cut off at the right.
    right = page.evaluate("Math.max(...[...document.querySelectorAll('.step')].map(e => e.getBoundingClientRect().right))")
    assert right <= width
    page.screenshot(path=str(screenshots / f"exam-plan-{width}.png"), full_page=True)
