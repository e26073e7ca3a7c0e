/* assess: answering pages. Everything here enhances a form that works without it.
   - each question is saved as the person leaves it (or picks an option), with a visible status;
   - conditional questions appear and disappear as the answers they depend on change (the server
     applies the same rule when the page is saved, and stays the authority);
   - "Don't know" and "Not applicable" checkboxes exclude the other choices;
   - the progress count under the heading follows each autosave.
   The page's own save button always works: an answer not saved here is saved with the page. */
(function () {
  "use strict";

  var form = document.querySelector("[data-answer-form]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var tokenField = form.querySelector('input[name="csrf_token"]');
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));
  var RETRY_MS = 10000;
  // The messages come from the page, so that they are translated with it.
  function msg(name) { return form.getAttribute("data-msg-" + name) || ""; }


  function setStatus(box, text, kind) {
    var status = box.querySelector("[data-save-status]");
    if (!status) { return; }
    status.classList.remove("save-status--problem", "save-status--pending");
    if (kind) { status.classList.add("save-status--" + kind); }
    status.textContent = text;
  }

  // ---- progress: the count follows each autosave ------------------------------------------

  function applyProgress(answered, total) {
    if (typeof answered !== "number" || typeof total !== "number") { return; }
    var block = document.querySelector("[data-progress]");
    if (!block) { return; }
    var text = block.querySelector("[data-progress-text]");
    var bar = block.querySelector("progress");
    if (text) {
      text.textContent = (block.getAttribute("data-msg-progress") || "")
        .replace("{answered}", answered).replace("{total}", total);
    }
    if (bar) { bar.max = total || 1; bar.value = answered; }
  }

  // ---- conditional questions -------------------------------------------------------------

  function chosenValues(name) {
    var values = [];
    var fields = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if ((f.type === "radio" || f.type === "checkbox") ? f.checked : f.value) { values.push(f.value); }
    }
    return values;
  }

  function containerOf(name) {
    var field = form.querySelector('[name="' + name + '"]');
    return field ? field.closest("[data-question]") : null;
  }

  function applyConditions() {
    questions.forEach(function (box) {
      var name = box.getAttribute("data-show-if");
      if (!name) { return; }
      var controller = containerOf(name);
      if (!controller) { return; }  // on another page: the server's decision stands
      var wanted = box.getAttribute("data-show-if-any").split(" ");
      var show = !controller.hidden && chosenValues(name).some(function (v) {
        return wanted.indexOf(v) !== -1;
      });
      box.hidden = !show;
    });
  }

  // The server's answer to a save says which questions it shows. It decides only for questions
  // whose controlling answer is on another page: for the others the page's own answers are newer
  // than any reply (replies can arrive out of order, and one sent before the controlling answer
  // was saved would otherwise hide a question the person has just revealed).
  function applyServerVisibility(visible) {
    if (!visible) { return; }
    questions.forEach(function (box) {
      var name = box.getAttribute("data-show-if");
      if (name && !containerOf(name)) {
        box.hidden = visible.indexOf(box.getAttribute("data-question")) === -1;
      }
    });
  }

  // ---- exclusive checkboxes ("Don't know") -----------------------------------------------

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "checkbox" || !input.checked) { return; }
    var box = input.closest("[data-question]");
    if (!box) { return; }
    var exclusive = input.hasAttribute("data-exclusive");
    Array.prototype.forEach.call(box.querySelectorAll('input[type="checkbox"]'), function (other) {
      if (other === input || !other.checked) { return; }
      if (exclusive || other.hasAttribute("data-exclusive")) { other.checked = false; }
    });
  }, true);

  // ---- saving one question ---------------------------------------------------------------

  var state = new Map();

  function fieldsOf(box) {
    var data = new FormData();
    Array.prototype.forEach.call(box.querySelectorAll("input[name], select[name], textarea[name]"), function (f) {
      if ((f.type === "radio" || f.type === "checkbox") && !f.checked) { return; }
      if (f.type === "submit") { return; }
      data.append(f.name, f.value);
    });
    return data;
  }

  function save(box) {
    var s = state.get(box) || { busy: false, again: false, timer: null };
    state.set(box, s);
    if (s.busy) { s.again = true; return; }
    s.busy = true;
    window.clearTimeout(s.timer);
    setStatus(box, msg("saving"), "pending");
    window.fetch(box.getAttribute("data-autosave-url"), {
      method: "POST",
      credentials: "same-origin",
      // Kept alive: a note typed just before following a link (the register's "Change") is
      // still saved when the page goes.
      keepalive: true,
      headers: { "Accept": "application/json", "X-CSRFToken": tokenField ? tokenField.value : "" },
      body: fieldsOf(box)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { code: response.status, body: body };
      });
    }).then(function (result) {
      var body = result.body || {};
      if (result.code === 200) {
        box.querySelector("[data-rev]").value = body.revision == null ? "" : body.revision;
        box.querySelector("[data-was]").value = body.was || "";
        setStatus(box, body.message || msg("saved"));
        applyServerVisibility(body.visible);
        applyProgress(body.answered, body.total);
      } else if (result.code === 409) {
        setStatus(box, body.message || msg("conflict"), "problem");
      } else if (result.code === 403 && body.message) {
        // The organisation is suspended or being deleted: say so (nothing was saved).
        setStatus(box, body.message, "problem");
      } else if (result.code === 401) {
        setStatus(box, msg("signed-out"), "problem");
      } else if (result.code === 400 && body.errors) {
        setStatus(box, msg("invalid") + " " + body.errors.join(" "), "problem");
      } else {
        setStatus(box, msg("not-saved"), "problem");
      }
    }).catch(function () {
      setStatus(box, msg("offline"), "problem");
      s.again = false;
      s.timer = window.setTimeout(function () { save(box); }, RETRY_MS);
    }).then(function () {
      s.busy = false;
      if (s.again) { s.again = false; save(box); }
    });
  }

  questions.forEach(function (box) {
    box.addEventListener("change", function (event) {
      if (event.target.type === "submit") { return; }
      applyConditions();
      save(box);
    });
  });

  // A question answered before this script ran (a quick tap on a slow phone, while the page was
  // still loading) is saved now: its change event came before anything listened for it.
  function changedBeforeScript(box) {
    var fields = box.querySelectorAll("input[name], select[name], textarea[name]");
    return Array.prototype.some.call(fields, function (f) {
      if (f.type === "radio" || f.type === "checkbox") { return f.checked !== f.defaultChecked; }
      if (f.type === "hidden" || f.type === "submit") { return false; }
      if (f.tagName === "SELECT") {
        return Array.prototype.some.call(f.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      return f.value !== f.defaultValue;
    });
  }

  questions.forEach(function (box) { if (changedBeforeScript(box)) { save(box); } });

  window.addEventListener("online", function () {
    state.forEach(function (s, box) { if (s.timer) { window.clearTimeout(s.timer); s.timer = null; save(box); } });
  });

  applyConditions();
})();
