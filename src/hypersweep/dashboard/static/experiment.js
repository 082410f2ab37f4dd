/* One sweep: summary, metrics chart, runs table, parallel coordinates, scatter plots,
   importance and compute saved. The summary is polled every 2 s; when its version
   changes (a run started, ended or logged a value) the table and charts are re-fetched,
   so a running sweep updates without reloading. Zoom and brushing survive updates. */
"use strict";
(function () {
  const { el } = HS;
  const sweepId = HS.pathId();
  const base = "/api/experiments/" + encodeURIComponent(sweepId);
  let summary = null, version = null, pickersReady = false;
  const table = HS.RunsTable(sweepId, { pageSize: 50, maximize: () => !summary || summary.goal === "maximize" });

  function card(key, value, sub) {
    return el("div", { className: "card-stat" }, el("div", { className: "k", text: key }),
      el("div", { className: "v", text: value, title: value }), sub ? el("div", { className: "s", text: sub, title: sub }) : null);
  }

  function renderSummary(s) {
    document.title = "hypersweep · " + s.name;
    document.getElementById("title").textContent = s.name;
    document.getElementById("sweep-id").textContent = s.id;
    HS.clear(document.getElementById("status")).appendChild(HS.badge(s.status));
    document.getElementById("message").textContent = s.message || "";
    HS.setCrumbs([{ text: "experiments", href: "/" }, { text: s.name + " · " + s.id }]);
    const c = s.counts || {};
    const detail = ["Running", "Completed", "Canceled", "Failed", "Queued"].filter((k) => c[k]).map((k) => c[k] + " " + k.toLowerCase()).join(", ");
    const best = s.best ? HS.fmtNum(s.best.value) : "–";
    const bestSub = s.best ? "run " + s.best.number + " · " + s.best.id : "no run logged " + s.metric + " yet";
    const end = s.ended || Date.now() / 1000;
    const cards = HS.clear(document.getElementById("cards"));
    cards.append(
      card("best " + s.metric, best, bestSub),
      card("runs", s.done + " / " + (s.max_total_runs || s.runs) + " ended", detail || "no runs yet"),
      card("primary metric", s.metric, s.goal),
      card("sampler", s.sampling, s.params.map((p) => p.name).join(", ")),
      card("early termination", s.policy_type, s.policy),
      card("started", HS.fmtTime(s.started || s.created).slice(11), HS.fmtTime(s.started || s.created).slice(0, 10) +
        (s.started ? (s.ended ? " · ran " : " · running for ") + HS.fmtDuration(end - s.started) : "")));
    if (s.best) {
      const v = cards.firstChild.querySelector(".v");
      HS.clear(v).appendChild(el("a", { href: "/runs/" + encodeURIComponent(s.best.id), text: best }));
    }
  }

  function fillPicker(id, options, chosen) {
    const select = document.getElementById(id);
    HS.clear(select);
    options.forEach((o) => select.appendChild(el("option", { value: o.key, text: o.label + (o.kind === "log" ? " (log)" : "") })));
    select.value = chosen;
    select.addEventListener("change", () => drawFigure(select.id.split("-")[0]).catch((e) => HS.showError(e.message)));
  }

  function setupPickers(s) {
    const names = s.axes.filter((a) => !a.key.startsWith("@")).map((a) => a.key);
    const first = names[0] || "@number", second = names[1] || "@number";
    fillPicker("scatter-x", s.axes, first);
    fillPicker("scatter-y", s.axes, "@metric");
    fillPicker("scatter3d-x", s.axes, first);
    fillPicker("scatter3d-y", s.axes, second);
    fillPicker("scatter3d-z", s.axes, "@metric");
    pickersReady = true;
  }

  function query(kind) {
    if (kind !== "scatter" && kind !== "scatter3d") return "";
    const dims = kind === "scatter" ? ["x", "y"] : ["x", "y", "z"];
    return "?" + new URLSearchParams(dims.map((d) => [d, document.getElementById(kind + "-" + d).value]));
  }

  async function drawFigure(kind) {
    const div = document.getElementById("chart-" + kind);
    const res = await HS.api(base + "/figures/" + kind + query(kind));
    await HS.plot(div, res.figure, { untitled: kind !== "metrics" });
    div.dataset.version = res.version;
    div.dataset.traces = String((res.figure.data || []).length);
    HS.linkRuns(div);
  }

  async function drawSavings() {
    const s = await HS.api(base + "/savings");
    const cards = HS.clear(document.getElementById("savings-cards"));
    if (s.policy === "none") {
      cards.append(card("policy", "none", "every run goes to the end"));
      return;
    }
    cards.append(card("saved", (100 * s.fraction).toFixed(0) + "%", s.saved + " of " + s.budget + " intervals"),
      card("runs stopped", String(s.stopped_runs), "by the " + s.policy + " policy"),
      card("time saved (est.)", HS.fmtDuration(s.seconds_saved), "at each stopped run's own pace"));
  }

  const KINDS = ["metrics", "parallel", "scatter", "scatter3d", "importance", "savings"];
  const charts = {};
  KINDS.forEach((kind) => { charts[kind] = HS.whenVisible(document.getElementById("chart-" + kind), () => drawFigure(kind)); });

  /* The table and cards now; each chart when it is on screen (now, or when scrolled to). */
  async function refreshAll(next) {
    await Promise.all([table.refresh(), drawSavings()]);
    document.body.dataset.tableVersion = next;
    HS.plotly().catch(() => {});  // the charting library loads while the figures are fetched
    await Promise.all(KINDS.map((kind) => charts[kind].markStale()));
  }

  async function tick() {
    const s = await HS.api(base);
    summary = s;
    renderSummary(s);
    if (!pickersReady) setupPickers(s);
    if (s.version !== version) {
      await refreshAll(s.version);
      version = s.version;
      document.body.dataset.version = version;
    }
  }

  HS.poll(tick, 2000);
})();
