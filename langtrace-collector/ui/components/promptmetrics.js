// Per-version metrics of a prompt, from langtrace's `GET /api/public/v2/prompts/{name}/metrics`
// (every environment, all time): the generations linked to each version (count, first and
// last use, latency p50 and p95, tokens, cost) and the average of each numeric score
// given to them or their traces; each count links to those generations.

import { h, link } from "../dom.js";
import { enc, fmtCost, fmtDuration, fmtNumber, fmtTime } from "../format.js";
import { api } from "../api.js";

/** The per-version figures of prompt `name`, newest version first. */
export async function loadPromptMetrics(name) {
  const result = await api(`/api/public/v2/prompts/${enc(name)}/metrics`);
  return result.data || [];
}

/** A version's score averages: `name avg (n)` each. */
function scoreAverages(scores) {
  if (!Array.isArray(scores) || !scores.length) return null;
  return h("span", { class: "inline-list" }, scores.map((s) => h("span", { class: "score-average", dataset: { score: s.name } },
    h("span", { class: "score-name", text: String(s.name) }), " ",
    h("span", { class: "score-value", text: Number(s.average).toFixed(2) }),
    h("span", { class: "muted", text: ` (${fmtNumber(s.count)})` }))));
}

/**
 * The metrics table: a row per version of `rows`, the `selected` one marked;
 * `generationsHref(version)` is where a count links.
 */
export function promptMetricsTable(rows, selected, generationsHref) {
  const ms = (v) => (v === undefined || v === null ? "" : fmtDuration(v / 1000));
  return h("div", { class: "table-wrap" }, h("table", { class: "grid", "data-testid": "prompt-metrics" },
    h("thead", null, h("tr", null, ["Version", "Generations", "Latency p50", "Latency p95", "Input tokens", "Output tokens", "Cost", "Cost / generation", "Scores (average)", "Last used"].map((c) => h("th", { text: c })))),
    h("tbody", null, rows.map((r) => {
      const count = r.generations || 0;
      return h("tr", { class: r.version === selected ? "selected-row" : null, dataset: { version: r.version, generations: count } },
        h("td", { text: `v${r.version}` }),
        h("td", { class: "num" }, count ? link(generationsHref(r.version), fmtNumber(count), { "data-testid": "version-generations-link" }) : "0"),
        h("td", { class: "num", text: ms(r.latencyP50) }),
        h("td", { class: "num", text: ms(r.latencyP95) }),
        h("td", { class: "num", text: fmtNumber(r.inputTokens) }),
        h("td", { class: "num", text: fmtNumber(r.outputTokens) }),
        h("td", { class: "num", text: fmtCost(r.totalCost) }),
        h("td", { class: "num", text: count ? fmtCost(r.totalCost / count) : "" }),
        h("td", null, scoreAverages(r.scores)),
        h("td", { class: "nowrap", text: fmtTime(r.lastUsedAt) }));
    }))));
}
