/* The experiments list: every sweep of the workspace, newest first, refreshed live. */
"use strict";
(function () {
  const { el } = HS;

  function row(e) {
    const total = e.max_total_runs || e.runs || 0;
    const pct = total ? Math.min(100, (100 * e.done) / total) : 0;
    const bar = el("div", { className: "bar", title: e.done + " of " + total + " runs ended" },
      el("span", { style: "width:" + pct.toFixed(1) + "%" }));
    const running = e.running ? " (" + e.running + " running)" : "";
    return el("tr", {},
      el("td", {}, el("a", { href: "/experiments/" + encodeURIComponent(e.id), text: e.name })),
      el("td", { className: "id" }, el("a", { href: "/experiments/" + encodeURIComponent(e.id), text: e.id })),
      el("td", {}, HS.badge(e.status)),
      el("td", { text: e.sampling }),
      el("td", { text: e.policy }),
      el("td", { className: "num", text: e.done + " / " + total + running }),
      el("td", {}, bar),
      el("td", { className: "num", text: HS.fmtNum(e.best) }),
      el("td", { text: (e.metric || "") + (e.goal ? " (" + e.goal + ")" : "") }),
      el("td", { text: HS.fmtTime(e.started || e.created) }));
  }

  async function refresh() {
    const data = await HS.api("/api/experiments");
    const body = HS.clear(document.querySelector("#experiments tbody"));
    data.experiments.forEach((e) => body.appendChild(row(e)));
    if (!data.experiments.length) {
      body.appendChild(el("tr", {}, el("td", { colspan: 10, className: "empty",
        text: "No sweeps in this workspace yet: submit one with Experiment.submit() or 'hypersweep run sweep.yml'." })));
    }
    document.getElementById("count").textContent = data.experiments.length + " sweep(s)";
  }

  HS.setCrumbs([{ text: "experiments" }]);
  HS.poll(refresh, 3000);
})();
