// Dashboard charts in SVG: time series (stacked bars or lines) grouped from metric rows,
// horizontal grouped bars, their legend, and the empty chart.

import { h, s } from "../dom.js";
import { fmtNumber, pad } from "../format.js";

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#475569", "#ea580c"];

/** Groups metric rows into time series: {name, points: Map(time -> value)}. */
export function seriesBy(rows, nameOf, field) {
  const series = new Map();
  for (const r of rows) {
    const name = nameOf(r);
    if (!series.has(name)) series.set(name, new Map());
    const t = Date.parse(r.time_dimension);
    series.get(name).set(t, (series.get(name).get(t) || 0) + (r[field] || 0));
  }
  return [...series.entries()].map(([name, points]) => ({ name, points }));
}

function legend(names) {
  return h("div", { class: "legend" }, names.map((name, i) => {
    const swatch = h("span", { class: "swatch" });
    swatch.style.background = PALETTE[i % PALETTE.length];
    return h("span", { class: "legend-item" }, swatch, name);
  }));
}

function emptyChart(name) {
  return h("div", null, s("svg", { "data-chart": name, class: "chart", width: 520, height: 60, viewBox: "0 0 520 60" },
    s("text", { x: 260, y: 34, class: "chart-empty", "text-anchor": "middle", text: "No data in this range" })));
}

/** A time-series chart: stacked bars (`bars`) or lines, one colour per series. */
export function timeChart(name, series, { bars = false, format = fmtNumber } = {}) {
  const times = [...new Set(series.flatMap((sr) => [...sr.points.keys()]))].sort((a, b) => a - b);
  if (!times.length) return emptyChart(name);
  const W = 520, H = 220, L = 56, R = 10, T = 10, B = 34;
  const totals = times.map((t) => series.reduce((a, sr) => a + (sr.points.get(t) || 0), 0));
  const max = Math.max(1e-12, ...(bars ? totals : series.flatMap((sr) => [...sr.points.values()])));
  // Positioned by time (gaps stay visible); `i` indexes `times`.
  const t0 = times[0], t1 = times[times.length - 1];
  const step = times.reduce((m, t, i) => (i ? Math.min(m, t - times[i - 1]) : m), Infinity);
  const pad0 = bars && Number.isFinite(step) ? step / 2 : 0;
  const x = (i) => (t1 === t0 ? L + (W - L - R) / 2 : L + ((times[i] - t0 + pad0) / (t1 - t0 + 2 * pad0)) * (W - L - R));
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const svg = s("svg", { "data-chart": name, class: "chart", width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img" });
  for (const f of [0, 0.5, 1]) {
    svg.appendChild(s("line", { x1: L, x2: W - R, y1: y(max * f), y2: y(max * f), class: "gridline" }));
    svg.appendChild(s("text", { x: L - 4, y: y(max * f) + 4, "text-anchor": "end", class: "axis-label", text: format(max * f) }));
  }
  const label = (t) => { const d = new Date(t); return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`; };
  const ticks = Math.min(times.length, 4);
  for (let k = 0; k < ticks; k++) {
    const i = ticks === 1 ? 0 : Math.round((k * (times.length - 1)) / (ticks - 1));
    svg.appendChild(s("text", { x: x(i), y: H - 12, "text-anchor": "middle", class: "axis-label", text: label(times[i]) }));
  }
  if (bars) {
    const slot = t1 === t0 ? (W - L - R) / 3 : ((W - L - R) * step) / (t1 - t0 + 2 * pad0);
    const bw = Math.max(1, Math.min(30, slot * 0.8));
    times.forEach((t, i) => {
      let acc = 0;
      series.forEach((sr, j) => {
        const v = sr.points.get(t) || 0;
        if (!v) return;
        const rect = s("rect", { x: x(i) - bw / 2, y: y(acc + v), width: bw, height: Math.max(0.5, y(acc) - y(acc + v)), fill: PALETTE[j % PALETTE.length], class: "bar-rect" },
          s("title", { text: `${label(t)} ${sr.name}: ${format(v)}` }));
        svg.appendChild(rect);
        acc += v;
      });
    });
  } else {
    series.forEach((sr, j) => {
      const pts = times.map((t, i) => `${x(i)},${y(sr.points.get(t) || 0)}`).join(" ");
      svg.appendChild(s("polyline", { points: pts, fill: "none", stroke: PALETTE[j % PALETTE.length], "stroke-width": 2, class: "series" }, s("title", { text: sr.name })));
      times.forEach((t, i) => {
        const v = sr.points.get(t);
        if (v) svg.appendChild(s("circle", { cx: x(i), cy: y(v), r: 2.5, fill: PALETTE[j % PALETTE.length] }, s("title", { text: `${label(t)} ${sr.name}: ${format(v)}` })));
      });
    });
  }
  return h("div", null, svg, series.length > 1 || !bars ? legend(series.map((sr) => sr.name)) : null);
}

/** Horizontal grouped bars: items [{label, values[]}] with one colour per key. */
export function barChart(name, items, keys, format) {
  if (!items.length) return emptyChart(name);
  const W = 520, L = 150, R = 70, rowH = 6 + keys.length * 9;
  const H = 10 + items.length * (rowH + 6);
  const max = Math.max(1e-12, ...items.flatMap((it) => it.values));
  const svg = s("svg", { "data-chart": name, class: "chart", width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img" });
  items.forEach((it, i) => {
    const top = 6 + i * (rowH + 6);
    const text = it.label.length > 22 ? `${it.label.slice(0, 21)}…` : it.label;
    svg.appendChild(s("text", { x: L - 6, y: top + rowH / 2 + 4, "text-anchor": "end", class: "axis-label", text }, s("title", { text: it.label })));
    it.values.forEach((v, k) => {
      const width = Math.max(1, ((W - L - R) * v) / max);
      svg.appendChild(s("rect", { x: L, y: top + 3 + k * 9, width, height: 8, fill: PALETTE[k % PALETTE.length] },
        s("title", { text: `${it.label} ${keys[k]}: ${format(v)}${it.note ? ` (${it.note})` : ""}` })));
      if (k === it.values.length - 1) svg.appendChild(s("text", { x: L + width + 4, y: top + 3 + k * 9 + 8, class: "axis-label", text: format(v) }));
    });
  });
  return h("div", null, svg, keys.length > 1 ? legend(keys) : null);
}
