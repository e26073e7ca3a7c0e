/* assess: the workshop's live view and presentation update themselves.
   Every few seconds the page asks the server for the live figures (JSON) and updates the counts,
   bars, medians, ranges and divergent flags in place; with "divergent first" it reorders the
   questions. Without JavaScript the page's Refresh link does the same. */
(function () {
  "use strict";

  var root = document.querySelector("[data-live]");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-url");
  var poll = parseInt(root.getAttribute("data-poll"), 10) || 2000;
  var divergentFirst = root.getAttribute("data-sort") === "divergent";
  var list = document.querySelector("[data-live-list]");
  var busy = false;

  var numbers = window.Intl ? new window.Intl.NumberFormat(document.documentElement.lang || undefined) : null;

  // A number as the page writes it, with its thousands separator ("1,000"); text as it is.
  function shown(value) {
    return typeof value === "number" && numbers ? numbers.format(value) : String(value);
  }

  function setText(scope, selector, value) {
    var el = scope.querySelector(selector);
    if (el && value !== undefined && value !== null && el.textContent !== shown(value)) {
      el.textContent = shown(value);
    }
  }

  function update(item, q) {
    setText(item, "[data-responses]", q.responses);
    setText(item, "[data-median]", q.median === null ? "–" : q.median);
    setText(item, "[data-range]", q.range === null ? "–" : q.lowest + "–" + q.highest);
    setText(item, "[data-most-common]", q.most_common_percent === null ? "–" : q.most_common_percent + "%");
    setText(item, "[data-statement]", q.statement);
    var said = item.querySelector("[data-statement]");
    if (said) { said.hidden = !q.statement; }
    q.counts.forEach(function (c) {
      var bar = item.querySelector('[data-bar="' + c.value + '"]');
      if (bar) { bar.setAttribute("width", String(c.percent)); }
      setText(item, '[data-count="' + c.value + '"]', c.count);
    });
    var flag = item.querySelector("[data-divergent]");
    if (flag) { flag.hidden = !q.divergent; }
    item.classList.toggle("live-item--divergent", q.divergent);
  }

  function reorder() {
    if (!list || !divergentFirst) { return; }
    var items = Array.prototype.slice.call(list.querySelectorAll("[data-key]"));
    items.sort(function (a, b) {
      var da = a.classList.contains("live-item--divergent") ? 0 : 1;
      var db = b.classList.contains("live-item--divergent") ? 0 : 1;
      if (da !== db) { return da - db; }
      return parseInt(a.getAttribute("data-order"), 10) - parseInt(b.getAttribute("data-order"), 10);
    });
    items.forEach(function (item) { list.appendChild(item); });
  }

  function refresh() {
    if (busy) { return; }
    busy = true;
    window.fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        Array.prototype.forEach.call(document.querySelectorAll("[data-participants]"), function (el) {
          if (el.textContent !== shown(data.participants)) { el.textContent = shown(data.participants); }
        });
        setText(document, "[data-answers]", data.answers);
        setText(document, "[data-divergent-count]", data.divergent);
        setText(document, "[data-updated]", data.updated);
        data.questions.forEach(function (q) {
          var item = document.querySelector('[data-key="' + q.key + '"]');
          if (item) { update(item, q); }
        });
        reorder();
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { busy = false; });
  }

  window.setInterval(refresh, poll);
})();
