/* assess: a report being prepared. Every few seconds the page asks the server how the job is going
   (JSON); once it is no longer waiting or working, the page is loaded again to show the outcome (the
   download, the stored report, or what went wrong). Without JavaScript, a meta refresh in a
   <noscript> and the "Check again" link do the same. */
(function () {
  "use strict";

  var status = document.querySelector("[data-job-status]");
  if (!status || !window.fetch) { return; }
  var url = status.getAttribute("data-url");
  var busy = false;

  function check() {
    if (busy) { return; }
    busy = true;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        busy = false;
        if (data && !data.pending) { window.location.replace(url); }
      })
      .catch(function () { busy = false; });
  }

  window.setInterval(check, 2000);
}());
