"""Counting a clinician's interactions in the page itself, as issue 9 defines them.

One interaction is one tap or click, one key press or chord, one selected option, or one typed
value (typing "140" into a box is one). A listener installed before any page script counts
the browser's own trusted events, so the test cannot under-count by hand, and a value set by
script is not counted as a tap or key (a clinician cannot do that), and a value or option
set by the test driver is counted even when the driver dispatches its events itself. The count survives navigation
(sessionStorage), so a form that posts and comes back keeps adding to it.

    context.add_init_script(COUNTER)
    ...
    assert interactions(page) <= 24
"""

from __future__ import annotations

from typing import Any

COUNTER = """
(() => {
  const KEY = "myotome-test-interactions";
  const LOG = "myotome-test-interaction-log";
  let typing = null;            // the text field whose typed value is being counted
  const count = () => Number(sessionStorage.getItem(KEY) || "0");
  const add = (what) => {
    sessionStorage.setItem(KEY, String(count() + 1));
    const log = JSON.parse(sessionStorage.getItem(LOG) || "[]");
    log.push(what);
    sessionStorage.setItem(LOG, JSON.stringify(log));
  };
  const describe = (el) => {
    if (!el || !el.getAttribute) return "?";
    return (el.tagName || "").toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.getAttribute("data-id") ? "[" + el.getAttribute("data-id") + "]" : "") +
      (el.getAttribute("name") ? "[name=" + el.getAttribute("name") + "]" : "");
  };
  const textual = (el) => el && (el.tagName === "TEXTAREA" ||
    (el.tagName === "INPUT" && !/^(checkbox|radio|button|submit|reset|file|range|color)$/i.test(el.type || "text")));
  const MODIFIERS = ["Shift", "Control", "Alt", "Meta", "CapsLock"];
  window.addEventListener("pointerdown", (e) => {
    if (!e.isTrusted) return;
    typing = null;
    add("tap " + describe(e.target));
  }, true);
  window.addEventListener("keydown", (e) => {
    if (!e.isTrusted || MODIFIERS.includes(e.key)) return;
    const chord = e.ctrlKey || e.metaKey || e.altKey;
    const character = !chord && (e.key.length === 1 || e.key === "Backspace" || e.key === "Delete");
    if (character && textual(e.target)) {
      if (typing !== e.target) { typing = e.target; add("type " + describe(e.target)); }
      return;
    }
    typing = null;
    add("key " + e.key + " " + describe(e.target));
  }, true);
  // A value put in at once (Playwright's fill, a paste, dictation) is one typed value.
  // Counted trusted or not (Playwright may set a value and dispatch the event itself): over-counting is safe.
  window.addEventListener("input", (e) => {
    if (!textual(e.target) || typing === e.target) return;
    typing = e.target;
    add("type " + describe(e.target));
  }, true);
  // An option chosen in a list is one interaction, however it was opened.
  window.addEventListener("change", (e) => {
    if (!e.target || e.target.tagName !== "SELECT") return;
    typing = null;
    add("select " + describe(e.target));
  }, true);
})();
"""


def interactions(page: Any) -> int:
    return int(page.evaluate("Number(sessionStorage.getItem('myotome-test-interactions') || '0')"))


def interaction_log(page: Any) -> list[str]:
    return list(page.evaluate("JSON.parse(sessionStorage.getItem('myotome-test-interaction-log') || '[]')"))


def reset_interactions(page: Any) -> None:
    page.evaluate("sessionStorage.removeItem('myotome-test-interactions'); sessionStorage.removeItem('myotome-test-interaction-log')")
