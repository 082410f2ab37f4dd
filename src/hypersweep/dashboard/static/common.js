/* Shared helpers of the dashboard pages (global HS). Data is only ever put into the page
   as text (textContent / createTextNode): nothing from the store becomes markup. */
"use strict";
(function () {
  const HS = {};

  HS.api = async function (path) {
    const res = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
    let body = null;
    try { body = await res.json(); } catch (e) { body = null; }
    if (!res.ok) throw new Error((body && body.error) || res.status + " " + res.statusText);
    return body;
  };

  HS.el = function (tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "className") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  };

  HS.clear = function (node) { while (node.firstChild) node.removeChild(node.firstChild); return node; };

  HS.fmtNum = function (v) {
    if (v === null || v === undefined || v === "") return "–";
    if (typeof v !== "number") return String(v);
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-4 || a >= 1e7)) return v.toExponential(3);
    return String(Number(v.toPrecision(6)));
  };

  const pad = (n) => String(n).padStart(2, "0");
  HS.fmtTime = function (ts) {
    if (ts === null || ts === undefined) return "–";
    const d = new Date(ts * 1000);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  };

  HS.fmtDuration = function (s) {
    if (s === null || s === undefined) return "–";
    if (s < 60) return s.toFixed(1) + "s";
    const m = Math.floor(s / 60), h = Math.floor(m / 60);
    if (h) return h + "h" + pad(m % 60) + "m" + pad(Math.floor(s % 60)) + "s";
    return m + "m" + pad(Math.floor(s % 60)) + "s";
  };

  HS.badge = function (status) {
    return HS.el("span", { className: "badge st-" + String(status).replace(/[^A-Za-z]/g, ""), text: status });
  };

  HS.setCrumbs = function (items) {
    const nav = HS.clear(document.getElementById("crumbs"));
    items.forEach((item, i) => {
      if (i) nav.appendChild(HS.el("span", { className: "sep", text: "/" }));
      nav.appendChild(item.href ? HS.el("a", { href: item.href, text: item.text }) : HS.el("span", { text: item.text }));
    });
  };

  HS.showError = function (message) {
    const box = document.getElementById("error");
    if (!box) return;
    box.textContent = message || "";
    box.classList.toggle("shown", Boolean(message));
  };

  const CONFIG = { responsive: true, displaylogo: false, showLink: false, showSendToCloud: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d"] };

  /* Plotly (4.8 MB, served from the installed plotly package) is loaded after the page
     is up, so the summary and the table show at once and the charts follow. */
  let plotlyLoading = null;
  HS.plotly = function () {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!plotlyLoading) {
      plotlyLoading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = "/static/vendor/plotly.min.js";
        script.onload = () => resolve(window.Plotly);
        script.onerror = () => { plotlyLoading = null; reject(new Error("could not load plotly.min.js")); };
        document.head.appendChild(script);
      });
    }
    return plotlyLoading;
  };

  /* Draw or update a figure dict built by the server (the same dicts plots.py wraps). */
  HS.plot = async function (div, figure, options) {
    await HS.plotly();
    const layout = Object.assign({}, figure.layout || {});
    if (options && options.untitled) {
      layout.title = { text: "" };  // the panel's heading names the chart
      layout.margin = Object.assign({}, layout.margin || {}, { t: Math.min(24, (layout.margin || {}).t || 24) });
      if ((figure.data || []).length && figure.data[0].type === "parcoords") layout.margin.t = 60;
    }
    if (div.classList.contains("auto") && !layout.height) layout.height = 320;
    if (!div.classList.contains("auto")) delete layout.height;
    return Plotly.react(div, figure.data || [], layout, CONFIG);
  };

  /* Call fn now and then every `ms` (not while the tab is hidden, never overlapping). */
  HS.poll = function (fn, ms) {
    const live = document.getElementById("live");
    let timer = null, busy = false, stopped = false, period = ms;
    async function tick() {
      if (stopped) return;
      if (!document.hidden && !busy) {
        busy = true;
        try {
          await fn();
          if (live) { live.className = "live on"; live.textContent = "live · " + HS.fmtTime(Date.now() / 1000).slice(11); }
          HS.showError("");
        } catch (e) {
          if (live) { live.className = "live error"; live.textContent = "disconnected"; }
          HS.showError(String(e.message || e));
        } finally { busy = false; }
      }
      timer = setTimeout(tick, period);
    }
    tick();
    return { stop() { stopped = true; clearTimeout(timer); }, every(newMs) { period = newMs; } };
  };

  /* Open a run's page when a point or line of a chart is clicked. */
  HS.linkRuns = function (div) {
    if (div.dataset.linked) return;
    div.dataset.linked = "1";
    div.on("plotly_click", (ev) => {
      const pt = ev && ev.points && ev.points[0];
      if (!pt) return;
      const cd = pt.customdata;
      const id = Array.isArray(cd) ? cd[0] : (typeof cd === "string" ? cd : pt.data && pt.data.meta);
      if (typeof id === "string" && id) window.location.href = "/runs/" + encodeURIComponent(id);
    });
  };

  /* Run `draw` for an element when it is (about to be) on screen, and again each time it
     comes back into view after `markStale`: charts below the fold cost nothing until seen. */
  HS.whenVisible = function (node, draw) {
    const state = { stale: false, drawing: null };
    function onScreen() {
      const r = node.getBoundingClientRect();
      return r.bottom > -100 && r.top < window.innerHeight + 100 && r.width > 0;
    }
    function maybe() {
      if (!state.stale || !onScreen()) return state.drawing || Promise.resolve();
      if (state.drawing) return state.drawing.then(maybe);
      state.stale = false;
      state.drawing = draw().catch((e) => { state.stale = true; HS.showError(String(e.message || e)); })
        .finally(() => { state.drawing = null; });
      return state.drawing;
    }
    new IntersectionObserver(() => maybe(), { rootMargin: "100px 0px" }).observe(node);
    return { markStale() { state.stale = true; return maybe(); } };
  };

  HS.pathId = function () {
    const parts = window.location.pathname.split("/").filter(Boolean);
    return decodeURIComponent(parts[parts.length - 1] || "");
  };

  window.HS = HS;
})();
