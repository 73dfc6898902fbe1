// Keyboard shortcuts outside the exam form, so that a page can be worked without leaving the keyboard.
//
// An element with data-shortcut="s" is used when S is pressed: a link or button is followed or
// pressed, a field is focused (its value selected), and an element marked data-shortcut-focus
// (a "Sign" button) is only focused, so that Enter confirms it. Alt+Shift+S does the same from
// anywhere, a field included, as on the exam form (exams/shortcuts.js). The bare letter works
// outside text fields only, and can be turned off (WCAG 2.1.4) with a box marked
// data-single-keys; the choice is kept on this device. Escape in a field leaves it.
// The page shows each key in a <kbd>; this file names it to assistive technology.
(() => {
  "use strict";
  const FIELD = /^(INPUT|TEXTAREA|SELECT)$/;
  const SINGLE = "myotome-single-keys";
  const single = () => { try { return localStorage.getItem(SINGLE) !== "off"; } catch (e) { return true; } };

  document.querySelectorAll("[data-shortcut]").forEach((el) => {
    const key = el.dataset.shortcut.toUpperCase();
    el.setAttribute("aria-keyshortcuts", (single() ? key + " " : "") + "Alt+Shift+" + key);
  });
  document.querySelectorAll("input[data-single-keys]").forEach((box) => {
    box.checked = single();
    box.addEventListener("change", () => {
      try { localStorage.setItem(SINGLE, box.checked ? "on" : "off"); } catch (e) { /* private mode: this page only */ }
    });
  });

  // A field that takes letters (a checkbox or a button does not).
  function typing(el) {
    if (!el || !el.tagName) return false;
    if (el.tagName === "INPUT") return !/^(checkbox|radio|button|submit|reset|file|range|color)$/i.test(el.type || "text");
    return el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable;
  }

  function use(el) {
    if (FIELD.test(el.tagName) || "shortcutFocus" in el.dataset) {
      el.focus();
      if (typeof el.select === "function") el.select();
    } else {
      el.click();
    }
  }

  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.isComposing) return;
    const chord = e.altKey && e.shiftKey;
    const target = e.target;
    const inField = typing(target);
    let letter = null;
    if (chord) {
      // By the key's place, not its character: Option+Shift+S types another letter on a Mac.
      const place = /^Key([A-Z])$/.exec(e.code || "");
      letter = place ? place[1].toLowerCase() : null;
    } else if (!e.altKey) {
      if (inField) {
        if (e.key === "Escape") target.blur();
        return;
      }
      if (e.key.length === 1 && single()) letter = e.key.toLowerCase();
    }
    if (!letter) return;
    const el = document.querySelector('[data-shortcut="' + CSS.escape(letter) + '"]');
    if (!el || el.disabled || el.closest(".hidden, [hidden]")) return;
    e.preventDefault();
    use(el);
  });
})();
