// Single-key shortcuts, so that a page can be worked without leaving the keyboard.
// An element with data-shortcut="s" is used when S is pressed outside a text field: a link or
// button is followed or pressed, a field is focused (and its value selected), and an element
// marked data-shortcut-focus (a "Sign" button, say) is only focused, so that Enter confirms it.
// Escape in a field leaves it, back to the shortcuts. The page shows each key in a <kbd>.
(() => {
  "use strict";
  const FIELD = /^(INPUT|TEXTAREA|SELECT)$/;
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    const target = e.target;
    if (target && (FIELD.test(target.tagName) || target.isContentEditable)) {
      if (e.key === "Escape") target.blur();
      return;
    }
    if (e.key.length !== 1) return;
    const el = document.querySelector('[data-shortcut="' + CSS.escape(e.key.toLowerCase()) + '"]');
    if (!el || el.disabled || el.closest(".hidden, [hidden]")) return;
    e.preventDefault();
    if (FIELD.test(el.tagName) || "shortcutFocus" in el.dataset) {
      el.focus();
      if (typeof el.select === "function") el.select();
    } else {
      el.click();
    }
  });
})();
