// visits.js: the record form of a return visit (visit.html). The signature
// pad draws the customer's strokes with pointer events (finger, pen or
// mouse) and, when the form is sent, puts the drawing as a PNG data URL
// into the hidden "signature" input; the inputs of the mode and result
// not chosen are hidden. Without the script the paper-signature box and
// every input still work.
(function () {
  "use strict";
  var form = document.getElementById("record-form");
  if (!form) { return; }

  // Sections shown for one mode or one result only; a section with an
  // error stays in sight.
  var picked = function (name) {
    var el = form.querySelector('input[name="' + name + '"]:checked');
    return el ? el.value : "";
  };
  var sync = function () {
    var mode = picked("mode"), result = picked("result");
    form.querySelectorAll("[data-when-mode]").forEach(function (el) {
      el.hidden = el.getAttribute("data-when-mode") !== mode && !el.querySelector(".field-error");
    });
    form.querySelectorAll("[data-when-result]").forEach(function (el) {
      el.hidden = el.getAttribute("data-when-result") !== result && !el.querySelector(".field-error");
    });
  };
  form.querySelectorAll('input[name="mode"], input[name="result"]').forEach(function (el) {
    el.addEventListener("change", sync);
  });
  sync();

  var pad = document.getElementById("sig-pad");
  var input = document.getElementById("f-signature");
  var paper = document.getElementById("f-signature_paper");
  if (!pad || !input || !pad.getContext) { return; }
  var ctx = pad.getContext("2d");
  var drawing = false, dirty = false, last = null;
  var pen = function () {
    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111827";
    ctx.fillStyle = "#111827";
  };
  pen();
  // A point of the event in the canvas's own pixels (it is scaled by CSS).
  var at = function (ev) {
    var r = pad.getBoundingClientRect();
    return { x: (ev.clientX - r.left) * pad.width / r.width, y: (ev.clientY - r.top) * pad.height / r.height };
  };
  // Once the customer signs, the error "须有客户签名" of a refused form goes.
  var signed = function () {
    var field = document.getElementById("signature-field");
    var err = document.getElementById("f-signature-err");
    if (field) { field.classList.remove("has-error"); }
    if (err) { err.hidden = true; }
  };
  var save = function () {
    input.value = dirty ? pad.toDataURL("image/png") : "";
  };
  pad.addEventListener("pointerdown", function (ev) {
    if (paper && paper.checked) { return; }
    ev.preventDefault();
    drawing = true;
    last = at(ev);
    if (pad.setPointerCapture) { try { pad.setPointerCapture(ev.pointerId); } catch (e) { /* synthetic pointer */ } }
    ctx.beginPath();
    ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
    dirty = true;
    signed();
  });
  pad.addEventListener("pointermove", function (ev) {
    if (!drawing) { return; }
    ev.preventDefault();
    var p = at(ev);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
  });
  var end = function () {
    if (!drawing) { return; }
    drawing = false;
    save();
  };
  ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) { pad.addEventListener(t, end); });

  var clear = function () {
    ctx.clearRect(0, 0, pad.width, pad.height);
    dirty = false;
    save();
  };
  var clearBtn = document.getElementById("sig-clear");
  if (clearBtn) { clearBtn.addEventListener("click", clear); }

  // Signed on paper: the pad is not used (and its drawing not sent).
  var paperChanged = function () {
    var off = paper && paper.checked;
    pad.classList.toggle("off", !!off);
    if (off) { clear(); }
  };
  if (paper) {
    paper.addEventListener("change", function () { paperChanged(); if (paper.checked) { signed(); } });
    paperChanged();
  }

  // A form shown again after an error keeps the drawing sent with it.
  if (input.value.indexOf("data:image/png;base64,") === 0) {
    var img = new Image();
    img.onload = function () { ctx.drawImage(img, 0, 0); dirty = true; };
    img.src = input.value;
  }
  form.addEventListener("submit", function () { if (dirty) { save(); } });
})();
