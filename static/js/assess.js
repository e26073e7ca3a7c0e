/* assess: small enhancements; every page works without them.
   - the error summary of a form takes focus, so a screen reader reads it first;
   - a text box with a character limit says how many characters are left (or too many);
   - the session timeout notice becomes a warning a few minutes before the idle timeout, with a
     button that extends the session (WCAG 2.2.1 Timing Adjustable). */
(function () {
  "use strict";

  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) { summary.focus(); }

  // Character counts: characters are Unicode code points, as the server counts them (an emoji
  // is one), and nothing is ever cut: too long a text is said to be so, here and by the server.
  Array.prototype.forEach.call(document.querySelectorAll("[data-max-chars]"), function (field) {
    var most = parseInt(field.getAttribute("data-max-chars"), 10);
    var note = document.createElement("p");
    note.className = "hint char-count";
    note.id = field.id + "-count";
    note.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", note);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + note.id);
    function text(name, n) {
      return (field.getAttribute("data-msg-" + name) || "").replace("{n}", String(n));
    }
    function update() {
      // Line breaks count once, as the server stores them.
      var length = Array.from(field.value.replace(/\r\n?/g, "\n").trim()).length;
      var left = most - length;
      var over = left < 0;
      note.classList.toggle("char-count--over", over);
      if (over) {
        note.textContent = left === -1 ? text("chars-one-over", 1) : text("chars-over", -left);
      } else {
        note.textContent = left === 1 ? text("chars-one-left", 1) : text("chars-left", left);
      }
    }
    field.addEventListener("input", update);
    update();
  });

  var box = document.getElementById("session-timeout");
  if (!box || !window.fetch) { return; }

  var expiresAt = Date.parse(box.getAttribute("data-expires-at"));
  var warnMs = parseInt(box.getAttribute("data-warning-seconds"), 10) * 1000;
  var extendUrl = box.getAttribute("data-extend-url");
  var loginUrl = box.getAttribute("data-login-url");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var text = box.querySelector("[data-session-text]");
  var form = box.querySelector("[data-session-extend]");
  var button = form.querySelector("button");
  var timer = null;

  // The words come from the page, in the person's language; {minutes} and {time} are filled in.
  function msg(name) { return box.getAttribute("data-msg-" + name) || ""; }

  // Quiet until the warning: the notice is hidden, then announced as an alert.
  box.hidden = true;
  box.setAttribute("role", "alert");

  function minutesLeft() {
    return Math.max(0, Math.ceil((expiresAt - Date.now()) / 60000));
  }

  function clockTime(ms) {
    var d = new Date(ms);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function showEnded() {
    box.hidden = false;
    box.classList.add("session-timeout--ended");
    text.textContent = msg("ended") + " ";
    var link = document.createElement("a");
    link.href = loginUrl;
    link.textContent = msg("sign-in");
    text.appendChild(link);
    form.hidden = true;
  }

  function tick() {
    var left = expiresAt - Date.now();
    if (left <= 0) { showEnded(); return; }
    if (left <= warnMs) {
      var wasHidden = box.hidden;
      box.hidden = false;
      var n = minutesLeft();
      text.textContent = msg(n === 1 ? "warning-one" : "warning-other")
        .replace("{minutes}", String(n)).replace("{time}", clockTime(expiresAt)) + " ";
      if (wasHidden) { button.focus({ preventScroll: true }); }
    }
    timer = window.setTimeout(tick, Math.min(30000, Math.max(1000, left - warnMs)));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    window.fetch(extendUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": tokenMeta ? tokenMeta.content : "" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (body) {
      expiresAt = Date.parse(body.expires_at);
      box.hidden = true;
      button.disabled = false;
      window.clearTimeout(timer);
      tick();
    }).catch(function () {
      showEnded();
    });
  });

  tick();
})();
