// kefu.js: the UI's only script. Pages work without it; it adds small
// conveniences. Loaded with "defer" from our own origin (CSP script-src 'self').
(function () {
  "use strict";

  // Flash messages ("已保存") fade out after a few seconds.
  document.querySelectorAll("[data-autohide]").forEach(function (el) {
    setTimeout(function () { el.classList.add("hiding"); }, 4000);
    setTimeout(function () { el.remove(); }, 4600);
  });

  // Forms with data-confirm ask before they are sent.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        ev.preventDefault();
      }
    });
  });

  // Buttons with data-print print the page (the print stylesheet shapes it).
  document.querySelectorAll("[data-print]").forEach(function (btn) {
    btn.addEventListener("click", function () { window.print(); });
  });

  // In a [data-keynav] bar, the left and right arrow keys follow its
  // rel="prev" and rel="next" links (a year back or forward), unless the
  // focus is in a field.
  var keynav = document.querySelector("[data-keynav]");
  if (keynav) {
    document.addEventListener("keydown", function (ev) {
      if (ev.altKey || ev.ctrlKey || ev.metaKey || ev.shiftKey) { return; }
      var tag = (ev.target && ev.target.tagName) || "";
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
      var rel = ev.key === "ArrowLeft" ? "prev" : ev.key === "ArrowRight" ? "next" : "";
      var link = rel && keynav.querySelector('a[rel="' + rel + '"]');
      if (link) { window.location.href = link.href; }
    });
  }

  // Filter forms with data-autosubmit search as soon as a select changes.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (sel) {
    sel.addEventListener("change", function () {
      if (sel.form.requestSubmit) { sel.form.requestSubmit(); } else { sel.form.submit(); }
    });
  });

  // A second click on a submit button does not post the form twice.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (ev.defaultPrevented) { return; }
      if (form.dataset.sent) { ev.preventDefault(); return; }
      form.dataset.sent = "1";
      setTimeout(function () { delete form.dataset.sent; }, 3000);
    });
  });
})();
