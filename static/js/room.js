/* assess: the workshop room view. The arrow keys (and a presenter's clicker, which sends Page Up
   and Page Down) follow the page's previous and next links; a button puts the page full screen.
   Without JavaScript the links themselves do the same. */
(function () {
  "use strict";

  var KEYS = { ArrowRight: "next", PageDown: "next", ArrowLeft: "prev", PageUp: "prev" };

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var rel = KEYS[event.key];
    if (!rel) { return; }
    var link = document.querySelector('a[rel="' + rel + '"]');
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });

  var button = document.querySelector("[data-fullscreen]");
  if (button && document.fullscreenEnabled) {
    var label = function () {
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
    document.addEventListener("fullscreenchange", label);
  }
})();
