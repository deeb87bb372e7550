// The variants table: columns the user hides (remembered), keyboard navigation (j/k, arrows, Enter).
(function () {
  "use strict";
  var KEY = "vardesk.variants.hidden";
  function hidden() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function applyColumns() {
    var off = hidden();
    document.querySelectorAll("[data-col]").forEach(function (el) {
      el.hidden = off.indexOf(el.getAttribute("data-col")) >= 0;
    });
    document.querySelectorAll("#column-toggles input[data-column]").forEach(function (box) {
      box.checked = off.indexOf(box.getAttribute("data-column")) < 0;
    });
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#variants tbody tr[data-href]")); }
  function select(i) {
    var all = rows();
    if (!all.length) return;
    i = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r, j) { r.setAttribute("aria-selected", j === i ? "true" : "false"); });
    all[i].focus();
  }
  function current() {
    return rows().findIndex(function (r) { return r.getAttribute("aria-selected") === "true"; });
  }
  document.addEventListener("change", function (ev) {
    var box = ev.target;
    if (!box.matches || !box.matches("#column-toggles input[data-column]")) return;
    var off = hidden().filter(function (c) { return c !== box.getAttribute("data-column"); });
    if (!box.checked) off.push(box.getAttribute("data-column"));
    localStorage.setItem(KEY, JSON.stringify(off));
    applyColumns();
  });
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA")) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var i = current();
    if (ev.key === "j" || ev.key === "ArrowDown") { select(i + 1); ev.preventDefault(); }
    else if (ev.key === "k" || ev.key === "ArrowUp") { select(i < 0 ? 0 : i - 1); ev.preventDefault(); }
    else if (ev.key === "Enter" && i >= 0 && t && t.tagName !== "A") {
      window.location.href = rows()[i].getAttribute("data-href");
      ev.preventDefault();
    }
  });
  document.addEventListener("click", function (ev) {
    var row = ev.target.closest && ev.target.closest("#variants tbody tr[data-href]");
    if (row) select(rows().indexOf(row));
  });
  document.addEventListener("DOMContentLoaded", applyColumns);
  document.addEventListener("htmx:afterSwap", applyColumns);
})();
