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

  // Work orders: deadline badges ([data-deadline], template "due") count
  // down every 30 s; the server-rendered text stands without the script.
  var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
  function span(ms) {
    var m = Math.floor(Math.abs(ms) / 60000), d = Math.floor(m / 1440), h = Math.floor(m / 60) % 24, mm = m % 60;
    if (d > 0) { return zh ? d + "天" + h + "小时" : d + "d " + h + "h"; }
    if (h > 0) { return zh ? h + "小时" + mm + "分" : h + "h " + mm + "m"; }
    return zh ? mm + "分" : mm + "m";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-deadline")) - now;
      var warn = el.getAttribute("data-warn") ? Date.parse(el.getAttribute("data-warn")) : NaN;
      var cls = left < 0 ? "over" : (!isNaN(warn) && now >= warn ? "warn" : "ok");
      var txt = left < 0 ? (zh ? "超时 " : "") + span(left) + (zh ? "" : " over") : (zh ? "剩 " : "") + span(left) + (zh ? "" : " left");
      var t = el.querySelector(".due-t") || el;
      if (t.textContent !== txt) { t.textContent = txt; }
      el.className = "due due-" + cls;
    });
  }
  if (document.querySelector("[data-deadline]")) {
    tick();
    setInterval(tick, 30000);
  }

  // Intake: as the phone number is typed (3+ digits), known customers are
  // looked up; ↓ moves into the list, Enter or a click fills name and
  // address, Esc closes it.
  var phone = document.querySelector("input[data-lookup]");
  var box = document.getElementById("customer-matches");
  if (phone && box) {
    var timer = 0, asked = "";
    var fill = function (m) {
      var set = function (id, v) { var el = document.getElementById(id); if (el && v) { el.value = v; } };
      set("f-name", m.name);
      set("f-address", m.address);
      phone.value = m.phone || phone.value;
      box.hidden = true;
      var next = document.getElementById("f-catfilter");
      (next && !next.hidden ? next : document.getElementById("f-category")).focus();
    };
    var show = function (list) {
      box.textContent = "";
      if (!list.length) {
        var none = document.createElement("div");
        none.className = "tkt-match-none";
        none.textContent = zh ? "没有找到老客户，将登记为新客户" : "No known customer: a new one is registered";
        box.appendChild(none);
      }
      list.forEach(function (m) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "tkt-match";
        b.setAttribute("role", "listitem");
        var name = document.createElement("b");
        name.textContent = m.name || (zh ? "（未留姓名）" : "(no name)");
        b.appendChild(name);
        b.appendChild(document.createTextNode(m.phone));
        var sub = document.createElement("span");
        sub.className = "m-sub";
        sub.textContent = (m.address ? m.address + " · " : "") + (zh ? "历史工单 " + m.tickets + " 张，最近 " : m.tickets + " work orders, latest ") +
          m.last_number + " " + m.last_status + " " + m.last_at;
        if (m.open) {
          var open = document.createElement("span");
          open.className = "m-open";
          open.textContent = zh ? " · 未办结 " + m.open + " 张（注意重复投诉）" : " · " + m.open + " open (possible duplicate)";
          sub.appendChild(open);
        }
        b.appendChild(sub);
        b.addEventListener("click", function () { fill(m); });
        box.appendChild(b);
      });
      box.hidden = false;
    };
    var lookup = function () {
      var digits = phone.value.replace(/\D/g, "");
      if (digits.length < 3) { box.hidden = true; asked = ""; return; }
      if (digits === asked) { return; }
      asked = digits;
      fetch(phone.getAttribute("data-lookup") + "?phone=" + encodeURIComponent(digits), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (list) { if (asked === digits) { show(list || []); } })
        .catch(function () { box.hidden = true; });
    };
    phone.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 200); });
    phone.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" && !box.hidden) {
        var first = box.querySelector(".tkt-match");
        if (first) { ev.preventDefault(); first.focus(); }
      } else if (ev.key === "Escape") { box.hidden = true; }
    });
    box.addEventListener("keydown", function (ev) {
      var items = Array.prototype.slice.call(box.querySelectorAll(".tkt-match"));
      var i = items.indexOf(document.activeElement);
      if (ev.key === "ArrowDown" && i < items.length - 1) { ev.preventDefault(); items[i + 1].focus(); }
      if (ev.key === "ArrowUp") { ev.preventDefault(); (i > 0 ? items[i - 1] : phone).focus(); }
      if (ev.key === "Escape") { box.hidden = true; phone.focus(); }
    });
  }

  // Intake: typing in the category filter narrows the list (name or key);
  // the first match is chosen; ↓ moves into the list, Enter on to the subject. The chosen
  // category's time limits are shown, and the respondent picker only for
  // complaint categories that record one.
  var cat = document.getElementById("f-category");
  var find = document.getElementById("f-catfilter");
  if (cat) {
    var hint = document.getElementById("f-category-clocks");
    var resp = document.getElementById("respondent-field");
    var chosen = function () {
      var o = cat.options[cat.selectedIndex];
      if (hint && o) { hint.textContent = (zh ? "处理时限：" : "Time limits: ") + (o.getAttribute("data-clocks") || (zh ? "无计时时限" : "none")); }
      if (resp) { resp.hidden = !(o && o.hasAttribute("data-respondent")) && !resp.querySelector(".field-error"); }
    };
    cat.addEventListener("change", chosen);
    chosen();
    if (find) {
      find.hidden = false;
      find.addEventListener("input", function () {
        var q = find.value.trim().toLowerCase(), first = null;
        Array.prototype.forEach.call(cat.querySelectorAll("optgroup"), function (g) {
          var any = false;
          Array.prototype.forEach.call(g.querySelectorAll("option"), function (o) {
            var hit = !q || o.textContent.toLowerCase().indexOf(q) >= 0 || o.value.toLowerCase().indexOf(q) >= 0 ||
              g.label.toLowerCase().indexOf(q) >= 0;
            o.hidden = !hit;
            any = any || hit;
            if (hit && !first) { first = o; }
          });
          g.hidden = !any;
        });
        if (first && q) { first.selected = true; chosen(); }
      });
      // Enter never sends the form from the filter: the focus moves on
      // when the key is released, so no keypress reaches the next field.
      var entered = false;
      find.addEventListener("keydown", function (ev) {
        if (ev.key === "ArrowDown") { ev.preventDefault(); cat.focus(); }
        if (ev.key === "Enter") { ev.preventDefault(); entered = cat.selectedIndex >= 0; }
      });
      find.addEventListener("keypress", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); } });
      find.addEventListener("keyup", function (ev) {
        if (ev.key === "Enter" && entered) {
          entered = false;
          (document.getElementById("f-subject") || cat).focus();
        }
      });
    }
  }

  // Customers: a search box with data-live="<id>" searches as one types:
  // the form's page is fetched and the element <id> replaced (no reload).
  document.querySelectorAll("input[data-live]").forEach(function (input) {
    var form = input.form, target = document.getElementById(input.getAttribute("data-live"));
    if (!form || !target || !window.fetch || !window.DOMParser) { return; }
    var timer, asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var params = new URLSearchParams(new FormData(form));
        params.delete("cursor");
        var url = form.getAttribute("action") + "?" + params.toString();
        asked = url;
        target.classList.add("cus-results-loading");
        fetch(url, { credentials: "same-origin" })
          .then(function (r) { return r.text(); })
          .then(function (html) {
            if (asked !== url) { return; }
            var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(target.id);
            if (fresh) { target.innerHTML = fresh.innerHTML; }
            target.classList.remove("cus-results-loading");
            history.replaceState(null, "", url);
          })
          .catch(function () { target.classList.remove("cus-results-loading"); });
      }, 300);
    });
  });

  // Customers: a service point's kind shows the inputs of its attributes.
  document.querySelectorAll("select[data-spkind]").forEach(function (sel) {
    var row = sel.closest("[data-sprow]");
    var show = function () {
      row.querySelectorAll("[data-kind]").forEach(function (g) { g.hidden = g.getAttribute("data-kind") !== sel.value; });
    };
    sel.addEventListener("change", show);
    show();
  });

  // Import jobs: the progress bar follows the job until it ends, then the
  // page reloads to show the result.
  var bar = document.getElementById("job-bar");
  if (bar) { bar.style.width = (bar.getAttribute("data-percent") || "0") + "%"; }
  var job = document.getElementById("import-job");
  if (job && window.fetch && ["done", "failed"].indexOf(job.getAttribute("data-status")) < 0) {
    var set = function (id, v) { var el = document.getElementById(id); if (el) { el.textContent = v; } };
    var poll = setInterval(function () {
      fetch(job.getAttribute("data-job"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          bar.style.width = j.percent + "%";
          bar.setAttribute("data-percent", j.percent);
          bar.parentNode.setAttribute("aria-valuenow", j.percent);
          set("job-done", j.rows_done);
          set("job-total", j.rows_total || "?");
          set("job-written", j.rows_written);
          if (j.finished) { clearInterval(poll); location.reload(); }
        })
        .catch(function () { clearInterval(poll); });
    }, 1000);
  }

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
