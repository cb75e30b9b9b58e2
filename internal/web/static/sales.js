// sales.js: the live floor screen of a sales centre refreshes itself.
// Every [data-refresh] block fetches its own page again every N seconds
// and swaps in the new block; the page stands without the script.
(function () {
  "use strict";
  var el = document.querySelector("[data-refresh]");
  if (!el || !window.fetch || !window.DOMParser) { return; }
  var secs = parseInt(el.getAttribute("data-refresh"), 10) || 5;
  function tick() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById(el.id);
        if (fresh) { el.replaceWith(fresh); el = fresh; }
      })
      .catch(function () { /* keep the last screen; try again */ })
      .then(function () { setTimeout(tick, secs * 1000); });
  }
  setTimeout(tick, secs * 1000);
})();
