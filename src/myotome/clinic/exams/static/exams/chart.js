/* The body chart for fingers and keys: zoom, paint tools, one tab stop, arrows, type-ahead, readout.
 *
 * Contract with the page (exam.js): this file never edits the form. Activating a target (tap,
 * click, Enter, Space, or a severity key) dispatches, from the target,
 *   new CustomEvent("chart:activate", {bubbles: true, detail: {kind, id, side, covers, tool}})
 * with kind "muscle" | "region", covers the muscle ids a group's shape stands for, and tool
 *   {kind: "band", severity: 1|2|3|0|null}  (null: cycle 1 -> 2 -> 3 -> clear; 0: clear)
 *   {kind: "skin", value: "trophedema"...} | {kind: "sensory", value: "reduced"...}.
 * The page then changes its hidden inputs and repaints with
 *   window.MyotomeChart.paint(kind, id, side, classes, spokenMarks)   every target of that id
 *   window.MyotomeChart.paintShape(target, classes, spokenMarks)     one target (a group's shape)
 * where classes are the mark classes (bc-tender bc-sev2, bc-skin, bc-sensory bc-sensory-reduced)
 * and spokenMarks the words added to its label ("tender band severity 2").
 * No inline script or style, as the Content-Security-Policy demands.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-chart]");
  if (!root) return;
  var MARK_CLASSES = ["bc-tender", "bc-sev1", "bc-sev2", "bc-sev3", "bc-skin", "bc-sensory",
    "bc-sensory-reduced", "bc-sensory-increased", "bc-sensory-altered"];
  var SKIN_WORDS = ["trophedema", "pilomotor", "vasomotor", "sudomotor", "hair loss", "hyperalgesia"];
  var svgs = Array.prototype.slice.call(root.querySelectorAll("svg.bc-chart"));
  var readout = root.querySelector("[data-chart-readout]");
  var idleText = readout ? readout.textContent : "";
  var tool = { kind: "band", severity: null };
  var layer = "muscles";
  var zoom = root.getAttribute("data-zoom") || "whole";
  var side = root.getAttribute("data-zoom-side") || "right";
  var current = null;

  function all(selector, where) { return Array.prototype.slice.call((where || root).querySelectorAll(selector)); }
  function isMarkWord(part) {
    return /^tender band severity \d$/.test(part) || /^(reduced|increased|altered) sensation$/.test(part) ||
      /^plan steps? /.test(part) || SKIN_WORDS.indexOf(part) !== -1;
  }
  // A target's href names it: "<sprite>#bmr-supinator" is the back view's right supinator (muscle,
  // m; region, r). Its spoken name, abbreviations and the muscles a group's shape covers are in
  // chart-targets.<hash>.js (window.MyotomeChartTargets, loaded before this file); the page says
  // only a marked target's label, with its marks. Both keep 350 targets' repeats out of the page.
  var KINDS = { m: "muscle", r: "region" }, SIDES = { l: "left", r: "right" };
  var TABLE = window.MyotomeChartTargets || {};
  all(".bc-shape").forEach(function (t) {
    var ref = /#([fb]([mr])([lr])-(.+))$/.exec(t.getAttribute("href") || "");
    if (ref && !t.hasAttribute("data-kind")) {
      t.setAttribute("data-kind", KINDS[ref[2]]); t.setAttribute("data-side", SIDES[ref[3]]); t.setAttribute("data-id", ref[4]);
      var entry = TABLE[ref[1]] || {};
      if (entry.abbr) t.setAttribute("data-abbr", entry.abbr);
      if (entry.covers) t.setAttribute("data-covers", entry.covers);
      if (!t.hasAttribute("aria-label") && entry.label) t.setAttribute("aria-label", entry.label);
    }
    t.setAttribute("role", "button");
    t.setAttribute("tabindex", "-1");
    var parts = (t.getAttribute("aria-label") || "").split(", ");
    t.setAttribute("data-base-label", parts.filter(function (p) { return !isMarkWord(p); }).join(", "));
  });
  function baseLabel(t) { return t.getAttribute("data-base-label") || ""; }
  function name(t) { return baseLabel(t).split(", ")[0].replace(/^(Left|Right) /, "").toLowerCase(); }

  // -- painting (called by exam.js after it changes the form) ---------------------------------------

  function paintShape(t, classes, words) {
    MARK_CLASSES.forEach(function (c) { t.classList.remove(c); });
    (classes || []).forEach(function (c) { t.classList.add(c); });
    t.setAttribute("aria-label", [baseLabel(t)].concat(words || []).join(", "));
    if (t === current) show(t);
  }
  function paint(kind, id, sideOf, classes, words) {
    all('.bc-shape[data-kind="' + kind + '"][data-side="' + sideOf + '"]').forEach(function (t) {
      if (t.getAttribute("data-id") === id) paintShape(t, classes, words);
    });
  }
  window.MyotomeChart = { paint: paint, paintShape: paintShape };

  // The spine ladder (exam.js) says when a paraspinal level changes: the back view's mark beside
  // the spine follows, drawn where the server says that level and side are (data-ladder).
  var SVG_NS = "http://www.w3.org/2000/svg";
  function paintLevel(level, sideOf, sign) {
    all("g.bc-levels[data-ladder]").forEach(function (group) {
      var ladder = JSON.parse(group.getAttribute("data-ladder")), y = ladder.y[level], x = ladder.x[sideOf];
      all("path.bc-level-mark", group).forEach(function (mark) {
        if (mark.getAttribute("data-level") === level && mark.getAttribute("data-side") === sideOf) mark.remove();
      });
      if (!sign || y === undefined || !x) return;
      var mark = document.createElementNS(SVG_NS, "path");
      mark.setAttribute("class", "bc-level-mark bc-level-" + sign);
      mark.setAttribute("data-level", level); mark.setAttribute("data-side", sideOf);
      mark.setAttribute("d", "M" + x[0] + " " + y + "H" + x[1]);
      group.appendChild(mark);
    });
  }
  document.addEventListener("exam:level", function (event) {
    var d = event.detail || {};
    paintLevel(d.level, d.side, d.sign);
  });

  // -- zoom ---------------------------------------------------------------------------------------------

  function setZoom(to, toSide) {
    zoom = to; side = toSide || side;
    svgs.forEach(function (svg) {
      var boxes = JSON.parse(svg.getAttribute("data-boxes"));
      var box = (boxes[zoom] || boxes.whole)[side];
      svg.setAttribute("viewBox", box.join(" "));
    });
    root.setAttribute("data-zoom", zoom); root.setAttribute("data-zoom-side", side);
    all("[data-zoom-to]").forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-zoom-to") === zoom)); });
    var flip = root.querySelector("[data-zoom-flip]");
    if (flip) flip.textContent = (side === "left" ? "Left" : "Right") + " ⇄";
    if (current && !visible(current)) setCurrent(firstTarget(), false);
  }

  // -- tools and layers -----------------------------------------------------------------------------------

  function setLayer(to) {
    layer = to;
    svgs.forEach(function (svg) {
      svg.classList.remove("bc-layer-muscles", "bc-layer-zones");
      svg.classList.add("bc-layer-" + layer);
    });
    if (!current || !visible(current)) setCurrent(firstTarget(), false);
  }
  function chooseTool(button) {
    var kind = button.getAttribute("data-tool"), value = button.getAttribute("data-value");
    tool = kind === "band" ? { kind: "band", severity: value ? Number(value) : null } : { kind: kind, value: value };
    all("[data-tool]").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
    setLayer(kind === "band" ? "muscles" : "zones");
  }

  // -- targets, the one tab stop and the readout ------------------------------------------------------------

  function inLayer(t) { return t.getAttribute("data-kind") === (layer === "muscles" ? "muscle" : "region"); }
  function visible(t) {
    if (!inLayer(t)) return false;
    var r = t.getBoundingClientRect(), s = t.ownerSVGElement.getBoundingClientRect();
    return r.width > 0 && r.right > s.left && r.left < s.right && r.bottom > s.top && r.top < s.bottom;
  }
  function targets() { return all(".bc-shape").filter(visible); }
  // Before the sprite has loaded nothing has a size: the layer's first target holds the tab stop until then.
  function firstTarget() { return targets()[0] || all(".bc-shape").filter(inLayer)[0] || null; }
  function centre(t) { var r = t.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; }
  function show(t) { if (readout) readout.textContent = t ? t.getAttribute("aria-label") : idleText; }
  function setCurrent(t, focus) {
    if (current) { current.setAttribute("tabindex", "-1"); current.classList.remove("bc-current"); }
    current = t;
    if (!t) return;
    t.setAttribute("tabindex", "0");
    if (focus) { t.focus(); t.classList.add("bc-current"); }
    show(t);
  }

  // The neighbour in a direction: nearest by centre within a 60 degree cone, off-axis distance counting double.
  function neighbour(from, dx, dy) {
    var a = centre(from), best = null, bestCost = Infinity;
    targets().forEach(function (t) {
      if (t === from) return;
      var b = centre(t), along = (b.x - a.x) * dx + (b.y - a.y) * dy, across = Math.abs((b.x - a.x) * dy - (b.y - a.y) * dx);
      if (along <= 0.5 || across > along * 1.8) return;
      var cost = along + 2 * across;
      if (cost < bestCost) { bestCost = cost; best = t; }
    });
    return best;
  }

  // Type-ahead: letters typed within a second name a target (start of its name or of a word, or its abbreviation).
  var typed = "", typedAt = 0;
  function typeAhead(letter) {
    var now = Date.now();
    typed = (now - typedAt > 1000 ? "" : typed) + letter.toLowerCase();
    typedAt = now;
    var pool = all(".bc-shape").filter(inLayer);
    var sideOf = current ? current.getAttribute("data-side") : side;
    pool.sort(function (p, q) { return (p.getAttribute("data-side") === sideOf ? 0 : 1) - (q.getAttribute("data-side") === sideOf ? 0 : 1); });
    function abbr(t) { return (t.getAttribute("data-abbr") || "").toLowerCase().split(" "); }
    var match = pool.filter(function (t) { return abbr(t).indexOf(typed) !== -1; })[0] ||
      pool.filter(function (t) { return name(t).indexOf(typed) === 0; })[0] ||
      pool.filter(function (t) { return (" " + name(t)).indexOf(" " + typed) !== -1; })[0] ||
      pool.filter(function (t) { return abbr(t).some(function (a) { return a && a.indexOf(typed) === 0; }); })[0];
    if (!match) return;
    if (!visible(match)) setZoom("whole");
    setCurrent(match, true);
  }

  function activate(t, override) {
    var detail = {
      kind: t.getAttribute("data-kind"), id: t.getAttribute("data-id"), side: t.getAttribute("data-side"),
      covers: (t.getAttribute("data-covers") || t.getAttribute("data-id")).split(" "),
      tool: override || tool
    };
    t.dispatchEvent(new CustomEvent("chart:activate", { bubbles: true, detail: detail }));
    show(t);
  }

  function otherSide(t) {
    var want = t.getAttribute("data-side") === "left" ? "right" : "left";
    return all('.bc-shape[data-kind="' + t.getAttribute("data-kind") + '"][data-side="' + want + '"]').filter(function (o) {
      return o.getAttribute("data-id") === t.getAttribute("data-id") && o.closest("svg") === t.closest("svg");
    })[0];
  }

  var ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  root.addEventListener("keydown", function (event) {
    var t = event.target.closest && event.target.closest(".bc-shape");
    if (!t || event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key, next = null;
    if (!/^[a-zA-Z]$/.test(key)) typed = "";  // a mark or a move ends the name being typed: the next letters start a new one
    if (ARROWS[key]) next = neighbour(t, ARROWS[key][0], ARROWS[key][1]);
    else if (key === "Home" || key === "End") { var list = targets(); next = key === "Home" ? list[0] : list[list.length - 1]; }
    else if (key === "Enter" || key === " ") { event.preventDefault(); activate(t); return; }
    else if (/^[0-3]$/.test(key) && t.getAttribute("data-kind") === "muscle") {
      event.preventDefault(); activate(t, { kind: "band", severity: Number(key) }); return;
    } else if (key === "S" && event.shiftKey && Date.now() - typedAt > 1000) {
      next = otherSide(t);
      if (next && !visible(next) && zoom !== "whole") setZoom(zoom, side === "left" ? "right" : "left");
    } else if (/^[a-zA-Z]$/.test(key)) { event.preventDefault(); typeAhead(key); return; }
    else return;
    event.preventDefault();
    if (next) setCurrent(next, true);
  });
  root.addEventListener("click", function (event) {
    var zoomButton = event.target.closest("[data-zoom-to]");
    if (zoomButton) { setZoom(zoomButton.getAttribute("data-zoom-to")); return; }
    if (event.target.closest("[data-zoom-flip]")) { setZoom(zoom, side === "left" ? "right" : "left"); return; }
    var toolButton = event.target.closest("[data-tool]");
    if (toolButton) { chooseTool(toolButton); return; }
    var t = event.target.closest(".bc-shape");
    if (t) { setCurrent(t, false); activate(t); }
  });
  root.addEventListener("focusin", function (event) {
    var t = event.target.closest && event.target.closest(".bc-shape");
    if (t && t !== current) setCurrent(t, false);
    if (t) t.classList.add("bc-current");
  });
  root.addEventListener("focusout", function (event) {
    var t = event.target.closest && event.target.closest(".bc-shape");
    if (t) t.classList.remove("bc-current");
  });
  root.addEventListener("pointerover", function (event) {
    var t = event.target.closest && event.target.closest(".bc-shape");
    if (t) show(t);
  });
  root.addEventListener("pointerleave", function () { show(current); });

  all("[data-chart-tools], [data-chart-keys]").forEach(function (el) { el.hidden = false; });
  setLayer("muscles");
  setZoom(zoom, side);
  show(null);
  window.addEventListener("load", function () {
    if (current && !visible(current) && document.activeElement !== current) setCurrent(firstTarget(), false);
  });
})();
