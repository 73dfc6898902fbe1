/* The exam page's progressive enhancement: the body chart, the searchable lists and live ROM.
 *
 * Without this file every mark is still possible: the lists' "Add" and "Remove" buttons post
 * the form and the server shows it again with everything kept. With it, the chart's shapes
 * (role="button", focusable) mark tender bands and zone signs, the lists change in place, and
 * names are looked up as they are typed. The lists' hidden inputs are the only state: the
 * chart is drawn from them. No inline script or style, as the Content-Security-Policy demands.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-exam-form]");
  if (!form) return;
  form.classList.add("js");
  var namesUrl = form.getAttribute("data-names-url");
  var status = document.getElementById("chart-status");
  var SKIN_WORDS = ["trophedema", "pilomotor", "vasomotor", "sudomotor", "hair loss", "hyperalgesia"];
  var SIGN_LABELS = {
    trophedema: "Trophedema", pilomotor: "Pilomotor", vasomotor: "Vasomotor", sudomotor: "Sudomotor",
    hair_loss: "Hair loss", hyperalgesia: "Hyperalgesia",
    reduced: "Reduced sensation", increased: "Increased sensation", altered: "Altered sensation"
  };
  var SIDE_LABELS = { left: "Left", right: "Right" };

  function announce(text) { if (status) { status.textContent = ""; status.textContent = text; } }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }
  function cssEscape(value) { return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/[^a-zA-Z0-9_-]/g, "\\$&"); }

  // -- the shapes' spoken labels -------------------------------------------------------------

  function isMarkWord(part) {
    return /^tender band severity \d$/.test(part) || /^(reduced|increased|altered) sensation$/.test(part) ||
      /^plan steps? /.test(part) || SKIN_WORDS.indexOf(part) !== -1;
  }
  $all(".bc-shape").forEach(function (shape) {
    var parts = (shape.getAttribute("aria-label") || "").split(", ");
    shape.setAttribute("data-base-label", parts.filter(function (p) { return !isMarkWord(p); }).join(", "));
  });
  function baseLabel(shape) { return shape.getAttribute("data-base-label") || shape.getAttribute("aria-label"); }
  function shapesFor(kind, id, side) {
    return $all('.bc-shape[data-kind="' + kind + '"][data-side="' + side + '"]').filter(function (s) {
      return s.getAttribute("data-id") === id || (kind === "muscle" && (s.getAttribute("data-covers") || "").split(" ").indexOf(id) !== -1);
    });
  }

  // -- tender bands ------------------------------------------------------------------------------

  var bandList = document.getElementById("band-list");
  var zoneList = document.getElementById("zone-list");

  function bandRow(id, side) { return bandList.querySelector('li[data-token="' + cssEscape(id + ":" + side) + '"]'); }
  function bandSeverity(id, side) {
    var row = bandRow(id, side);
    return row ? parseInt(row.querySelector("[data-severity]").value, 10) : 0;
  }
  function updateEmpty(kind) {
    var list = kind === "band" ? bandList : zoneList;
    var note = document.querySelector('[data-empty-note="' + kind + '"]');
    if (note) note.hidden = list.children.length > 0;
  }
  function paintMuscle(id, side) {
    // A shape lights with the highest severity of the muscles it stands for (a group shape).
    shapesFor("muscle", id, side).forEach(function (shape) {
      var ids = [shape.getAttribute("data-id")].concat((shape.getAttribute("data-covers") || "").split(" "));
      var severity = 0;
      ids.forEach(function (each) { if (each) severity = Math.max(severity, bandSeverity(each, side)); });
      if (window.MyotomeChart) window.MyotomeChart.paintShape(shape, severity ? ["bc-tender", "bc-sev" + severity] : [], severity ? ["tender band severity " + severity] : []);
    });
  }
  function setBand(id, side, severity, name) {
    var row = bandRow(id, side);
    if (!severity) {
      if (row) row.remove();
    } else if (row) {
      row.querySelector("[data-severity]").value = String(severity);
    } else {
      row = document.getElementById("band-row-template").content.firstElementChild.cloneNode(true);
      var token = id + ":" + side;
      row.setAttribute("data-token", token); row.setAttribute("data-id", id); row.setAttribute("data-side", side);
      row.querySelector('input[name="band"]').value = token;
      row.querySelector(".mark-name").textContent = name;
      row.querySelector(".mark-side").textContent = SIDE_LABELS[side];
      var select = row.querySelector("[data-severity]");
      select.name = "severity_" + id + "_" + side;
      select.value = String(severity);
      var remove = row.querySelector('button[name="remove_band"]');
      remove.value = token;
      remove.setAttribute("aria-label", "Remove tender band: " + name + ", " + side);
      bandList.appendChild(row);
    }
    updateEmpty("band");
    paintMuscle(id, side);
  }
  function nameOfShape(shape) {
    // "Right extensor carpi radialis brevis" -> "Extensor carpi radialis brevis"
    var label = baseLabel(shape).split(", ")[0].replace(/^(Left|Right) /, "");
    return label.charAt(0).toUpperCase() + label.slice(1);
  }
  function markMuscle(shape, severity) {
    // severity: null cycles 1 -> 2 -> 3 -> clear; 0 clears; a tapped severity the band has already clears it.
    var id = shape.getAttribute("data-id"), side = shape.getAttribute("data-side"), now = bandSeverity(id, side);
    var next = severity === null || severity === undefined ? (now + 1) % 4 : (severity === now ? 0 : severity);
    setBand(id, side, next, nameOfShape(shape));
    announce(baseLabel(shape).split(", ")[0] + ": " + (next ? "tender band severity " + next : "tender band cleared"));
  }

  // -- skin and sensory signs over zones ----------------------------------------------------------

  function zoneRows(id, side) {
    return $all("li[data-token]", zoneList).filter(function (row) {
      return row.getAttribute("data-id") === id && row.getAttribute("data-side") === side;
    });
  }
  function paintZone(id, side) {
    var rows = zoneRows(id, side);
    var skin = rows.filter(function (r) { return r.getAttribute("data-kind") === "skin"; }).map(function (r) { return r.getAttribute("data-value"); });
    var sensory = rows.filter(function (r) { return r.getAttribute("data-kind") === "sensory"; }).map(function (r) { return r.getAttribute("data-value"); })[0];
    var classes = (skin.length ? ["bc-skin"] : []).concat(sensory ? ["bc-sensory", "bc-sensory-" + sensory] : []);
    var words = skin.map(function (s) { return s.replace("_", " "); });
    if (sensory) words.push(sensory + " sensation");
    if (window.MyotomeChart) window.MyotomeChart.paint("region", id, side, classes, words);
  }
  function zoneName(label) { return label.charAt(0).toUpperCase() + label.slice(1); }
  function setZoneSign(id, side, kind, value, on, name, dermatomes) {
    var token = id + ":" + side + ":" + kind + ":" + value;
    var existing = zoneList.querySelector('li[data-token="' + cssEscape(token) + '"]');
    if (kind === "sensory" && on) {
      zoneRows(id, side).forEach(function (r) { if (r.getAttribute("data-kind") === "sensory" && r !== existing) r.remove(); });
    }
    if (!on && existing) existing.remove();
    if (on && !existing) {
      var row = document.getElementById("zone-row-template").content.firstElementChild.cloneNode(true);
      row.setAttribute("data-token", token); row.setAttribute("data-id", id); row.setAttribute("data-side", side);
      row.setAttribute("data-kind", kind); row.setAttribute("data-value", value);
      row.classList.add("mark-" + kind);
      row.querySelector('input[name="zone"]').value = token;
      row.querySelector(".mark-sign").textContent = SIGN_LABELS[value] || value;
      row.querySelector(".mark-name").textContent = name;
      row.querySelector(".mark-dermatomes").textContent = dermatomes ? "(" + dermatomes + ")" : "";
      row.querySelector(".mark-side").textContent = SIDE_LABELS[side];
      var remove = row.querySelector('button[name="remove_zone"]');
      remove.value = token;
      remove.setAttribute("aria-label", "Remove " + (SIGN_LABELS[value] || value).toLowerCase() + ": " + name + ", " + side);
      zoneList.appendChild(row);
    }
    updateEmpty("zone");
    paintZone(id, side);
  }

  function zoneParts(shape) {
    // "Right lateral forearm, dermatome C6" -> ["Lateral forearm", "C6"]
    var parts = baseLabel(shape).split(", ");
    var name = zoneName(parts[0].replace(/^(Left|Right) /, ""));
    var dermatomes = (parts.slice(1).join(", ").match(/dermatomes? (.*)$/) || [])[1] || "";
    return [name, dermatomes];
  }
  function markZone(shape, kind, value) {
    // A tap with a sign the zone has clears it; a new sensory change replaces the old one.
    var id = shape.getAttribute("data-id"), side = shape.getAttribute("data-side"), parts = zoneParts(shape);
    var has = zoneRows(id, side).some(function (r) { return r.getAttribute("data-kind") === kind && r.getAttribute("data-value") === value; });
    setZoneSign(id, side, kind, value, !has, parts[0], parts[1]);
    announce(shape.getAttribute("aria-label") || parts[0]);
  }

  // -- the chart: chart.js says what was activated and with which tool -----------------------------------

  document.addEventListener("chart:activate", function (event) {
    var shape = event.target, tool = event.detail.tool || { kind: "band", severity: null };
    if (event.detail.kind === "muscle" && tool.kind === "band") markMuscle(shape, tool.severity);
    else if (event.detail.kind === "region" && (tool.kind === "skin" || tool.kind === "sensory")) markZone(shape, tool.kind, tool.value);
  });

  // -- the lists: severity, remove ----------------------------------------------------------------------

  bandList.addEventListener("change", function (event) {
    var row = event.target.closest("li[data-token]");
    if (row && event.target.hasAttribute("data-severity")) paintMuscle(row.getAttribute("data-id"), row.getAttribute("data-side"));
  });
  [bandList, zoneList].forEach(function (list) {
    list.addEventListener("click", function (event) {
      var button = event.target.closest('button[name="remove_band"], button[name="remove_zone"]');
      if (!button) return;
      event.preventDefault();
      var row = button.closest("li[data-token]");
      var id = row.getAttribute("data-id"), side = row.getAttribute("data-side");
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      if (list === bandList) { updateEmpty("band"); paintMuscle(id, side); } else { updateEmpty("zone"); paintZone(id, side); }
      announce("Removed");
      (next ? next.querySelector("button") : document.getElementById(list === bandList ? "band_name" : "zone_name")).focus();
    });
  });

  // -- looking names up -------------------------------------------------------------------------------

  function lookup(kind, query) {
    var url = namesUrl + "?kind=" + encodeURIComponent(kind) + "&q=" + encodeURIComponent(query);
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error("lookup failed: " + response.status);
      return response.json();
    });
  }

  function combobox(input) {
    var kind = input.getAttribute("data-autocomplete");
    var list = document.createElement("ul");
    list.className = "combo-list";
    list.id = (input.id || input.name + Math.random().toString(36).slice(2)) + "-options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    if (!input.parentElement.classList.contains("combo")) {
      var wrap = document.createElement("div");
      wrap.className = "combo";
      input.parentElement.insertBefore(wrap, input);
      wrap.appendChild(input);
    }
    input.parentElement.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var active = -1, timer = null, asked = "";

    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); active = -1; }
    function choose(li) { input.value = li.getAttribute("data-name"); close(); input.focus(); }
    function highlight(index) {
      var items = $all("li", list);
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (li, i) { li.setAttribute("aria-selected", String(i === active)); });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }
    function show(results) {
      list.textContent = "";
      results.forEach(function (r, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("data-name", r.name);
        li.textContent = r.name;
        if (r.matched && r.matched.toLowerCase() !== r.name.toLowerCase()) {
          var alias = document.createElement("span");
          alias.className = "alias";
          alias.textContent = "(" + r.matched + ")";
          li.appendChild(alias);
        }
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(li); });
        list.appendChild(li);
      });
      list.hidden = !results.length;
      input.setAttribute("aria-expanded", String(!!results.length));
      active = -1;
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var query = input.value.trim();
      if (!query) { close(); return; }
      timer = window.setTimeout(function () {
        asked = query;
        lookup(kind, query).then(function (data) { if (asked === query && input.value.trim() === query) show(data.results || []); }).catch(close);
      }, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && !list.hidden) { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp" && !list.hidden) { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Escape" && !list.hidden) { event.preventDefault(); close(); }
      else if (event.key === "Enter" && !list.hidden && active >= 0) { event.preventDefault(); choose($all("li", list)[active]); }
      else if (event.key === "Enter" && input.hasAttribute("data-add-on-enter")) {
        event.preventDefault(); close();
        document.querySelector('[data-add="' + input.getAttribute("data-add-on-enter") + '"]').click();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }
  $all("input[data-autocomplete]").forEach(combobox);
  var bandName = document.getElementById("band_name"), zoneName_ = document.getElementById("zone_name");
  if (bandName) bandName.setAttribute("data-add-on-enter", "band");
  if (zoneName_) zoneName_.setAttribute("data-add-on-enter", "zone");

  function sidesOf(value) { return value === "bilateral" ? ["left", "right"] : [value]; }
  function showLookup(kind, data, added) {
    var box = document.getElementById(kind + "-lookup");
    box.textContent = "";
    if (added) {
      var ok = document.createElement("p");
      ok.className = "ok";
      ok.textContent = "Added: " + added + ".";
      box.appendChild(ok);
      return;
    }
    var wrap = document.createElement("div");
    wrap.className = "lookup-error";
    wrap.setAttribute("role", "alert");
    var message = document.createElement("p");
    message.className = "field-error";
    message.textContent = data.error || "Not found.";
    wrap.appendChild(message);
    if (data.suggestions && data.suggestions.length) {
      var p = document.createElement("p");
      p.className = "suggestions";
      p.appendChild(document.createTextNode("Did you mean: "));
      data.suggestions.forEach(function (name) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "quiet suggestion";
        b.textContent = name;
        b.addEventListener("click", function () {
          var input = document.getElementById(kind + "_name");
          input.value = name;
          document.querySelector('[data-add="' + kind + '"]').click();
        });
        p.appendChild(b);
      });
      wrap.appendChild(p);
    }
    box.appendChild(wrap);
  }
  $all("[data-add]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      var kind = button.getAttribute("data-add");
      var input = document.getElementById(kind + "_name");
      event.preventDefault();
      lookup(kind === "band" ? "muscle" : "region", input.value).then(function (data) {
        if (!data.match) { showLookup(kind, data); input.focus(); return; }
        var side = form.querySelector('[name="' + kind + '_side"]').value;
        var sides = sidesOf(side);
        if (kind === "band") {
          var severity = parseInt(form.querySelector('[name="band_severity"]').value, 10) || 2;
          sides.forEach(function (s) { setBand(data.match.id, s, severity, data.match.name); });
          showLookup(kind, data, data.match.name + " (" + (sides.length > 1 ? "both sides" : side) + "), severity " + severity);
        } else {
          var sign = form.querySelector('[name="zone_sign"]').value.split(":");
          sides.forEach(function (s) { setZoneSign(data.match.id, s, sign[0], sign[1], true, data.match.name, data.match.detail); });
          showLookup(kind, data, (SIGN_LABELS[sign[1]] || sign[1]) + " over " + data.match.name.toLowerCase() + " (" + (sides.length > 1 ? "both sides" : side) + ")");
        }
        input.value = "";
        input.focus();
      }).catch(function () { form.requestSubmit(button); });  // no answer: let the server do it
    });
  });

  // -- weakness rows ------------------------------------------------------------------------------------

  var more = document.querySelector("[data-more-weakness]");
  var weakRows = document.getElementById("weak-rows");
  if (more && weakRows) {
    more.addEventListener("click", function (event) {
      event.preventDefault();
      var last = weakRows.lastElementChild;
      var number = weakRows.children.length + 1;
      var row = last.cloneNode(true);
      row.classList.remove("has-error");
      $all(".field-error", row).forEach(function (e) { e.remove(); });
      var input = row.querySelector('input[name="weak_name"]');
      input.value = ""; input.id = "weak_name_" + number;
      input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby");
      input.setAttribute("aria-label", "Weakness row " + number + ": movement or muscle");
      row.querySelector('select[name="weak_side"]').setAttribute("aria-label", "Weakness row " + number + ": side");
      var grade = row.querySelector('select[name="weak_grade"]');
      grade.value = ""; grade.setAttribute("aria-label", "Weakness row " + number + ": MRC grade");
      // The clone's combobox wrapper came along; give the new input its own list.
      var oldList = row.querySelector(".combo-list");
      if (oldList) oldList.remove();
      weakRows.appendChild(row);
      combobox(input);
      input.focus();
    });
  }

  // -- the spine ladder: one tap per level and side -------------------------------------------------------
  // Each rung is a submit button that posts the form (the server cycles the level); here it cycles in place.

  var LEVEL_SIGNS = ["", "tender", "thickened"];
  var LEVEL_LABELS = { "": "·", tender: "Tender", thickened: "Thickened" };
  function setRung(rung, sign) {
    var input = document.getElementById(rung.getAttribute("data-rung"));
    var parts = rung.value.split(":");  // "C5-C6:right"
    input.value = sign;
    rung.textContent = LEVEL_LABELS[sign];
    rung.classList.remove("rung-tender", "rung-thickened");
    if (sign) rung.classList.add("rung-" + sign);
    rung.setAttribute("aria-label", parts[0] + " " + parts[1] + ": " + (sign || "clear"));
    announce("Paraspinal " + parts[0] + ", " + parts[1] + ": " + (sign || "clear"));
    document.dispatchEvent(new CustomEvent("exam:level", { detail: { level: parts[0], side: parts[1], sign: sign } }));
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function rungs() { return $all("button[data-rung]"); }
  function moveRung(rung, key) {
    var all = rungs(), index = all.indexOf(rung), next = null;
    // Rungs run left, right, left, right... down the spine.
    if (key === "ArrowUp") next = all[index - 2];
    else if (key === "ArrowDown") next = all[index + 2];
    else if (key === "ArrowLeft" && index % 2 === 1) next = all[index - 1];
    else if (key === "ArrowRight" && index % 2 === 0) next = all[index + 1];
    if (next) {
      var group = next.closest("details");
      if (group && !group.open) group.open = true;
      next.focus();
    }
  }
  // A vertebra's number (typed within a second: 1 then 2 is T12 in the thoracic group) moves to
  // its rung on the same side, in the group the focus is in.
  var typedLevel = "", typedLevelAt = 0;
  function toVertebra(rung, digit) {
    var now = Date.now();
    typedLevel = (now - typedLevelAt > 1000 ? "" : typedLevel) + digit;
    typedLevelAt = now;
    var side = rung.value.split(":")[1];
    var match = $all("button[data-rung]", rung.closest("table")).filter(function (b) {
      var parts = b.value.split(":");
      return parts[1] === side && /^[A-Z]\d+$/.test(parts[0]) && parts[0].slice(1) === typedLevel;
    })[0];
    if (match) match.focus();
  }
  form.addEventListener("click", function (event) {
    var rung = event.target.closest("button[data-rung]");
    if (!rung) return;
    event.preventDefault();
    var input = document.getElementById(rung.getAttribute("data-rung"));
    var at = LEVEL_SIGNS.indexOf(input.value);
    setRung(rung, at === -1 ? "" : LEVEL_SIGNS[(at + 1) % LEVEL_SIGNS.length]);
  });
  form.addEventListener("keydown", function (event) {
    var rung = event.target.closest("button[data-rung]");
    if (!rung || event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key;
    if (key === "ArrowUp" || key === "ArrowDown" || key === "ArrowLeft" || key === "ArrowRight") { event.preventDefault(); moveRung(rung, key); }
    else if (key === "t" || key === "T") { event.preventDefault(); setRung(rung, "tender"); }
    else if (key === "k" || key === "K") { event.preventDefault(); setRung(rung, "thickened"); }
    else if (key === "Delete" || key === "Backspace") { event.preventDefault(); setRung(rung, ""); }
    else if (/^[0-9]$/.test(key)) { event.preventDefault(); toVertebra(rung, key); }
  });

  // -- range of motion: restriction as it is typed -----------------------------------------------------------

  function restriction(input) {
    // The server draws a box's restriction only once it has a value: the first typed value adds it.
    var id = input.id + "-restriction", output = document.getElementById(id);
    if (!output) {
      output = document.createElement("output");
      output.id = id; output.className = "restriction";
      input.insertAdjacentElement("afterend", output);
      input.setAttribute("aria-describedby", (id + " " + (input.getAttribute("aria-describedby") || "")).trim());
    }
    var normal = parseFloat(input.getAttribute("data-normal"));
    var text = input.value.replace(",", ".").replace(/(°|deg|mm)$/i, "").trim();
    var value = text === "" ? NaN : Number(text);
    output.classList.remove("restricted");
    if (!isFinite(value) || value < 0 || !(normal > 0) || value > normal * 2) { output.textContent = ""; return; }
    var percent = Math.max(0, Math.round((1 - value / normal) * 100));
    output.textContent = percent ? percent + "% restricted" : "full range";
    if (percent) output.classList.add("restricted");
  }
  $all("input.rom-input").forEach(function (input) {
    input.addEventListener("input", function () { restriction(input); });
  });

  // Up and down arrows move a column of the range table, as in a spreadsheet: to the same side
  // in the movement above or below (a midline box stands for both sides), over folded groups.
  var chart = document.querySelector("[data-chart]");
  var romSide = (chart && chart.getAttribute("data-zoom-side")) || "right";
  function sideOf(input) { var m = /_(left|right)$/.exec(input.id); return m ? m[1] : ""; }
  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if ((event.key !== "ArrowDown" && event.key !== "ArrowUp") || !input.classList || !input.classList.contains("rom-input")) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (sideOf(input)) romSide = sideOf(input);
    var rows = $all(".rom-row").filter(function (row) { var d = row.closest("details"); return !d || d.open; });
    var at = rows.indexOf(input.closest(".rom-row"));
    var next = rows[at + (event.key === "ArrowDown" ? 1 : -1)];
    if (at === -1 || !next) return;
    var boxes = $all("input.rom-input", next);
    var box = boxes.filter(function (b) { return sideOf(b) === romSide; })[0] || boxes[0];
    event.preventDefault();
    box.focus();
  });
})();
