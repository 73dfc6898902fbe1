"""The kiosk in a browser: a clinician makes a link, the patient answers the NPRS on the clinic
tablet, the episode's progress chart gains the point; the link refuses a second use; opened where
the clinician is signed in, Back shows the lock, not the record, until the password."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from .conftest import Server
from .test_exam_browser import ACTION_TIMEOUT_MS, sign_in

NPRS_CHART = 'svg:has(title:text-is("Numeric Pain Rating Scale over time"))'


def demo_episode(server: Server) -> int:
    rows = server.query(
        """SELECT e.id FROM patients_episode e JOIN patients_patient p ON p.id = e.patient_id
           JOIN accounts_clinic c ON c.id = p.clinic_id JOIN auth_user u ON u.id = e.clinician_id
           WHERE c.name = 'Riverside IMS Clinic' AND e.status = 'active' ORDER BY e.id LIMIT 1"""
    )
    assert rows, "the demo practice has no active episode"
    return int(rows[0][0])


def nprs_points(page: Any) -> int:
    chart = page.locator(NPRS_CHART)
    return 0 if chart.count() == 0 else chart.locator("circle.point").count()


def make_link(page: Any, server: Server, episode: int) -> str:
    page.goto(f"{server.url}/episodes/{episode}/outcomes/")
    page.get_by_role("button", name="Kiosk link: Numeric Pain Rating Scale").click()
    expect(page.get_by_role("heading", name="Kiosk link: Numeric Pain Rating Scale")).to_be_visible()
    return str(page.locator("#kiosk-url").input_value())


def test_a_patient_answers_on_the_tablet_and_the_chart_gains_the_point(browser: Any, server: Server, screenshots: Any) -> None:
    episode = demo_episode(server)
    staff = browser.new_context(viewport={"width": 1024, "height": 768})
    tablet = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)  # no one signed in
    try:
        page = staff.new_page()
        page.set_default_timeout(ACTION_TIMEOUT_MS)
        sign_in(page, server)
        page.goto(f"{server.url}/episodes/{episode}/progress/")
        before = nprs_points(page)
        url = make_link(page, server, episode)
        assert re.fullmatch(re.escape(server.url) + r"/kiosk/[A-Za-z0-9_-]{43}/", url)  # the token alone: no patient, episode or measure

        patient = tablet.new_page()
        patient.goto(url)
        expect(patient.get_by_role("heading", name="Numeric Pain Rating Scale")).to_be_visible()
        patient.get_by_label("3", exact=True).check()
        patient.screenshot(path=str(screenshots / "kiosk-nprs-phone.png"), full_page=True)
        patient.get_by_role("button", name="Send my answers").click()
        expect(patient.get_by_role("heading", name="Thank you")).to_be_visible()

        page.goto(f"{server.url}/episodes/{episode}/progress/")
        expect(page.locator(NPRS_CHART).locator("circle.point")).to_have_count(before + 1)
        page.locator(NPRS_CHART).screenshot(path=str(screenshots / "progress-nprs-chart.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(screenshots / "progress-phone.png"), full_page=True)

        second = patient.goto(url)
        assert second is not None and second.status == 410
        expect(patient.get_by_role("heading", name="Link not available")).to_be_visible()
    finally:
        staff.close()
        tablet.close()


def test_opening_the_kiosk_where_staff_are_signed_in_locks_the_record(browser: Any, server: Server) -> None:
    episode = demo_episode(server)
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    try:
        page = context.new_page()
        page.set_default_timeout(ACTION_TIMEOUT_MS)
        sign_in(page, server)
        url = make_link(page, server, episode)
        page.goto(f"{server.url}/episodes/{episode}/")  # the record, then the kiosk opened from it
        expect(page.get_by_role("heading", name="Outcome measures")).to_be_visible()
        page.goto(url)
        expect(page.get_by_role("heading", name="Numeric Pain Rating Scale")).to_be_visible()
        page.go_back()  # Back to the episode page: the lock, not the record
        expect(page.get_by_role("heading", name="This device is locked")).to_be_visible()
        expect(page.get_by_role("heading", name="Outcome measures")).to_have_count(0)
        page.goto(f"{server.url}/episodes/{episode}/progress/")
        expect(page.get_by_role("heading", name="This device is locked")).to_be_visible()
        page.fill("input[name=password]", "not the password")
        page.get_by_role("button", name="Unlock").click()
        expect(page.get_by_text("That is not the password of the signed-in account.", exact=True)).to_be_visible()
        page.fill("input[name=password]", "demo")
        page.get_by_role("button", name="Unlock").click()
        page.wait_for_url(server.url + "/")
        page.goto(f"{server.url}/episodes/{episode}/progress/")
        expect(page.get_by_role("heading", name="Progress")).to_be_visible()
    finally:
        context.close()
