"""The report's inline stylesheet and script.

Owns: CSS (layout, table, badges, token highlights; Okabe-Ito colours) and
the page script (open a concept from a figure click, sort and filter
the tables, open a concept's drill-down from a row or a plot click). The
script only reads ``data-*`` attributes and JSON; it never builds HTML from
data, so escaping stays in Python.
"""

from __future__ import annotations

CSS = """
:root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f5f7fa;--card:#fff;
--chosen:#0072B2;--rejected:#D55E00;--both:#CC79A7;--generic:#E69F00;--neither:#9AA0A6;--accent:#0072B2;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;}
*{box-sizing:border-box}
html{scroll-behavior:smooth;scroll-padding-top:56px}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 Inter,"Segoe UI",system-ui,
-apple-system,Roboto,Helvetica,Arial,sans-serif;font-variant-numeric:tabular-nums}
code{font-family:var(--mono);font-size:.92em}
.topbar{position:sticky;top:0;z-index:20;display:flex;align-items:center;gap:24px;
padding:0 24px;height:48px;background:#1f2933;color:#f5f7fa;box-shadow:0 1px 3px rgba(0,0,0,.2)}
.brand{font-weight:650;letter-spacing:.2px;white-space:nowrap}
.brand small{font-weight:400;color:#9aa5b1;margin-left:8px}
.topbar nav{display:flex;gap:4px;overflow-x:auto}
.topbar nav a{color:#cbd2d9;text-decoration:none;padding:6px 10px;border-radius:4px;
font-size:13px;white-space:nowrap}
.topbar nav a:hover{background:#323f4b;color:#fff}
main{max-width:1440px;margin:0 auto;padding:20px 24px 40px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;
padding:18px 20px;margin:0 0 18px}
.card>h2{margin:0 0 4px;font-size:16px;font-weight:650}
.card>.lead{margin:0 0 12px;color:var(--muted);font-size:13px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.grid2 h3{font-size:14px;margin:0 0 4px}
@media (max-width:1100px){.grid2{grid-template-columns:1fr}}
.head h1{margin:0;font-size:20px;font-weight:650}
.meta{display:flex;flex-wrap:wrap;gap:6px 18px;margin:6px 0 14px;color:var(--muted);font-size:13px}
.meta b{color:var(--ink);font-weight:600}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px}
.kpi{border:1px solid var(--line);border-radius:6px;padding:10px 12px;border-left-width:4px}
.kpi .v{font-size:22px;font-weight:650}
.kpi .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px}
.kpi.chosen-leaning{border-left-color:var(--chosen)}
.kpi.rejected-leaning{border-left-color:var(--rejected)}
.kpi.both{border-left-color:var(--both)}.kpi.generic{border-left-color:var(--generic)}.kpi.neither{border-left-color:var(--neither)}
.legend{display:flex;flex-wrap:wrap;gap:8px 20px;margin-top:12px;font-size:12.5px;
color:var(--muted)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:11.5px;font-weight:600;
white-space:nowrap;border:1px solid transparent}
.b-chosen-leaning.badge{background:var(--chosen);color:#fff}
.b-rejected-leaning.badge{background:var(--rejected);color:#fff}
.b-generic.badge{background:#fdf1dc;color:#7a5200;border-color:var(--generic)}
.b-both.badge{background:#f6e4ef;color:#7a2f5e;border-color:var(--both)}
.b-neither.badge{background:#f0f2f4;color:#52606d;border-color:#d9dde2}
.note{color:var(--muted);background:#f8f9fb;border:1px dashed #cbd2d9;border-radius:6px;
padding:10px 14px;margin:8px 0;font-size:13px}
.controls{display:flex;flex-wrap:wrap;align-items:center;gap:10px 16px;margin:4px 0 10px;
font-size:13px}
.controls input,.controls select{font:inherit;padding:5px 8px;border:1px solid #cbd2d9;
border-radius:5px;background:#fff}
.controls input{min-width:260px}
.controls .count{color:var(--muted);margin-left:auto}
.table-wrap{overflow:auto;max-height:78vh;border:1px solid var(--line);border-radius:6px}
table.concepts{border-collapse:collapse;width:100%;font-size:13px}
table.concepts th{position:sticky;top:0;z-index:2;background:#f8f9fb;text-align:left;
font-weight:600;color:#3e4c59;padding:7px 8px;border-bottom:1px solid var(--line);
cursor:pointer;user-select:none;white-space:nowrap}
table.concepts th:hover{background:#eef1f4}
table.concepts th[aria-sort=ascending]::after{content:" ▲";font-size:9px}
table.concepts th[aria-sort=descending]::after{content:" ▼";font-size:9px}
table.concepts td{padding:5px 8px;border-bottom:1px solid #eef0f2;vertical-align:middle}
tr.row{cursor:pointer}tr.row:hover td{background:#f3f7fb}
tr.row.open td{background:#eaf2fa}
tr.row:focus{outline:2px solid var(--accent);outline-offset:-2px}
td.n{text-align:right;white-space:nowrap}td.c{text-align:center}
td.label{max-width:360px}
.lbl{display:block;font-weight:550;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.cid{display:block;font-family:var(--mono);font-size:11px;color:var(--muted);overflow:hidden;
text-overflow:ellipsis;white-space:nowrap}
.kind{font-family:var(--mono);font-size:11.5px;color:#3e4c59;background:#f0f2f4;border-radius:4px;
padding:1px 6px}
.no{color:var(--muted)}
.ci-cell{white-space:nowrap}
.ci-cell small{display:block;color:var(--muted);font-size:11px}
.ci{position:relative;display:block;width:120px;height:12px}
.ci .zero{position:absolute;left:50%;top:0;bottom:0;border-left:1px dashed #9aa5b1}
.ci .range{position:absolute;top:5px;height:3px;border-radius:2px;background:currentColor}
.ci .pt{position:absolute;top:2px;width:8px;height:8px;margin-left:-4px;border-radius:50%;
background:currentColor;border:1px solid #fff}
.ci.b-chosen-leaning{color:var(--chosen)}.ci.b-rejected-leaning{color:var(--rejected)}
.ci.b-both{color:var(--both)}.ci.b-generic{color:var(--generic)}.ci.b-neither{color:#7b8794}
tr.detail>td{background:#fbfcfd;padding:0;border-bottom:2px solid #cbd2d9}
.detail-body{padding:14px 18px 18px}
.detail-head{display:flex;flex-wrap:wrap;align-items:center;gap:10px}
.detail-head h4{margin:0;font-size:15px}
.muted{color:var(--muted);font-size:12.5px}
.desc{margin:8px 0;max-width:980px}
dl.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:6px 14px;
margin:10px 0}
dl.stats div{border-left:2px solid var(--line);padding-left:8px}
dl.stats dt{font-size:11.5px;color:var(--muted)}dl.stats dd{margin:0;font-weight:600}
.top-tokens{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin:6px 0 10px}
.k{font-size:11.5px;color:var(--muted);text-transform:uppercase;letter-spacing:.4px;margin-right:4px}
.contexts ul{list-style:none;padding:0;margin:4px 0 12px}.contexts li{font-size:12.5px;padding:3px 0;border-bottom:1px solid #f0f2f4;white-space:pre-wrap}.contexts li.chosen .k{color:var(--chosen)}.contexts li.rejected .k{color:var(--rejected)}.contexts .k{margin-right:6px;font-weight:600}
.chip{background:#f0f2f4;border:1px solid #e4e7eb;border-radius:4px;padding:0 6px;white-space:pre}
h5.sub{margin:14px 0 8px;font-size:13px}
article.pair{border:1px solid var(--line);border-radius:6px;margin:0 0 12px;background:#fff}
article.pair header{display:flex;justify-content:space-between;padding:6px 10px;font-size:12.5px;
color:var(--muted);border-bottom:1px solid var(--line);background:#f8f9fb;border-radius:6px 6px 0 0}
.pair-delta{font-weight:600;color:var(--ink)}
details.prompt{padding:6px 10px;border-bottom:1px solid var(--line);font-size:13px}
details.prompt summary{cursor:pointer;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
details.prompt .preview{color:var(--muted)}
details.prompt .text{margin-top:6px}
.sides{display:grid;grid-template-columns:1fr 1fr}
@media (max-width:900px){.sides{grid-template-columns:1fr}}
.side{padding:8px 10px;min-width:0}.side+.side{border-left:1px solid var(--line)}
.side h5{margin:0 0 6px;font-size:12.5px;display:flex;justify-content:space-between}
.side.chosen h5{color:var(--chosen)}.side.rejected h5{color:var(--rejected)}
.score{font-weight:500;color:var(--muted)}
.text{white-space:pre-wrap;overflow-wrap:anywhere;max-height:18em;overflow:auto;font-size:13px;
line-height:1.5}
mark.tk{color:inherit;border-radius:2px;padding:0 1px}
mark.tk.pos{background:rgb(230 159 0 / calc(var(--w) * .85))}
mark.tk.neg{background:rgb(123 135 148 / calc(var(--w) * .7))}
.plot{width:100%}.plot svg.fig{display:block;max-width:100%;height:auto;font-family:inherit}.fig .tick{font-size:11px;fill:#52606d}.fig .axis-title{font-size:12px;fill:#1f2933}.fig .lbl{font-size:11.5px;fill:#1f2933}.fig [data-concept]{cursor:pointer}.fig g.pt:hover rect,.fig g.pt:hover circle,.fig g.pt:hover path,.fig g.pt:focus rect{stroke:#1f2933;stroke-width:1.2}.fig g.pt:hover .lbl{font-weight:600}.fig g.cell:hover rect{stroke:#1f2933}
.skipped-title{font-size:13px;font-weight:600;margin:10px 0 2px}
.skipped{font-size:13px;color:var(--muted);margin:0;padding-left:18px}
.prov{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0;font-size:13px}
.prov dt{color:var(--muted)}.prov dd{margin:0;overflow-wrap:anywhere}
pre.cmd{margin:0;padding:8px 10px;background:#1f2933;color:#e4e7eb;border-radius:5px;
white-space:pre-wrap;overflow-wrap:anywhere;font:12px/1.5 var(--mono)}
table.times{border-collapse:collapse;font-size:13px}
table.times td{padding:2px 16px 2px 0}table.times td.n{text-align:right}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:10px}
"""

JS = r"""
(function () {
  "use strict";

  function rowsOf(table) { return Array.prototype.slice.call(table.querySelectorAll("tr.row")); }
  function detailOf(row) { return document.getElementById(row.dataset.key + "-detail"); }

  function setOpen(row, open) {
    detailOf(row).hidden = !open;
    row.classList.toggle("open", open);
    row.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function findRow(conceptId) {
    var rows = document.querySelectorAll("table.concepts tr.row");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute("data-concept") === conceptId) { return rows[i]; }
    }
    return null;
  }

  function openConcept(conceptId) {
    var row = findRow(conceptId);
    if (!row) { return; }
    if (row.hidden) { resetFilters(row.closest("table")); }
    setOpen(row, true);
    row.scrollIntoView({block: "start"});
    row.focus({preventScroll: true});
  }

  function wirePlots() {
    Array.prototype.forEach.call(document.querySelectorAll(".plot[data-click]"), function (el) {
      var open = function (ev) {
        var target = ev.target.closest("[data-concept]");
        if (target && el.contains(target)) { openConcept(target.getAttribute("data-concept")); }
      };
      el.addEventListener("click", open);
      el.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); open(ev); }
      });
    });
  }

  function sortKey(row, index, type) {
    var cell = row.cells[index];
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    if (type === "num") { return raw === "" ? null : parseFloat(raw); }
    return raw === "" ? null : raw.toLowerCase();
  }

  function sortTable(table, th) {
    var index = th.cellIndex, type = th.getAttribute("data-type");
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.cells, function (h) {
      h.setAttribute("aria-sort", "none");
    });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var keyed = rowsOf(table).map(function (r) { return [sortKey(r, index, type), r]; });
    keyed.sort(function (a, b) {
      if (a[0] === null) { return b[0] === null ? 0 : 1; }
      if (b[0] === null) { return -1; }
      var c = a[0] < b[0] ? -1 : (a[0] > b[0] ? 1 : 0);
      return asc ? c : -c;
    });
    var body = table.tBodies[0];
    keyed.forEach(function (k) { body.appendChild(k[1]); body.appendChild(detailOf(k[1])); });
  }

  function controlsOf(table) {
    return document.querySelector('.controls[data-table="' + table.id + '"]');
  }

  function applyFilters(table) {
    var box = controlsOf(table);
    if (!box) { return; }
    var text = box.querySelector(".f-text").value.trim().toLowerCase();
    var kindSel = box.querySelector(".f-kind"), badgeSel = box.querySelector(".f-badge");
    var kind = kindSel ? kindSel.value : "", badge = badgeSel ? badgeSel.value : "";
    var rows = rowsOf(table), shown = 0;
    rows.forEach(function (r) {
      var ok = (!text || r.getAttribute("data-search").indexOf(text) >= 0) &&
        (!kind || r.getAttribute("data-kind") === kind) &&
        (!badge || r.getAttribute("data-badge") === badge);
      r.hidden = !ok;
      detailOf(r).hidden = !ok || !r.classList.contains("open");
      if (ok) { shown += 1; }
    });
    box.querySelector(".count").textContent = shown + " of " + rows.length;
  }

  function resetFilters(table) {
    var box = controlsOf(table);
    if (!box) { return; }
    Array.prototype.forEach.call(box.querySelectorAll("input, select"), function (el) {
      el.value = "";
    });
    applyFilters(table);
  }

  function wireTable(table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.addEventListener("click", function () { sortTable(table, th); });
    });
    rowsOf(table).forEach(function (row) {
      var toggle = function () { setOpen(row, detailOf(row).hidden); };
      row.addEventListener("click", toggle);
      row.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); toggle(); }
      });
    });
    var box = controlsOf(table);
    if (box) {
      Array.prototype.forEach.call(box.querySelectorAll("input, select"), function (el) {
        el.addEventListener("input", function () { applyFilters(table); });
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.concepts"), wireTable);
    wirePlots();
  });
  window.prefsightReport = {openConcept: openConcept};
})();
"""
