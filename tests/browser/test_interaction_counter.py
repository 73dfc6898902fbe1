"""The interaction counter that the charting tests rely on counts as issue 9 defines it."""

from __future__ import annotations

from typing import Any

from .conftest import Server
from .interactions import COUNTER, interaction_log, interactions


def test_a_typed_value_a_key_a_tap_and_a_chosen_option_are_one_interaction_each(browser: Any, server: Server) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.add_init_script(COUNTER)
    page = context.new_page()
    page.goto(server.url + "/accounts/login/")
    page.evaluate(
        """() => {  // a list to choose from, added by the test: the sign-in page has none
      const s = document.createElement('select'); s.id = 'pick';
      for (const v of ['a', 'b']) { const o = document.createElement('option'); o.value = v; o.textContent = v; s.append(o); }
      document.body.append(s);
    }"""
    )
    assert interactions(page) == 0
    page.locator("input[name=username]").press_sequentially("demo")  # four keys, one typed value
    assert interactions(page) == 1
    page.keyboard.press("Tab")
    assert interactions(page) == 2
    page.fill("input[name=password]", "demo")  # a value put in at once is one typed value too
    assert interactions(page) == 3
    page.select_option("#pick", "b")
    assert interactions(page) == 4
    page.locator("input[name=username]").click()
    page.keyboard.type("x")  # typing again after a tap is a new typed value
    assert interactions(page) == 6
    page.keyboard.press("Control+a")  # a chord is one
    assert interactions(page) == 7
    page.click("form button[type=submit]")  # the count survives the page that the post brings back
    page.wait_for_load_state()
    assert interactions(page) == 8, interaction_log(page)
    context.close()
