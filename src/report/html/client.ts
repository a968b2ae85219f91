// The browser half of the report, part two: the page around the drawings (summary, tables, run
// settings) and, on the dashboard, the live part: the run list, the server-sent model stream and
// a task's log tail. The static report and the dashboard run this same script.
import { CLIENT_DRAW } from "./client-draw.js";

const CLIENT_PAGE = String.raw`
function section(title, id) {
  var s = el("section", { id: id });
  s.appendChild(el("h2", {}, title));
  return s;
}
function card(value, label) {
  var c = el("div", { class: "card" });
  c.appendChild(el("b", {}, value));
  c.appendChild(el("span", {}, label));
  return c;
}
function legend() {
  var box = el("div", { class: "legend" });
  [["ok", "done"], ["fail", "failed"], ["wait", "waiting to retry"], ["int", "interrupted"], ["open", "running"]]
    .forEach(function (item) {
      var span = el("span");
      span.appendChild(el("i", { style: "background:var(--" + item[0] + ")" }));
      span.appendChild(document.createTextNode(item[1]));
      box.appendChild(span);
    });
  box.appendChild(el("span", {}, "tall bar: the agent · thin bar: commit, verify, merge · ◆ critical path"));
  return box;
}
function header(model) {
  var frag = document.createDocumentFragment();
  var h1 = el("h1");
  h1.appendChild(document.createTextNode("lanes run " + model.run.id));
  h1.appendChild(el("span", { class: "badge " + model.run.status }, model.run.live ? "running" : model.run.status));
  frag.appendChild(h1);
  frag.appendChild(el("p", { class: "sub" }, "started " + new Date(model.run.startedAt).toLocaleString() +
    " · " + model.tasks.length + " tasks · integration branch " + model.run.integrationBranch));
  var c = model.totals.counts;
  var cards = el("div", { class: "cards" });
  cards.appendChild(card(c.done + " / " + model.tasks.length, "done" + (c.failed ? ", " + c.failed + " failed" : "") +
    (c.skipped ? ", " + c.skipped + " skipped" : "") + (c.running ? ", " + c.running + " running" : "")));
  cards.appendChild(card(dur(model.run.elapsedMs), model.run.live ? "so far" : "makespan"));
  cards.appendChild(card(dur(model.totals.lowerBoundMs), "lower bound"));
  cards.appendChild(card(dur(model.totals.criticalPathMs), "critical path"));
  var t = model.totals.tokens;
  cards.appendChild(card(t ? int(t.input + t.output) : "–", t ? int(t.input) + " in / " + int(t.output) + " out" : "tokens"));
  cards.appendChild(card(money(model.totals.cost), "cost"));
  frag.appendChild(cards);
  return frag;
}
function boundText(model) {
  var tt = model.totals;
  var text = "Makespan " + dur(model.run.elapsedMs) + " against the lower bound " + dur(tt.lowerBoundMs) +
    " = max(critical path " + dur(tt.criticalPathMs) + ", work " + dur(tt.workMs) + " / " +
    model.run.options.concurrency + " slots)";
  if (!model.run.live && model.run.elapsedMs > 0 && tt.lowerBoundMs > 0)
    text += ": " + Math.round((100 * tt.lowerBoundMs) / model.run.elapsedMs) + "% of the best possible";
  return text + ".";
}
function graphSection(model) {
  var s = section("Dependency graph and critical path", "graph");
  s.appendChild(el("p", { id: "bound" }, boundText(model)));
  s.appendChild(el("p", { id: "critical-path" }, model.criticalPath.length ?
    "Critical path: " + model.criticalPath.join(" → ") : "No critical path yet: no task has finished."));
  if (model.tasks.length > 300) {
    s.appendChild(el("p", { class: "sub" }, "The graph is drawn for runs of up to 300 tasks."));
    return s;
  }
  var box = el("div", { class: "scroll" });
  box.appendChild(drawGraph(model));
  s.appendChild(box);
  return s;
}
var COLUMNS = ["Task", "Status", "Why", "Attempts", "Duration", "Tokens", "Cost", "Branch", "PR"];
var WIDTHS = ["30%", "8%", "10%", "8%", "9%", "9%", "7%", "13%", "6%"];
/** A table of fixed column widths, so that the header's table and every chunk's line up. */
function fixedTable() {
  var table = el("table");
  var cols = el("colgroup");
  WIDTHS.forEach(function (w) { cols.appendChild(el("col", { style: "width:" + w })); });
  table.appendChild(cols);
  return table;
}
function taskRows(task, body, onPick) {
  var tr = el("tr", { class: "task" + (onPick ? " pick" : ""), "data-task": task.id });
  var name = el("td");
  name.appendChild(el("span", { class: "id" }, task.id));
  name.appendChild(el("div", { class: "title" }, task.title));
  if (task.workers && task.workers.length) {
    name.appendChild(el("div", { class: "title worker" }, "on " + task.workers.join(", ")));
  }
  tr.appendChild(name);
  tr.appendChild(el("td", { class: "st " + task.status }, task.status));
  tr.appendChild(el("td", { class: "why" }, task.reason || ""));
  tr.appendChild(el("td", { class: "num" }, String(task.attempts)));
  tr.appendChild(el("td", { class: "num" }, dur(task.durationMs)));
  tr.appendChild(el("td", { class: "num" }, task.tokens ? int(task.tokens.input + task.tokens.output) : "–"));
  tr.appendChild(el("td", { class: "num" }, money(task.cost)));
  tr.appendChild(el("td", { class: "id" }, task.branch));
  var pr = el("td");
  if (task.pr) pr.appendChild(el("a", { href: /^https:\/\//.test(task.pr) ? task.pr : "#" }, task.pr));
  tr.appendChild(pr);
  body.appendChild(tr);
  if (task.status === "failed" || (task.status === "skipped" && task.detail)) {
    var more = el("tr", { class: "failure", "data-task": task.id });
    var td = el("td", { colspan: COLUMNS.length });
    td.appendChild(el("div", { class: "detail" }, (task.reason ? task.reason + ": " : "") + (task.detail || "")));
    if (task.logTail && task.logTail.length) {
      td.appendChild(el("pre", { class: "log-tail" }, task.logTail.join("\n")));
    }
    if (task.logPath) td.appendChild(el("div", { class: "title" }, "log: " + task.logPath));
    more.appendChild(td);
    body.appendChild(more);
  }
}
var CHUNK = 100;
function taskTable(model, onPick) {
  var s = section("Tasks", "tasks");
  var box = el("div", { class: "scroll" });
  var head = fixedTable();
  var tr = el("tr");
  COLUMNS.forEach(function (name) { tr.appendChild(el("th", {}, name)); });
  head.appendChild(el("thead")).appendChild(tr);
  box.appendChild(head);
  // Chunks the browser lays out only when they scroll into view: a 2,000-row table at once
  // costs seconds of layout.
  for (var i = 0; i < model.tasks.length; i += CHUNK) {
    var chunk = el("div", { class: "chunk" });
    var table = fixedTable();
    var body = el("tbody");
    model.tasks.slice(i, i + CHUNK).forEach(function (task) { taskRows(task, body, onPick); });
    table.appendChild(body);
    chunk.appendChild(table);
    box.appendChild(chunk);
  }
  if (onPick) box.addEventListener("click", function (e) {
    var row = e.target.closest("tr.task");
    if (row) onPick(row.getAttribute("data-task"));
  });
  s.appendChild(box);
  return s;
}
function settingsSection(model) {
  var s = section("Run", "run");
  var dl = el("dl");
  var o = model.run.options;
  [["repository", model.run.repoRoot], ["base commit", model.run.baseCommit],
   ["base branch", model.run.baseBranch || "(detached HEAD)"], ["integration branch", model.run.integrationBranch],
   ["started", new Date(model.run.startedAt).toISOString()],
   ["finished", model.run.finishedAt ? new Date(model.run.finishedAt).toISOString() : "–"],
   ["mode", o.mode], ["concurrency", o.concurrency], ["retries", o.retries], ["timeout", o.timeout],
   ["land", o.land ? "yes" : "no"], ["batches", o.batches ? o.batches.map(function (b) { return b.join(","); }).join(" | ") : "–"],
  ].forEach(function (pair) { dl.appendChild(el("dt", {}, pair[0])); dl.appendChild(el("dd", {}, String(pair[1]))); });
  s.appendChild(dl);
  return s;
}
function render(model, root, onPick) {
  var started = performance.now();
  var frag = document.createDocumentFragment();
  frag.appendChild(header(model));
  var timeline = section("Timeline", "timeline");
  var box = el("div", { class: "scroll" });
  var width = Math.max(760, Math.min(1224, (root.clientWidth || document.documentElement.clientWidth) - 2));
  box.appendChild(drawTimeline(model, width, onPick));
  timeline.appendChild(box);
  timeline.appendChild(legend());
  frag.appendChild(timeline);
  frag.appendChild(graphSection(model));
  frag.appendChild(taskTable(model, onPick));
  frag.appendChild(settingsSection(model));
  root.replaceChildren(frag);
  document.title = "lanes run " + model.run.id + " — " + (model.run.live ? "running" : model.run.status);
  document.body.setAttribute("data-rendered", String(Number(document.body.getAttribute("data-rendered") || 0) + 1));
  void root.offsetHeight; // lay it out: the figures below include layout
  document.body.setAttribute("data-render-ms", String(Math.round(performance.now() - started)));
  // Since navigation started: HTML and JSON parsed, page built and laid out (the benchmark's figure).
  document.body.setAttribute("data-ready-ms", String(Math.round(performance.now())));
}
function live(config, root) {
  var query = "token=" + encodeURIComponent(config.token);
  var runsBox = el("nav", { class: "runs", id: "runs" });
  root.parentNode.insertBefore(runsBox, root);
  var panel = el("div", { id: "log" });
  document.body.appendChild(panel);
  var shown = null, pinned = false, source = null, model = null, logTimer = null;
  function showLog(taskId) {
    if (logTimer) clearInterval(logTimer);
    var id = shown;
    function load() {
      fetch("/api/runs/" + encodeURIComponent(id) + "/tasks/" + encodeURIComponent(taskId) + "/log?" + query)
        .then(function (r) { return r.text(); })
        .then(function (text) {
          var head = el("header");
          head.appendChild(el("span", {}, taskId + " — last lines of its log"));
          var close = el("button", {}, "close");
          close.addEventListener("click", function () { panel.className = ""; clearInterval(logTimer); });
          head.appendChild(close);
          var pre = el("pre", { id: "log-text" }, text);
          panel.replaceChildren(head, pre);
          panel.className = "on";
          pre.scrollTop = pre.scrollHeight;
        });
    }
    load();
    logTimer = setInterval(load, 1000);
  }
  function follow(id) {
    if (source) source.close();
    shown = id;
    source = new EventSource("/api/runs/" + encodeURIComponent(id) + "/stream?" + query);
    source.addEventListener("model", function (e) {
      model = JSON.parse(e.data);
      render(model, root, showLog);
    });
    listRuns();
  }
  function listRuns() {
    fetch("/api/runs?" + query).then(function (r) { return r.json(); }).then(function (runs) {
      runsBox.replaceChildren(el("span", { class: "title" }, runs.length ? "runs:" : "no runs yet: waiting for one to start"));
      runs.forEach(function (run) {
        var b = el("button", { class: run.id === shown ? "on" : "", "data-run": run.id }, run.id + " · " + (run.live ? "running" : run.status));
        b.addEventListener("click", function () { pinned = true; follow(run.id); });
        runsBox.appendChild(b);
      });
      // Unless the user picked a run, the newest one is shown: a run that starts later is followed.
      if (!pinned && runs.length && runs[0].id !== shown) follow(runs[0].id);
    });
  }
  if (config.runId) { pinned = true; follow(config.runId); } else listRuns();
  setInterval(listRuns, 2000);
}
var root = document.getElementById("report");
var liveConfig = document.getElementById("lanes-live");
if (liveConfig) live(JSON.parse(liveConfig.textContent), root);
else render(JSON.parse(document.getElementById("lanes-data").textContent), root, null);
`;

/** The whole script, in a closure so that nothing leaks into the page's globals. */
export const CLIENT_SCRIPT = `(function () {\n"use strict";\n${CLIENT_DRAW}\n${CLIENT_PAGE}\n})();\n`;
