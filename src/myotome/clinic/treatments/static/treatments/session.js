// The session page: one tap records an insertion and moves to the next step; every save goes
// through a queue kept in localStorage (opaque ids and values only, never names), sent in order
// and again after a dropped connection or a sign-in. Nothing is lost, nothing doubled: each
// insertion carries its own key, and the server answers a key it has seen with the row it saved.
(() => {
  "use strict";
  const page = document.querySelector(".session-page");
  if (!page) return;
  const sessionId = page.dataset.session;
  const QUEUE = "myotome-session-queue-" + sessionId;
  const status = document.getElementById("queue-status");
  const csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  let sending = false;
  let signedOut = false;

  const load = () => { try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; } };
  const store = (q) => { if (q.length) localStorage.setItem(QUEUE, JSON.stringify(q)); else localStorage.removeItem(QUEUE); };
  const newKey = () => (window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + "-" + Math.random().toString(36).slice(2));

  function show(extra) {
    const n = load().length;
    if (!status) return;
    status.classList.toggle("unsaved", n > 0);
    if (n === 0) { status.textContent = extra || "All saved."; return; }
    const what = n + " change" + (n === 1 ? "" : "s") + " not saved yet";
    status.textContent = signedOut ? what + ", kept on this device: sign in again and they are sent. " : what + (navigator.onLine ? ": sending…" : ": offline, kept on this device and sent when the connection is back.");
    if (signedOut) {
      // Reloading the page goes through sign-in and comes back here; the queue is sent from there.
      const a = document.createElement("a");
      a.href = window.location.pathname; a.textContent = "Sign in again";
      status.appendChild(a);
    }
  }

  function enqueue(item) { const q = load(); q.push(item); store(q); show(); flush(); }

  async function flush() {
    if (sending) return;
    sending = true;
    try {
      for (;;) {
        const q = load();
        if (!q.length) break;
        const item = q[0];
        let response;
        try {
          response = await fetch(item.url, {
            method: "POST", credentials: "same-origin", redirect: "manual",
            headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" },
            body: new URLSearchParams(item.body),
          });
        } catch (e) { break; }  // offline: keep the queue, try again later
        if (response.type === "opaqueredirect" || response.status === 302 || (response.status === 403 && !isJson(response))) {
          signedOut = true; break;
        }
        signedOut = false;
        if (response.status >= 500) break;
        const data = await response.json().catch(() => ({}));
        const rest = load(); rest.shift(); store(rest);
        done(item, response.status, data);
      }
    } finally { sending = false; show(); }
  }

  function isJson(response) { return (response.headers.get("content-type") || "").includes("json"); }

  function done(item, code, data) {
    if (item.kind === "insertion") {
      const row = document.querySelector('tr[data-key="' + item.body.key + '"]');
      if (code === 200 || code === 201) {
        if (row) row.classList.remove("pending");
        text("needles-in", data.needles_in); text("needles-in-2", data.needles_in);
        text("muscle-count", data.muscles); text("cpt-code", data.code || "—");
      } else if (row) { row.classList.add("refused"); row.lastElementChild.textContent = "Not saved: " + Object.values(data.errors || {}).join(" "); }
    } else if (item.kind === "field") {
      const input = fieldInput(item.body.field);
      if (code === 200) { if (input) input.dataset.base = data.value; if (item.body.field === "left_at") text("left-at", data.value); }
      else if (code === 409) { say(input, data.message + " Reload to see it."); if (input) { input.dataset.base = data.current; } }
      else say(input, Object.values(data.errors || {}).join(" "));
    }
  }

  function say(input, message) {
    const box = document.createElement("p");
    box.className = "field-error"; box.setAttribute("role", "alert"); box.textContent = message;
    (input ? input.parentElement : status.parentElement).appendChild(box);
  }
  const text = (id, value) => { const el = document.getElementById(id); if (el && value !== undefined) el.textContent = value; };
  const fieldInput = (name) => document.querySelector('[data-field="' + CSS.escape(name) + '"]');

  // -- insertions -------------------------------------------------------------------------------
  const quick = document.getElementById("quick");
  const steps = () => Array.from(document.querySelectorAll("#step-list li[data-step]"));

  function current() { return steps().find((li) => li.classList.contains("current")) || null; }

  function advance() {
    const list = steps();
    const now = current();
    if (now) { now.classList.remove("current"); now.classList.add("done"); }
    const next = list.find((li) => !li.classList.contains("done") && !li.classList.contains("skipped"));
    if (next) next.classList.add("current");
    const name = document.getElementById("current-name");
    if (name) name.textContent = next ? next.dataset.name : (now ? now.dataset.name + " (again)" : "no step left");
    if (!next && now) now.classList.add("current");
  }

  function record(values) {
    const step = current();
    if (!step) { status.textContent = "No step to record: add a muscle first."; return; }
    const body = { key: newKey(), step: step.dataset.step, made_at: new Date().toISOString() };
    for (const [k, v] of Object.entries(values)) if (v !== "" && v !== undefined && v !== null) body[k] = v;
    addRow(body, step.dataset.name);
    if (step.dataset.thoracic) document.getElementById("aftercare").classList.remove("hidden");
    enqueue({ kind: "insertion", url: page.dataset.insertUrl, body, name: step.dataset.name });
    advance();
  }

  function addRow(body, name) {
    const tbody = document.getElementById("insertion-rows");
    if (tbody.querySelector('tr[data-key="' + CSS.escape(body.key) + '"]')) return;  // saved already
    const empty = tbody.querySelector(".empty-row");
    if (empty) empty.remove();
    const tr = document.createElement("tr");
    tr.className = "pending"; tr.dataset.key = body.key;
    const cells = [new Date().toTimeString().slice(0, 8), name, body.response || "—", body.released === "yes" ? "Yes" : body.released === "no" ? "No" : "—",
      body.resistance_before || body.resistance_after ? (body.resistance_before || "—") + " → " + (body.resistance_after || "—") : "—",
      body.needle_mm ? body.needle_mm + " mm" : "", "unsaved"];
    for (const c of cells) { const td = document.createElement("td"); td.textContent = c; tr.appendChild(td); }
    tbody.appendChild(tr);
  }

  if (quick) {
    quick.querySelectorAll("[data-quick]").forEach((b) => b.addEventListener("click", () => record({ response: b.dataset.quick, released: b.dataset.released })));
    const detail = document.getElementById("record-detail");
    if (detail) detail.addEventListener("click", () => {
      const values = {};
      quick.querySelectorAll("[data-detail]").forEach((el) => { values[el.dataset.detail] = el.value; el.value = ""; });
      record(values);
    });
  }

  // G, H, T and N press the quick buttons (data-shortcut, myotome/shortcuts.js).

  // -- fields -------------------------------------------------------------------------------------
  function saveField(name, value, base) {
    // One pending save per field: a newer value replaces an unsent one (its base stays the first).
    const q = load();
    const old = q.findIndex((i, n) => n > 0 && i.kind === "field" && i.body.field === name);
    if (old > 0) { base = q[old].body.base; q.splice(old, 1); store(q); }
    enqueue({ kind: "field", url: page.dataset.fieldUrl, body: { field: name, value, base } });
  }

  function change(cell) {
    const b = fieldInput(cell.dataset.before), a = fieldInput(cell.dataset.after);
    if (!b || !a) return;
    cell.textContent = b.value !== "" && a.value !== "" ? ((Number(a.value) - Number(b.value)) > 0 ? "+" : "") + (Number(a.value) - Number(b.value)) : "";
  }

  document.querySelectorAll("[data-field]").forEach((input) => {
    if (input.readOnly) return;
    let last = input.value;
    const send = () => {
      if (input.value === last) return;
      const base = input.dataset.base || "";
      last = input.value;
      saveField(input.dataset.field, input.value, base);
      input.dataset.base = input.value;  // the next save is based on what this one sends
      document.querySelectorAll("td.change").forEach(change);
    };
    input.addEventListener("change", send);
    let timer = null;
    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(send, 800); document.querySelectorAll("td.change").forEach(change); });
  });

  // Enter in a box of the before/after table goes to the next box of its column (pain before,
  // then each range before); past the last, and in any other field, Enter leaves the field.
  // Leaving saves the value (its change event).
  document.querySelectorAll("input[data-field]").forEach((input) => input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
    e.preventDefault();
    const column = /before$/.test(input.dataset.field) ? "before" : /after$/.test(input.dataset.field) ? "after" : null;
    const boxes = column ? Array.from(document.querySelectorAll("input.measure[data-field]")).filter((b) => b.dataset.field.endsWith(column)) : [];
    const next = boxes[boxes.indexOf(input) + 1];
    if (next && !next.readOnly) { next.focus(); next.select(); } else input.blur();
  }));

  const advice = document.getElementById("standard-advice");
  if (advice) advice.addEventListener("click", () => {
    const box = document.getElementById("f-aftercare");
    const base = box.dataset.base || "";
    box.value = advice.dataset.advice;
    saveField("aftercare", box.value, base);
    box.dataset.base = box.value;
  });
  const left = document.getElementById("left-now");
  if (left) left.addEventListener("click", () => {
    saveField("left_at", "now", left.dataset.base || "");
    text("left-at", new Date().toTimeString().slice(0, 5));
  });

  const kind = document.getElementById("adverse-kind");
  if (kind) kind.addEventListener("change", () => document.getElementById("ptx-advice").classList.toggle("hidden", kind.value !== "pneumothorax"));

  // Signing waits for the queue: a session is never signed with changes still on this device.
  const sign = document.getElementById("sign-form");
  if (sign) sign.addEventListener("submit", async (e) => {
    if (!load().length && !sending) return;
    e.preventDefault();
    status.textContent = "Sending what is not saved yet, then signing…";
    while (sending) await new Promise((r) => setTimeout(r, 100));
    await flush();
    if (load().length) status.textContent = "Not signed: " + status.textContent;
    else sign.submit();
  });

  // Muscle names for the "add a muscle" box, from the knowledge base (never patient data).
  const add = document.getElementById("add-muscle");
  if (add) {
    let timer = null;
    add.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        if (add.value.trim().length < 2) return;
        const url = add.dataset.namesUrl + "?kind=muscle&q=" + encodeURIComponent(add.value.trim());
        const data = await fetch(url, { credentials: "same-origin" }).then((r) => r.json()).catch(() => null);
        const list = document.getElementById("muscle-names");
        if (!data || !list) return;
        list.replaceChildren(...(data.results || []).map((r) => { const o = document.createElement("option"); o.value = r.name; return o; }));
      }, 250);
    });
  }

  // What this device still holds from before a reload or a sign-in: shown as unsaved, its steps done.
  load().filter((i) => i.kind === "insertion").forEach((i) => {
    addRow(i.body, i.name || "");
    const li = document.querySelector('#step-list li[data-step="' + i.body.step + '"]');
    if (li && li.classList.contains("current")) advance(); else if (li) li.classList.add("done");
  });

  window.addEventListener("online", flush);
  window.addEventListener("focus", flush);
  setInterval(() => { if (load().length) flush(); }, 4000);
  show();
  flush();
})();
