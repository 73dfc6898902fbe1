/* The exam's draft, kept as the clinician works: a dropped connection or a timed-out sign-in loses nothing.
 *
 * Each change is posted (debounced) to the draft endpoint, which runs the same checks as "Save draft":
 * the first post creates the draft, later ones update it. Until the server has it, the unsent form is
 * kept in localStorage under the episode's id only: the form holds no name, birth date or record number,
 * and the CSRF token is not kept. A page of the same episode offers to restore it: the kept fields are
 * posted back to the form (which shows them again, nothing stored) and that page sends them at once.
 * The saved exam's page clears the copy once the form that made it was submitted.
 */
(function () {
  "use strict";

  var KEY_PREFIX = "myotome-exam-draft:";
  var SUBMITTED = "myotome-exam-submitted";
  var DELAY_MS = 1500;
  var RETRY_MS = 15000;
  var NOT_KEPT = { csrfmiddlewaretoken: true, action: true, restored: true };

  function storage(kind) {
    try { return window[kind]; } catch (e) { return null; }  // storage can be switched off
  }
  var local = storage("localStorage"), session = storage("sessionStorage");

  // The saved exam's page: the form that led here was submitted, so its kept copy is superseded.
  var stored = document.querySelector("[data-stored-exam-episode]");
  if (stored) {
    var submittedKey = session && session.getItem(SUBMITTED);
    if (local && submittedKey === KEY_PREFIX + stored.getAttribute("data-stored-exam-episode")) {
      local.removeItem(submittedKey);
      session.removeItem(SUBMITTED);
    }
    return;
  }

  var form = document.querySelector("[data-exam-form]");
  if (!form || !form.getAttribute("data-autosave-url")) return;
  var key = KEY_PREFIX + form.getAttribute("data-episode");
  var status = document.getElementById("draft-status");
  var revision = 0, sentRevision = 0, inFlight = false, timer = null, retry = null;
  var submitting = false, aborter = null;  // the form was submitted; the autosave in flight (to abort)

  function say(text, offline) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("offline", !!offline);
  }
  function fields() {
    var out = [];
    new FormData(form).forEach(function (value, name) {
      if (!NOT_KEPT[name] && typeof value === "string") out.push([name, value]);
    });
    return out;
  }
  function clock(date) {
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }
  function keep() {
    if (!local) return;
    try {
      local.setItem(key, JSON.stringify({
        exam: form.getAttribute("data-exam") || null,
        target: form.getAttribute("action"),
        kept_at: new Date().toISOString(),
        fields: fields()
      }));
    } catch (e) { /* full or refused: the server copy is the only one */ }
  }
  function kept() {
    if (!local) return null;
    try { return JSON.parse(local.getItem(key) || "null"); } catch (e) { return null; }
  }

  function send() {
    window.clearTimeout(timer);
    if (submitting || inFlight || revision === sentRevision) return;
    inFlight = true;
    var sending = revision;
    var body = new FormData(form);
    body.delete("action");
    aborter = window.AbortController ? new AbortController() : null;
    fetch(form.getAttribute("data-autosave-url"), {
      method: "POST", body: body, credentials: "same-origin", redirect: "follow",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
      signal: aborter ? aborter.signal : undefined
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json || response.redirected) throw { signedOut: true };  // the sign-in page answered
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (answer) {
      inFlight = false;
      if (!answer.data.ok) {
        var problems = answer.data.errors || [answer.data.error];
        say("Not saved: " + problems[0] + " Kept on this device.", true);
        return;
      }
      sentRevision = sending;
      adopt(answer.data);
      say("Saved " + answer.data.saved_at);
      if (revision === sending && local) local.removeItem(key);
      if (revision !== sending) schedule();
    }).catch(function (problem) {
      inFlight = false;
      if (submitting) return;  // the form itself carries everything now
      if (problem && problem.signedOut) {
        say("Signed out — kept on this device. Sign in again and reopen this exam to send it.", true);
      } else {
        say("Offline — kept on this device", true);
        window.clearTimeout(retry);
        retry = window.setTimeout(send, RETRY_MS);
      }
    });
  }
  // The first autosave made the draft: from now on the form and its autosave update that draft.
  function adopt(data) {
    if (form.getAttribute("data-exam")) return;
    form.setAttribute("data-exam", String(data.exam));
    form.setAttribute("action", data.edit_url);
    form.setAttribute("data-autosave-url", data.autosave_url);
    if (window.history && history.replaceState) history.replaceState(null, "", data.edit_url);
  }
  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(send, DELAY_MS);
  }
  function changed(event) {
    var target = event && event.target;
    if (target && target.closest && target.closest("[data-autocomplete], .adder")) return;  // a name half typed is not a change
    revision += 1;
    keep();
    say("Changed — saving…");
    schedule();
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA" || event.target.classList.contains("rom-input")) changed(event);
  });
  // Lists change by script (chart taps, "Add", "Remove"): watch them too.
  if (window.MutationObserver) {
    var observer = new MutationObserver(function () { changed(null); });
    ["band-list", "zone-list"].forEach(function (id) {
      var list = document.getElementById(id);
      if (list) observer.observe(list, { childList: true });
    });
  }
  window.addEventListener("online", send);
  form.addEventListener("submit", function (event) {
    var by = event.submitter;
    if (!by || (by.value !== "save" && by.value !== "draft")) return;  // "Add", "Remove", a rung: the page comes back
    keep();
    // The form carries every field: no autosave may follow it (saving signs the exam, and a late
    // autosave would be refused as a change to a signed exam).
    submitting = true;
    window.clearTimeout(timer);
    window.clearTimeout(retry);
    if (aborter && inFlight) aborter.abort();
    if (session) session.setItem(SUBMITTED, key);
  });

  // -- restoring what was kept ----------------------------------------------------------------------------

  var offer = document.getElementById("draft-restore");
  var waiting = kept();
  if (waiting && JSON.stringify(waiting.fields) === JSON.stringify(fields())) {
    if (local) local.removeItem(key);  // the page already shows exactly what was kept (a save refused and shown again)
    waiting = null;
  }
  if (form.hasAttribute("data-restored")) {
    // This page shows the kept fields again: send them now.
    revision += 1;
    say("Restored — saving…");
    send();
  } else if (waiting && offer) {  // posted back to where it was kept: the new exam, or its draft
    offer.querySelector("[data-restore-time]").textContent = clock(new Date(waiting.kept_at));
    offer.hidden = false;
    offer.querySelector("[data-restore]").addEventListener("click", function () {
      var post = document.createElement("form");
      post.method = "post";
      post.action = waiting.target || form.getAttribute("action");
      post.hidden = true;
      var add = function (name, value) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = name; input.value = value;
        post.appendChild(input);
      };
      waiting.fields.forEach(function (pair) { add(pair[0], pair[1]); });
      add("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      add("action", "refresh");
      add("restored", "1");
      document.body.appendChild(post);
      post.submit();
    });
    offer.querySelector("[data-discard]").addEventListener("click", function () {
      if (local) local.removeItem(key);
      offer.hidden = true;
    });
  }
})();
