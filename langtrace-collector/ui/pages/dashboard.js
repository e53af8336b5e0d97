// The dashboard: a time range (kept in the hash) and the charts of the metrics API over
// it (traces, observations, cost and tokens by model, latency percentiles, cost per user,
// error rate by release, guardrail findings by scanner), for the environment chosen in the
// header (all but the playground's runs when none is chosen).

import { clear, contained, h, pageRoot } from "../dom.js";
import { fmtCost, fmtDuration, fmtNumber, toIso, toLocalInput } from "../format.js";
import { api } from "../api.js";
import { hashWith, setReady } from "../router.js";
import { isCurrent, state } from "../state.js";
import { barChart, seriesBy, timeChart } from "../components/charts.js";

/** The environment of playground runs, left out of the dashboard unless chosen. */
const PLAYGROUND_ENVIRONMENT = "langtrace-playground";

const RANGES = { "1h": 3600e3, "24h": 86400e3, "7d": 7 * 86400e3, "30d": 30 * 86400e3, "90d": 90 * 86400e3 };

export async function dashboardPage(token, query) {
  const range = query.get("range") || "24h";
  let to = query.get("to") ? new Date(query.get("to")) : new Date();
  let from = query.get("from") ? new Date(query.get("from")) : new Date(to.getTime() - (RANGES[range] || RANGES["24h"]));
  if (Number.isNaN(to.getTime())) to = new Date();
  if (Number.isNaN(from.getTime())) from = new Date(to.getTime() - RANGES["24h"]);
  const base = { fromTimestamp: from.toISOString(), toTimestamp: to.toISOString() };
  // All environments but the playground's runs, unless one is chosen.
  const envFilter = [state.environment
    ? { column: "environment", operator: "=", value: state.environment }
    : { column: "environment", operator: "!=", value: PLAYGROUND_ENVIRONMENT }];
  const metrics = (q) => api("/api/public/v2/metrics", { query: JSON.stringify({ ...base, ...q, filters: [...envFilter, ...(q.filters || [])] }) }).then((r) => r.data || []);
  const time = { timeDimension: { granularity: "auto" } };
  const percentiles = ["p50", "p90", "p95", "p99"].map((p) => ({ measure: "latency", aggregation: p }));
  // A guardrail finding: a GUARDRAIL observation at WARNING or ERROR (one per scanner run).
  const findingFilters = [{ column: "type", operator: "=", value: "GUARDRAIL" }, { column: "level", operator: "!=", value: "DEFAULT" }, { column: "level", operator: "!=", value: "DEBUG" }];
  const [traces, observations, models, traceLatency, generationLatency, users, releases, guardrails] = await Promise.all([
    metrics({ view: "traces", metrics: [{ measure: "count", aggregation: "count" }], ...time }),
    metrics({ view: "observations", dimensions: [{ field: "type" }], metrics: [{ measure: "count", aggregation: "count" }], ...time }),
    metrics({ view: "observations", dimensions: [{ field: "providedModelName" }], metrics: [{ measure: "totalCost", aggregation: "sum" }, { measure: "totalTokens", aggregation: "sum" }], filters: [{ column: "type", operator: "=", value: "GENERATION" }], ...time }),
    metrics({ view: "traces", dimensions: [{ field: "name" }], metrics: percentiles }),
    metrics({ view: "observations", dimensions: [{ field: "name" }], metrics: percentiles, filters: [{ column: "type", operator: "=", value: "GENERATION" }] }),
    metrics({ view: "traces", dimensions: [{ field: "userId" }], metrics: [{ measure: "totalCost", aggregation: "sum" }, { measure: "count", aggregation: "count" }] }),
    metrics({ view: "traces", dimensions: [{ field: "release" }, { field: "version" }], metrics: [{ measure: "errorCount", aggregation: "sum" }, { measure: "count", aggregation: "count" }] }),
    metrics({ view: "observations", dimensions: [{ field: "name" }], metrics: [{ measure: "count", aggregation: "count" }], filters: findingFilters, ...time }),
  ]);
  if (!isCurrent(token)) return;
  const go = (changes) => { location.hash = hashWith("/dashboard", { range, from: query.get("from") || "", to: query.get("to") || "", ...changes }); };
  const rangeSelect = h("select", { "data-testid": "range", onChange: (e) => go({ range: e.target.value, from: "", to: "" }) },
    Object.keys(RANGES).map((r) => h("option", { value: r, text: `last ${r}` })));
  rangeSelect.value = range;
  const localInput = (name, date) => h("input", { type: "datetime-local", name, value: toLocalInput(date), onChange: (e) => go({ [name]: toIso(e.target.value) || "" }) });
  const root = clear(pageRoot());
  const grid = h("div", { class: "charts" });
  const dash = h("div", { "data-testid": "dashboard", class: "dashboard" },
    h("div", { class: "page-head" }, h("h1", { text: "Dashboard" }), rangeSelect,
      h("label", { class: "inline" }, "From ", localInput("from", from)), h("label", { class: "inline" }, "To ", localInput("to", to))),
    grid);
  root.appendChild(dash);
  // Each card drawn on its own: one that cannot be drawn shows a placeholder, not an empty page.
  const card = (title, chart, note) => grid.appendChild(h("section", { class: "card" }, h("h3", { text: title }), contained(chart), note ? h("p", { class: "muted", text: contained(note) }) : null));

  card("Traces over time", () => timeChart("traces", seriesBy(traces, () => "traces", "count_count"), { bars: true }),
    () => `${fmtNumber(traces.reduce((a, r) => a + (r.count_count || 0), 0))} traces`);
  card("Observations over time (by type)", () => timeChart("observations", seriesBy(observations, (r) => r.type || "?", "count_count"), { bars: true }));
  card("Cost by model over time", () => timeChart("cost-by-model", seriesBy(models, (r) => r.providedModelName || "(no model)", "sum_totalCost"), { format: fmtCost }));
  card("Tokens by model over time", () => timeChart("tokens-by-model", seriesBy(models, (r) => r.providedModelName || "(no model)", "sum_totalTokens"), { format: fmtNumber }));
  const latencyItems = (rows) => rows.map((r) => ({ label: r.name || "(unnamed)", values: ["p50", "p90", "p95", "p99"].map((p) => r[`${p}_latency`] || 0) }))
    .sort((a, b) => b.values[3] - a.values[3]).slice(0, 15);
  const msFormat = (v) => fmtDuration(v / 1000);
  card("Trace latency p50 / p90 / p95 / p99 by name", () => barChart("latency-by-trace-name", latencyItems(traceLatency), ["p50", "p90", "p95", "p99"], msFormat));
  card("Generation latency p50 / p90 / p95 / p99 by name", () => barChart("latency-by-generation-name", latencyItems(generationLatency), ["p50", "p90", "p95", "p99"], msFormat));
  const userItems = () => users.map((r) => ({ label: r.userId || "(no user)", values: [r.sum_totalCost || 0] })).sort((a, b) => b.values[0] - a.values[0]).slice(0, 15);
  card("Cost per user (top 15)", () => barChart("cost-by-user", userItems(), ["cost"], fmtCost));
  const releaseItems = () => releases.map((r) => ({ label: `${r.release || "(no release)"} / ${r.version || "(no version)"}`, values: [r.count_count ? (r.sum_errorCount || 0) / r.count_count : 0], note: `${fmtNumber(r.sum_errorCount || 0)} of ${fmtNumber(r.count_count || 0)}` }))
    .sort((a, b) => b.values[0] - a.values[0]).slice(0, 15);
  card("Error rate by release / version", () => barChart("error-rate-by-release", releaseItems(), ["error rate"], (v) => `${(v * 100).toFixed(1)}%`));
  card("Guardrail findings by scanner over time", () => timeChart("guardrail-findings", seriesBy(guardrails, (r) => r.name || "?", "count_count"), { bars: true }),
    () => `${fmtNumber(guardrails.reduce((a, r) => a + (r.count_count || 0), 0))} findings`);
  setReady("dashboard");
}
