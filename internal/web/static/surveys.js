// surveys.js: the survey form page (survey_form.html). The signature field
// shows only for the channel 当面 (face_to_face); the signature pad itself
// is visits.js's, loaded on the same page. The customer's link, shown
// once, is selected on focus and copied with the 复制 button. Without the
// script the page still works: the field shows, the link can be selected.
(function () {
  "use strict";
  var form = document.getElementById("record-form");
  if (form) {
    var sync = function () {
      var el = form.querySelector('input[name="channel"]:checked');
      var channel = el ? el.value : "";
      form.querySelectorAll("[data-when-channel]").forEach(function (f) {
        f.hidden = f.getAttribute("data-when-channel") !== channel && !f.querySelector(".field-error");
      });
    };
    form.querySelectorAll('input[name="channel"]').forEach(function (el) { el.addEventListener("change", sync); });
    sync();
  }

  var link = document.getElementById("link-url");
  var copy = document.getElementById("copy-link");
  if (link) {
    link.addEventListener("focus", function () { link.select(); });
  }
  if (link && copy) {
    copy.addEventListener("click", function () {
      link.focus();
      link.select();
      var done = function () { copy.textContent = copy.getAttribute("data-copied") || copy.textContent; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(link.value).then(done, function () {
          if (document.execCommand && document.execCommand("copy")) { done(); }
        });
      } else if (document.execCommand && document.execCommand("copy")) {
        done();
      }
    });
  }
})();
