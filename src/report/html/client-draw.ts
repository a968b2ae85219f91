// The browser half of the report, part one: helpers and the two drawings (timeline and
// dependency graph) as SVG built with DOM calls. Task text only ever reaches the page through
// textContent and attributes, never as markup. Plain ES2017 in a string: it runs as is.
export const CLIENT_DRAW = `
var NS = "http://www.w3.org/2000/svg";
function el(tag, attrs, text) {
  var node = document.createElement(tag);
  for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
function svg(tag, attrs, text) {
  var node = document.createElementNS(NS, tag);
  for (var key in attrs || {}) node.setAttribute(key, attrs[key]);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
function dur(ms) {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return Math.round(ms) + " ms";
  var s = ms / 1000;
  if (s < 60) return (s < 10 ? s.toFixed(1) : Math.round(s)) + " s";
  var m = Math.floor(s / 60);
  if (m < 60) return m + "m " + Math.round(s % 60) + "s";
  return Math.floor(m / 60) + "h " + (m % 60) + "m";
}
function int(n) { return Math.round(n).toLocaleString("en-US"); }
function money(c) { return c === null || c === undefined ? "–" : "$" + c.toFixed(2); }
var AGENT_FREE = { commit: 1, verify: 1, merge: 1, land: 1, wait: 1 };
var OUTCOME = { ok: "done", failed: "failed", wait: "waiting to retry", interrupted: "interrupted", open: "running" };
var STEPS = [100, 250, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 144e5];
function niceStep(raw) {
  for (var i = 0; i < STEPS.length; i++) if (STEPS[i] >= raw) return STEPS[i];
  return Math.ceil(raw / 36e5) * 36e5;
}

/** The Gantt chart: a row per task, a bar per attempt and phase, agents at work beneath. */
function drawTimeline(model, width, onPick) {
  var critical = {};
  model.criticalPath.forEach(function (id) { critical[id] = true; });
  var plan = {};
  model.tasks.forEach(function (task, i) { plan[task.id] = i; });
  var tasks = model.tasks.slice().sort(function (a, b) {
    var sa = a.bars.length ? a.bars[0][2] : Infinity, sb = b.bars.length ? b.bars[0][2] : Infinity;
    return sa - sb || plan[a.id] - plan[b.id];
  });
  var n = tasks.length;
  var rowH = n <= 40 ? 24 : n <= 200 ? 15 : 8;
  var labels = rowH >= 12;
  var labelW = labels ? 190 : 12;
  var span = Math.max(model.run.elapsedMs, 1000);
  tasks.forEach(function (task) {
    task.bars.forEach(function (bar) { if (bar[3] !== null && bar[3] > span) span = bar[3]; });
  });
  var plotW = width - labelW - 24;
  var x = function (ms) { return labelW + (ms / span) * plotW; };
  var axisH = 24, slotsH = 64, gap = 30;
  var height = axisH + n * rowH + gap + slotsH + 8;
  var root = svg("svg", { width: width, height: height, class: "timeline", role: "img",
    "aria-label": "timeline of " + n + " tasks" });
  var axis = svg("g", { class: "axis" });
  var step = niceStep(span / Math.max(1, plotW / 90));
  for (var t = 0; t <= span + 1; t += step) {
    axis.appendChild(svg("line", { class: "tick", x1: x(t), x2: x(t), y1: axisH - 6, y2: height - 8 }));
    axis.appendChild(svg("text", { x: x(t) + 3, y: 14 }, t === 0 ? "0" : dur(t)));
  }
  root.appendChild(axis);
  tasks.forEach(function (task, i) {
    var y = axisH + i * rowH;
    var row = svg("g", { class: "row", "data-task": task.id });
    if (i % 2) row.appendChild(svg("rect", { class: "zebra", x: 0, y: y, width: width, height: rowH }));
    if (labels) {
      var label = svg("text", { x: 6, y: y + rowH / 2 + 4, class: critical[task.id] ? "crit-label" : "" },
        (critical[task.id] ? "◆ " : "") + (task.id.length > 24 ? task.id.slice(0, 23) + "…" : task.id));
      label.appendChild(svg("title", {}, task.id + ": " + task.title));
      row.appendChild(label);
    }
    task.bars.forEach(function (bar) {
      var end = bar[3] === null ? span : bar[3];
      var landing = AGENT_FREE[bar[0]] === 1;
      var h = landing ? Math.max(2, rowH * 0.42) : Math.max(2, rowH - (rowH > 10 ? 8 : 2));
      var rect = svg("rect", {
        x: x(bar[2]), y: y + (rowH - h) / 2, width: Math.max(1.5, x(end) - x(bar[2])), height: h,
        class: "bar o-" + bar[4] + (landing ? " landing" : ""),
        "data-task": task.id, "data-phase": bar[0], "data-attempt": bar[1], "data-start": bar[2],
        "data-outcome": bar[4],
      });
      row.appendChild(rect);
    });
    if (labels && task.bars.length === 0) {
      row.appendChild(svg("text", { x: labelW + 4, y: y + rowH / 2 + 4, class: "muted" }, task.status === "skipped" ? "skipped" : "not started"));
    }
    root.appendChild(row);
  });
  // One listener for the whole chart, not one per bar: a 2,000-task run has thousands of bars.
  var byId = {};
  tasks.forEach(function (task) { byId[task.id] = task; });
  var tip = el("div", { class: "tip" });
  root.addEventListener("mousemove", function (e) {
    var bar = e.target.closest ? e.target.closest("rect.bar") : null;
    if (!bar) { tip.remove(); return; }
    var task = byId[bar.getAttribute("data-task")];
    var b = task.bars.filter(function (item) { return item[0] === bar.getAttribute("data-phase") &&
      String(item[1]) === bar.getAttribute("data-attempt") && String(item[2]) === bar.getAttribute("data-start"); })[0];
    if (!b) return;
    tip.textContent = task.id + " · " + b[0] + " (attempt " + b[1] + ") · " +
      dur((b[3] === null ? span : b[3]) - b[2]) + " · " + OUTCOME[b[4]] + " — " + task.title;
    tip.style.left = e.pageX + 12 + "px";
    tip.style.top = e.pageY + 12 + "px";
    if (!tip.isConnected) document.body.appendChild(tip);
  });
  root.addEventListener("mouseleave", function () { tip.remove(); });
  if (onPick) root.addEventListener("click", function (e) {
    var row = e.target.closest ? e.target.closest("[data-task]") : null;
    if (row) onPick(row.getAttribute("data-task"));
  });
  var top = axisH + n * rowH + gap;
  var most = Math.max(model.run.options.concurrency, 1);
  model.slots.forEach(function (p) { if (p[1] > most) most = p[1]; });
  var sy = function (k) { return top + slotsH - (k / most) * slotsH; };
  var d = "M" + x(0) + " " + sy(0);
  var last = 0;
  model.slots.forEach(function (p) { d += " L" + x(p[0]) + " " + sy(last) + " L" + x(p[0]) + " " + sy(p[1]); last = p[1]; });
  d += " L" + x(span) + " " + sy(last) + " L" + x(span) + " " + sy(0) + " Z";
  root.appendChild(svg("text", { x: 6, y: top - 8, class: "muted" }, "agents at work (limit " + model.run.options.concurrency + ")"));
  root.appendChild(svg("path", { class: "slots", d: d }));
  var limit = sy(model.run.options.concurrency);
  root.appendChild(svg("line", { class: "limit", x1: x(0), x2: x(span), y1: limit, y2: limit }));
  root.appendChild(svg("text", { x: labelW - 4, y: limit + 4, "text-anchor": "end", class: "muted" }, String(model.run.options.concurrency)));
  root.appendChild(svg("text", { x: labelW - 4, y: sy(0) + 4, "text-anchor": "end", class: "muted" }, "0"));
  return root;
}

/** Tasks in columns by wave, dependencies as curves, the critical path in violet. */
function drawGraph(model) {
  var colW = 190, nodeW = 160, nodeH = 26, gapY = 12;
  var pos = {};
  var tallest = 0;
  model.waves.forEach(function (ids, col) {
    ids.forEach(function (id, row) { pos[id] = { x: 12 + col * colW, y: 12 + row * (nodeH + gapY) }; });
    tallest = Math.max(tallest, ids.length);
  });
  var width = 24 + Math.max(1, model.waves.length) * colW - (colW - nodeW);
  var height = 24 + tallest * (nodeH + gapY);
  var root = svg("svg", { width: width, height: height, class: "graph", role: "img", "aria-label": "dependency graph" });
  var onPath = {};
  for (var i = 1; i < model.criticalPath.length; i++) onPath[model.criticalPath[i - 1] + " " + model.criticalPath[i]] = true;
  var critical = {};
  model.criticalPath.forEach(function (id) { critical[id] = true; });
  model.tasks.forEach(function (task) {
    task.dependsOn.forEach(function (dep) {
      var a = pos[dep], b = pos[task.id];
      if (!a || !b) return;
      var x1 = a.x + nodeW, y1 = a.y + nodeH / 2, x2 = b.x, y2 = b.y + nodeH / 2, mid = (x1 + x2) / 2;
      root.appendChild(svg("path", { class: "edge" + (onPath[dep + " " + task.id] ? " crit" : ""),
        d: "M" + x1 + " " + y1 + " C" + mid + " " + y1 + " " + mid + " " + y2 + " " + x2 + " " + y2 }));
    });
  });
  model.tasks.forEach(function (task) {
    var p = pos[task.id];
    if (!p) return;
    var g = svg("g", { class: "node s-" + task.status + (critical[task.id] ? " crit" : ""), "data-task": task.id });
    g.appendChild(svg("rect", { x: p.x, y: p.y, width: nodeW, height: nodeH }));
    g.appendChild(svg("text", { x: p.x + 8, y: p.y + 17 }, task.id.length > 20 ? task.id.slice(0, 19) + "…" : task.id));
    g.appendChild(svg("title", {}, task.id + ": " + task.title + " (" + task.status + ", " + dur(task.durationMs) + ")"));
    root.appendChild(g);
  });
  return root;
}
`;
