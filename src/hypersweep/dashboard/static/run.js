/* One run: its hyperparameters, exact command, status and reason, every metric as a
   chart, the log tail and its files. Polled every 2 s until the run has ended. */
"use strict";
(function () {
  const { el } = HS;
  const runId = HS.pathId();
  const base = "/api/runs/" + encodeURIComponent(runId);
  const TERMINAL = new Set(["Completed", "Failed", "Canceled"]);
  let version = null, finalDone = false, poller = null;

  function card(key, value, sub) {
    return el("div", { className: "card-stat" }, el("div", { className: "k", text: key }),
      el("div", { className: "v", text: value, title: value }), sub ? el("div", { className: "s", text: sub }) : null);
  }

  function renderDetails(r) {
    document.title = "hypersweep · run " + r.number;
    document.getElementById("title").textContent = "Run " + r.number;
    document.getElementById("run-id").textContent = r.id;
    HS.clear(document.getElementById("status")).appendChild(HS.badge(r.status));
    document.getElementById("reason").textContent = r.message || "";
    const sweepHref = "/experiments/" + encodeURIComponent(r.experiment.id);
    HS.setCrumbs([{ text: "experiments", href: "/" }, { text: r.experiment.name + " · " + r.experiment.id, href: sweepHref },
      { text: "run " + r.number }]);
    const end = r.ended || Date.now() / 1000;
    HS.clear(document.getElementById("cards")).append(
      card("best " + (r.experiment.metric || "metric"), HS.fmtNum(r.primary_best), r.primary_count + " values logged"),
      card("started", HS.fmtTime(r.started), r.host ? "on " + r.host : ""),
      card("duration", r.started ? HS.fmtDuration(end - r.started) : "–", r.ended ? "ended " + HS.fmtTime(r.ended) : "still running"),
      card("exit code", r.exit_code === null ? "–" : String(r.exit_code), r.pid ? "pid " + r.pid : ""));
    const params = HS.clear(document.getElementById("params"));
    Object.entries(r.params || {}).forEach(([k, v]) => params.append(el("dt", { text: k }),
      el("dd", { className: "mono", text: typeof v === "string" ? v : JSON.stringify(v) })));
    document.getElementById("command").textContent = r.command_line;
    document.getElementById("arguments").textContent = JSON.stringify(r.arguments);
  }

  async function drawMetrics() {
    const m = await HS.api(base + "/metrics");
    const scalars = HS.clear(document.getElementById("scalars"));
    m.scalars.forEach((s) => scalars.append(el("dt", { text: s.name }), el("dd", { className: "mono", text: HS.fmtNum(s.value) })));
    const grid = document.getElementById("metric-charts");
    const keep = new Set(m.figures.map((f) => f.name));
    Array.from(grid.children).forEach((div) => { if (!keep.has(div.dataset.name)) grid.removeChild(div); });
    for (const f of m.figures) {
      let div = Array.from(grid.children).find((d) => d.dataset.name === f.name);
      if (!div) { div = el("div", { className: "chart small", dataset: { name: f.name } }); grid.appendChild(div); }
      await HS.plot(div, f.figure);
    }
    if (!m.figures.length && !m.scalars.length) scalars.append(el("dd", { className: "empty", text: "no metrics logged yet" }));
  }

  async function drawLog() {
    const log = await HS.api(base + "/log?lines=300");
    const pre = document.getElementById("log");
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.textContent = log.exists ? (log.text || "(empty)") : "(no log file)";
    if (atBottom) pre.scrollTop = pre.scrollHeight;
    document.getElementById("log-note").textContent = log.exists ? "last 300 lines · " + log.size + " bytes" : "";
  }

  async function drawFiles() {
    const data = await HS.api(base + "/files");
    const ul = HS.clear(document.getElementById("files"));
    data.files.forEach((f) => ul.appendChild(el("li", {},
      el("a", { href: base + "/files/" + f.name.split("/").map(encodeURIComponent).join("/"), text: f.name }),
      el("span", { className: "size", text: f.size + " B" }))));
    if (!data.files.length) ul.appendChild(el("li", { className: "empty", text: "no files in outputs/ or logs/" }));
    if (data.truncated) ul.appendChild(el("li", { className: "empty", text: "… more files not listed" }));
  }

  async function tick() {
    const r = await HS.api(base);
    renderDetails(r);
    const ended = TERMINAL.has(r.status);
    if (r.version !== version) {
      await Promise.all([drawMetrics(), drawFiles()]);
      version = r.version;
    }
    if (!finalDone) await drawLog();
    if (ended) { finalDone = true; poller.every(10000); }
    document.body.dataset.version = version;
  }

  document.getElementById("copy").addEventListener("click", () => {
    const text = document.getElementById("command").textContent;
    if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
  });
  poller = HS.poll(tick, 2000);
})();
