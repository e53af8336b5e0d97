// Per-version metrics of a prompt: the generations linked to each version (count,
// latency percentiles, tokens, cost), from the metrics API's `promptName` and
// `promptVersion` dimensions, for the environment chosen in the header; each count links
// to those generations.

import { h, link } from "../dom.js";
import { fmtCost, fmtDuration, fmtNumber } from "../format.js";
import { api } from "../api.js";
import { state } from "../state.js";

const PERCENTILES = ["p50", "p90", "p99"];

/** The metrics rows of prompt `name`, one per version: `{promptVersion, count_count, p50_latency, ...}`. */
export async function loadPromptMetrics(name) {
  const filters = [{ column: "promptName", operator: "=", value: name }];
  if (state.environment) filters.push({ column: "environment", operator: "=", value: state.environment });
  const query = {
    view: "observations",
    dimensions: [{ field: "promptVersion" }],
    metrics: [
      { measure: "count", aggregation: "count" },
      ...PERCENTILES.map((p) => ({ measure: "latency", aggregation: p })),
      { measure: "inputTokens", aggregation: "sum" },
      { measure: "outputTokens", aggregation: "sum" },
      { measure: "totalCost", aggregation: "sum" },
    ],
    filters,
    // Every generation ever linked: prompts outlive any dashboard range.
    fromTimestamp: new Date(0).toISOString(),
    toTimestamp: new Date(Date.now() + 86400e3).toISOString(),
  };
  const result = await api("/api/public/v2/metrics", { query: JSON.stringify(query) });
  return result.data || [];
}

/**
 * The metrics table: a row per version of `versions` (numbers, newest first), the
 * `selected` one marked; `generationsHref(version)` is where a count links.
 */
export function promptMetricsTable(rows, versions, selected, generationsHref) {
  const byVersion = new Map(rows.map((r) => [Number(r.promptVersion), r]));
  const ms = (v) => (v === undefined || v === null ? "" : fmtDuration(v / 1000));
  return h("div", { class: "table-wrap" }, h("table", { class: "grid", "data-testid": "prompt-metrics" },
    h("thead", null, h("tr", null, ["Version", "Generations", ...PERCENTILES.map((p) => `Latency ${p}`), "Input tokens", "Output tokens", "Cost", "Cost / generation"].map((c) => h("th", { text: c })))),
    h("tbody", null, versions.map((version) => {
      const r = byVersion.get(version) || {};
      const count = r.count_count || 0;
      return h("tr", { class: version === selected ? "selected-row" : null, dataset: { version, generations: count } },
        h("td", { text: `v${version}` }),
        h("td", { class: "num" }, count ? link(generationsHref(version), fmtNumber(count), { "data-testid": "version-generations" }) : "0"),
        PERCENTILES.map((p) => h("td", { class: "num", text: ms(r[`${p}_latency`]) })),
        h("td", { class: "num", text: fmtNumber(r.sum_inputTokens ?? (count ? 0 : null)) }),
        h("td", { class: "num", text: fmtNumber(r.sum_outputTokens ?? (count ? 0 : null)) }),
        h("td", { class: "num", text: fmtCost(r.sum_totalCost ?? null) }),
        h("td", { class: "num", text: count && r.sum_totalCost ? fmtCost(r.sum_totalCost / count) : "" }));
    }))));
}
