// powermap watch dashboard: plain JS, no dependencies. Reads the JSON API of the same server
// and draws SVG charts (metric over time with threshold lines), current shares, active
// alerts and source health. Refreshes every 30 s.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const CHART_METRICS = [
  "top_share", "nakamoto_coefficient=1/3", "nakamoto_coefficient", "nakamoto_coefficient=2/3",
  "hhi", "gini", "entropy=1",
];

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function svgEl(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

async function getJSON(url) {
  const r = await fetch(url, { headers: { Accept: "application/json" } });
  if (!r.ok) throw new Error(url + ": HTTP " + r.status);
  return r.json();
}

function fmt(v, metric) {
  if (v === null || v === undefined) return "–";
  if (metric === "top_share") return (v * 100).toFixed(1) + " %";
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3);
}

// A line chart of `series.points` with a dashed line per threshold.
function chart(series) {
  const W = 420, H = 180, L = 44, R = 8, T = 10, B = 22;
  const pts = series.points.filter(p => p.value !== null);
  const svg = svgEl("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img",
    "aria-label": `${series.metric} over time` });
  if (pts.length === 0) {
    const t = svgEl("text", { x: W / 2, y: H / 2, "text-anchor": "middle" });
    t.textContent = "no data";
    svg.append(t);
    return svg;
  }
  const times = pts.map(p => Date.parse(p.date));
  const values = pts.map(p => p.value).concat(series.thresholds.map(t => t.value));
  let lo = Math.min(...values), hi = Math.max(...values);
  if (lo > 0 && lo / (hi || 1) > 0.2) lo = Math.min(lo, 0);
  if (hi === lo) { hi += 1; lo -= lo === 0 ? 0 : 1; }
  const pad = (hi - lo) * 0.05; hi += pad; lo = Math.max(lo - pad, Math.min(...values) >= 0 ? 0 : lo - pad);
  const t0 = Math.min(...times), t1 = Math.max(...times) === t0 ? t0 + 1 : Math.max(...times);
  const x = t => L + (t - t0) / (t1 - t0) * (W - L - R);
  const y = v => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  svg.append(svgEl("line", { class: "axis", x1: L, y1: H - B, x2: W - R, y2: H - B }));
  svg.append(svgEl("line", { class: "axis", x1: L, y1: T, x2: L, y2: H - B }));
  for (const v of [lo, (lo + hi) / 2, hi]) {
    const t = svgEl("text", { x: L - 4, y: y(v) + 3, "text-anchor": "end" });
    t.textContent = fmt(v, series.metric);
    svg.append(t);
  }
  for (const [i, p] of [[0, pts[0]], [1, pts[pts.length - 1]]]) {
    const t = svgEl("text", { x: i ? W - R : L, y: H - 6, "text-anchor": i ? "end" : "start" });
    t.textContent = p.date;
    svg.append(t);
  }
  for (const th of series.thresholds) {
    if (th.value < lo || th.value > hi) continue;
    svg.append(svgEl("line", { class: "threshold", x1: L, x2: W - R, y1: y(th.value), y2: y(th.value) }));
    const t = svgEl("text", { class: "tlabel", x: W - R - 2, y: y(th.value) - 3, "text-anchor": "end" });
    t.textContent = th.label;
    svg.append(t);
  }
  const d = pts.map((p, i) => (i ? "L" : "M") + x(times[i]).toFixed(1) + " " + y(p.value).toFixed(1)).join(" ");
  svg.append(svgEl("path", { class: "series", d }));
  return svg;
}

function sharesTable(shares) {
  const rows = shares.entities.slice(0, 12).map(e => {
    const bar = el("div", { class: "bar" });
    const fill = el("span");
    fill.style.width = (e.share * 100).toFixed(2) + "%";
    bar.append(fill);
    let interval = "";
    if (e.lo !== null && e.hi !== null) {
      const ci = el("i");
      ci.style.left = (e.lo * 100).toFixed(2) + "%";
      ci.style.width = Math.max((e.hi - e.lo) * 100, 0.3).toFixed(2) + "%";
      bar.append(ci);
      interval = (e.lo * 100).toFixed(1) + "–" + (e.hi * 100).toFixed(1) + " %";
    }
    return el("tr", {}, el("td", {}, e.name), el("td", {}, (e.share * 100).toFixed(2) + " %"),
      el("td", { class: "muted" }, interval), el("td", {}, bar));
  });
  return el("table", { class: "shares" },
    el("thead", {}, el("tr", {}, el("th", {}, "entity"), el("th", {}, "share"),
      el("th", {}, "95 % interval"), el("th", {}, ""))),
    el("tbody", {}, ...rows));
}

async function renderLayer(network, layer) {
  const q = `network=${encodeURIComponent(network)}&layer=${encodeURIComponent(layer.layer)}`;
  const metrics = CHART_METRICS.filter(m => m === "top_share" || layer.metrics.includes(m));
  const [shares, ...series] = await Promise.all([
    getJSON(`/api/v1/shares?${q}&limit=12`),
    ...metrics.map(m => getJSON(`/api/v1/series?${q}&metric=${encodeURIComponent(m)}`)),
  ]);
  const section = el("section", { class: "layer", "data-network": network, "data-layer": layer.layer });
  section.append(el("h2", {}, `${network} / ${layer.layer}`),
    el("p", { class: "muted" }, `${layer.windows} windows, ${layer.first_day} … ${layer.last_day}; ${layer.provenance.window_spec}`));
  const charts = el("div", { class: "charts" });
  for (const s of series) {
    const last = s.points.length ? s.points[s.points.length - 1].value : null;
    const box = el("div", { class: "chart-box" },
      el("span", { class: "latest" }, fmt(last, s.metric)),
      el("div", { class: "title", title: s.description }, s.metric));
    box.append(chart(s));
    charts.append(box);
  }
  section.append(el("h3", {}, "Metrics over time"), charts,
    el("h3", {}, `Current shares (${shares.window.start} … ${shares.window.end}, ${shares.entities_total} entities)`),
    sharesTable(shares));
  return section;
}

async function renderAlerts() {
  const data = await getJSON("/api/v1/alerts");
  const box = document.getElementById("alerts");
  box.replaceChildren();
  if (data.alerts.length === 0) {
    box.append(el("p", { class: "ok" }, "No alerts firing."));
    return;
  }
  const rows = data.alerts.map(a => el("tr", { class: "alert" },
    el("td", { class: "sev-" + (a.labels.severity || "") }, a.labels.severity || ""),
    el("td", {}, a.labels.alertname || ""),
    el("td", {}, `${a.labels.network || ""}/${a.labels.layer || ""}`),
    el("td", {}, a.annotations.description || a.annotations.summary || ""),
    el("td", { class: "muted" }, a.starts_at.slice(0, 19).replace("T", " ") + (a.silenced ? " (silenced)" : ""))));
  box.append(el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "severity"),
    el("th", {}, "constraint"), el("th", {}, "scope"), el("th", {}, "explanation"), el("th", {}, "since"))),
    el("tbody", {}, ...rows)));
}

async function renderSources() {
  const data = await getJSON("/api/v1/sources");
  const box = document.getElementById("sources");
  box.replaceChildren();
  if (data.sources.length === 0) {
    box.append(el("p", { class: "muted" }, "No sources configured."));
    return;
  }
  const rows = data.sources.map(s => el("tr", { class: "source" },
    el("td", {}, s.name), el("td", {}, s.kind), el("td", {}, s.network),
    el("td", {}, s.last_block === null ? "–" : String(s.last_block)),
    el("td", {}, s.lag_seconds === null ? "–" : Math.round(s.lag_seconds) + " s"),
    el("td", { class: s.errors_total ? "bad" : "ok" }, String(s.errors_total)),
    el("td", { class: "muted" }, s.last_error || "")));
  box.append(el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "source"), el("th", {}, "kind"),
    el("th", {}, "network"), el("th", {}, "last block"), el("th", {}, "lag"), el("th", {}, "errors"),
    el("th", {}, "last error"))), el("tbody", {}, ...rows)));
}

async function refresh() {
  const status = document.getElementById("status");
  try {
    const nets = await getJSON("/api/v1/networks");
    const sections = [];
    for (const n of nets.networks) {
      const info = await getJSON(`/api/v1/networks/${encodeURIComponent(n.network)}/layers`);
      for (const layer of info.layers) sections.push(await renderLayer(n.network, layer));
    }
    document.getElementById("layers").replaceChildren(...sections);
    await Promise.all([renderAlerts(), renderSources()]);
    status.textContent = "updated " + new Date().toISOString().slice(0, 19).replace("T", " ") + " UTC";
    status.className = "";
  } catch (e) {
    status.textContent = "update failed: " + e.message;
    status.className = "bad";
  }
}

refresh();
setInterval(refresh, 30000);
