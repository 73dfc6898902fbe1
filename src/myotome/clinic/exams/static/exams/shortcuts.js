/* The exam page's section shortcuts: Alt+Shift and a letter moves the focus to a section's first field.
 *
 * Each section carries its letter (data-key="C") in the page; this file shows the letter beside the
 * section's heading, names it to assistive technology (aria-keyshortcuts) and lists every shortcut
 * in the page's "Keyboard shortcuts" list. A chord, not a bare letter: letters already type names
 * in the chart, mark rungs on the ladder (T, K) and pick options in lists, and a single-key shortcut
 * would fire in a screen reader's reading mode (WCAG 2.1.4). Alt+digit switches browser tabs.
 * No inline script or style, as the Content-Security-Policy demands.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-exam-form]");
  if (!form) return;
  var sections = Array.prototype.slice.call(form.querySelectorAll("[data-key]"));
  if (!sections.length) return;
  var CHORD = "Alt+Shift+";

  function all(selector, where) { return Array.prototype.slice.call(where.querySelectorAll(selector)); }
  function nameOf(section) {
    var heading = section.querySelector("h2");
    return section.getAttribute("data-key-name") || (heading ? heading.textContent.trim() : section.getAttribute("data-key"));
  }
  function usable(el) {
    return !el.disabled && !el.closest("[hidden]") && !el.classList.contains("default-submit") &&
      !el.classList.contains("skip-link") && el.getAttribute("tabindex") !== "-1";
  }
  // Where a shortcut lands: the field marked for it, the chart's one tab stop, or the first field
  // not folded away (a folded group's field when the section has nothing else).
  function landing(section) {
    var marked = section.querySelector("[data-key-landing]") || section.querySelector('.bc-shape[tabindex="0"]');
    if (marked) return marked;
    var fields = all('input:not([type="hidden"]), select, textarea, button', section).filter(usable);
    return fields.filter(function (el) { var d = el.parentElement.closest("details"); return !d || d.open; })[0] || fields[0] || null;
  }
  function go(section) {
    var target = landing(section);
    if (!target) return;
    for (var d = target.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
    target.focus();
    if (target.scrollIntoView) target.scrollIntoView({ block: "nearest" });
  }

  var items = form.querySelector("[data-key-items]");
  sections.forEach(function (section) {
    var key = section.getAttribute("data-key"), chord = CHORD + key, name = nameOf(section);
    var hint = document.createElement("kbd");
    hint.className = "key-hint";
    hint.setAttribute("aria-hidden", "true");  // spoken once, from aria-keyshortcuts
    hint.textContent = chord;
    // Beside the section's heading; a section without one (the save bar) shows it on the control it lands on.
    var holder = section.querySelector("h2") || landing(section) || section;
    holder.appendChild(hint);
    holder.setAttribute("aria-keyshortcuts", chord);
    if (items) {
      var li = document.createElement("li"), k = document.createElement("kbd");
      k.textContent = chord;
      li.appendChild(k);
      li.appendChild(document.createTextNode(" " + name));
      items.appendChild(li);
    }
  });
  var list = form.querySelector("[data-key-list]");
  if (list) list.hidden = false;

  document.addEventListener("keydown", function (event) {
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return;
    // By the key's place, not its character: Option+Shift+C types "Ç" on a Mac.
    var letter = /^Key([A-Z])$/.exec(event.code || "");
    var section = letter && sections.filter(function (s) { return s.getAttribute("data-key") === letter[1]; })[0];
    if (!section) return;
    event.preventDefault();
    go(section);
  });
})();
