/* The runs table: sorting, filtering and paging happen on the server, so a sweep of
   thousands of runs sends one page at a time. */
"use strict";
(function () {
  const { el } = HS;
  const NUMERIC = new Set(["int", "float", "seconds"]);

  function cellText(col, value) {
    if (col.type === "time") return HS.fmtTime(value);
    if (col.type === "seconds") return HS.fmtDuration(value);
    if (col.type === "float" || col.type === "int") return HS.fmtNum(value);
    return value === null || value === undefined ? "–" : String(value);
  }

  /* options: {pageSize, maximize: () => bool} */
  HS.RunsTable = function (sweepId, options) {
    const table = document.getElementById("runs");
    const filter = document.getElementById("runs-filter");
    const status = document.getElementById("runs-status");
    const info = document.getElementById("runs-info");
    const prev = document.getElementById("runs-prev");
    const next = document.getElementById("runs-next");
    const state = { sort: "number", desc: false, q: "", status: "", offset: 0, limit: options.pageSize || 50 };
    let seq = 0, timer = null;

    function header(columns) {
      const tr = el("tr");
      columns.forEach((col) => {
        const active = state.sort === col.key;
        const th = el("th", { className: "sortable" + (NUMERIC.has(col.type) ? " num" : ""),
          dataset: { key: col.key }, title: "sort by " + col.label, "aria-sort": active ? (state.desc ? "descending" : "ascending") : "none" },
          col.label, active ? el("span", { className: "arrow", text: state.desc ? "▼" : "▲" }) : null);
        th.addEventListener("click", () => {
          if (state.sort === col.key) state.desc = !state.desc;
          else { state.sort = col.key; state.desc = col.key === "best" && options.maximize(); }
          state.offset = 0;
          load();
        });
        tr.appendChild(th);
      });
      HS.clear(table.tHead).appendChild(tr);
    }

    function body(columns, rows, bestId) {
      const tbody = HS.clear(table.tBodies[0]);
      const idIndex = columns.findIndex((c) => c.key === "id");
      rows.forEach((row) => {
        const runId = row[idIndex];
        const tr = el("tr", { className: runId === bestId ? "best" : "", dataset: { run: runId } });
        columns.forEach((col, i) => {
          const value = row[i];
          let td;
          if (col.key === "id") td = el("td", { className: "id" }, el("a", { href: "/runs/" + encodeURIComponent(value), text: value }));
          else if (col.key === "status") td = el("td", {}, HS.badge(value));
          else if (col.key === "reason") td = el("td", { className: "reason", text: value || "" });
          else td = el("td", { className: NUMERIC.has(col.type) ? "num" : "", text: cellText(col, value) });
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      if (!rows.length) tbody.appendChild(el("tr", {}, el("td", { colspan: columns.length, className: "empty", text: "no runs match" })));
    }

    async function load() {
      const mine = ++seq;
      const params = new URLSearchParams({ sort: state.sort, desc: state.desc ? "1" : "0", q: state.q,
        status: state.status, offset: String(state.offset), limit: String(state.limit) });
      const data = await HS.api("/api/experiments/" + encodeURIComponent(sweepId) + "/runs?" + params);
      if (mine !== seq) return;  // a newer request was made meanwhile
      header(data.columns);
      body(data.columns, data.rows, data.best_id);
      const last = Math.min(data.offset + data.rows.length, data.matched);
      info.textContent = data.matched ? (data.offset + 1) + "–" + last + " of " + data.matched +
        (data.matched !== data.total ? " (filtered from " + data.total + ")" : "") + " runs" : "0 runs";
      prev.disabled = data.offset === 0;
      next.disabled = last >= data.matched;
    }

    filter.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => { state.q = filter.value.trim(); state.offset = 0; load().catch((e) => HS.showError(e.message)); }, 200);
    });
    status.addEventListener("change", () => {
      clearTimeout(timer);  // a pending filter edit goes with this request
      state.status = status.value; state.q = filter.value.trim(); state.offset = 0;
      load().catch((e) => HS.showError(e.message));
    });
    prev.addEventListener("click", () => { state.offset = Math.max(0, state.offset - state.limit); load(); });
    next.addEventListener("click", () => { state.offset += state.limit; load(); });
    return { refresh: load };
  };
})();
