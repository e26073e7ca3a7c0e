/* assess: the workshop room view. The arrow keys (and a presenter's clicker, which sends Page Up
   and Page Down) follow the page's previous and next links; a button puts the page full screen.
   Without JavaScript the links themselves do the same.

   The register's slide: its table of ratings is fetched again every few seconds, so that groups
   rated after the slide was opened appear on it. A table with more groups than the screen holds
   is shown a part at a time: as many groups as fit, with "Groups 1 to 4 of 9" (or "Group 9 of
   9") above them. The keys and the links step through the parts before they move to another
   slide, and coming back from the next slide shows the last part. Without JavaScript, or on a
   phone (where the table is a list of cards), the table scrolls. */
(function () {
  "use strict";

  var KEYS = { ArrowRight: "next", PageDown: "next", ArrowLeft: "prev", PageUp: "prev" };
  var LAST = "#last";
  var REFRESH_MS = 3000;

  var live = document.querySelector("[data-register-live]");
  var label = null;
  var rows = [];
  var parts = [rows];
  var part = 0;

  function nameOf(row) {
    var name = row.querySelector(".room-ratings__name");
    return name ? name.textContent.trim() : "";
  }

  function describe(shown) {
    var first = rows.indexOf(shown[0]) + 1;
    return label.getAttribute(shown.length === 1 ? "data-msg-one" : "data-msg")
      .replace("{first}", String(first))
      .replace("{last}", String(first + shown.length - 1))
      .replace("{total}", String(rows.length));
  }

  // The rows' indexes in parts, in order, each part's rows taking at most ``budget`` (a row
  // taller than that has a part of its own).
  function pack(heights, budget) {
    var packed = [];
    var current = [];
    var used = 0;
    heights.forEach(function (height, index) {
      if (current.length && used + height > budget) {
        packed.push(current);
        current = [];
        used = 0;
      }
      current.push(index);
      used += height;
    });
    packed.push(current);
    return packed;
  }

  // Split the rows into parts that each fit the window, measured with every row shown (a
  // collapsed row keeps the columns' widths, so each row's height stays what it was here).
  function split() {
    rows.forEach(function (row) { row.classList.remove("room-ratings__row--off"); });
    parts = [rows];
    if (!label || !rows.length || window.getComputedStyle(rows[0]).display !== "table-row") {
      if (label) { label.hidden = true; }
      return;
    }
    label.hidden = false;  // measured as it will be shown, at its longest
    label.textContent = describe(rows.slice(rows.length - 1));
    var over = document.documentElement.scrollHeight - window.innerHeight;
    if (over <= 0) {
      label.hidden = true;
      label.textContent = "";
      return;
    }
    var heights = rows.map(function (row) { return row.getBoundingClientRect().height; });
    var budget = heights.reduce(function (sum, h) { return sum + h; }, 0) - over - 1;
    // As few parts as fit, and as even as they can be: 5 and 4 groups rather than 7 and 2.
    var fewest = pack(heights, budget).length;
    var low = Math.min(budget, Math.max.apply(null, heights));
    var high = budget;
    for (var i = 0; i < 20; i += 1) {
      var middle = (low + high) / 2;
      if (pack(heights, middle).length <= fewest) { high = middle; } else { low = middle; }
    }
    parts = pack(heights, high).map(function (indexes) {
      return indexes.map(function (index) { return rows[index]; });
    });
  }

  function show(index) {
    part = Math.max(0, Math.min(index, parts.length - 1));
    // Parts of different heights would move the question up and down if it stayed centred.
    document.body.classList.toggle("room--parts", parts.length > 1);
    parts.forEach(function (shown, i) {
      shown.forEach(function (row) { row.classList.toggle("room-ratings__row--off", i !== part); });
    });
    if (parts.length > 1) { label.textContent = describe(parts[part]); }
  }

  // The part holding the group named ``name`` (the first part when there is none).
  function partWith(name) {
    var found = parts.findIndex(function (shown) {
      return shown.some(function (row) { return nameOf(row) === name; });
    });
    return Math.max(found, 0);
  }

  // (Re)read the table in the live area and split it, showing the part with group ``keep``.
  function setup(keep) {
    var table = live.querySelector("[data-room-parts]");
    label = live.querySelector("[data-room-part]");
    rows = table && label ? Array.prototype.slice.call(table.tBodies[0].rows) : [];
    split();
    show(keep === LAST ? parts.length - 1 : partWith(keep));
  }

  function firstShown() {
    return parts[part] && parts[part].length ? nameOf(parts[part][0]) : null;
  }

  // Step to the next or previous part; false when there is none and the slide should change.
  function step(rel) {
    var to = rel === "next" ? part + 1 : part - 1;
    if (to < 0 || to >= parts.length) { return false; }
    show(to);
    return true;
  }

  function follow(rel) {
    var link = document.querySelector('a[rel="' + rel + '"]');
    if (!link) { return false; }
    window.location.assign(link.href.split("#")[0] + (rel === "prev" ? LAST : ""));
    return true;
  }

  if (live) {
    var served = live.innerHTML;  // as the server sent it, before the parts change it
    setup(window.location.hash === LAST ? LAST : null);
    var resized = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(resized);
      resized = window.setTimeout(function () { setup(firstShown()); }, 100);
    });
    if (window.fetch && window.DOMParser) {
      var busy = false;
      window.setInterval(function () {
        if (busy) { return; }
        busy = true;
        window.fetch(window.location.pathname + window.location.search, { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.text() : null; })
          .then(function (html) {
            if (!html) { return; }
            var fresh = new window.DOMParser().parseFromString(html, "text/html")
              .querySelector("[data-register-live]");
            if (!fresh || fresh.innerHTML === served) { return; }
            served = fresh.innerHTML;
            var keep = firstShown();
            live.innerHTML = served;
            setup(keep);
          })
          .catch(function () { /* offline for a moment: the next refresh tries again */ })
          .then(function () { busy = false; });
      }, REFRESH_MS);
    }
  }
  if (window.location.hash === LAST && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var rel = KEYS[event.key];
    if (rel && (step(rel) || follow(rel))) { event.preventDefault(); }
  });

  Array.prototype.forEach.call(document.querySelectorAll('a[rel="next"], a[rel="prev"]'), function (link) {
    link.addEventListener("click", function (event) {
      if (event.button !== 0 || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      var rel = link.getAttribute("rel");
      if (step(rel) || follow(rel)) { event.preventDefault(); }
    });
  });

  var button = document.querySelector("[data-fullscreen]");
  if (button && document.fullscreenEnabled) {
    var relabel = function () {
      button.textContent = button.getAttribute(
        document.fullscreenElement ? "data-msg-leave" : "data-msg-enter"
      );
    };
    button.hidden = false;
    button.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        document.documentElement.requestFullscreen();
      }
    });
    document.addEventListener("fullscreenchange", relabel);
  }
})();
