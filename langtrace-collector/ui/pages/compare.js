// Runs side by side (`#/compare/<dataset>?run=A&run=B…`): one row per dataset item of
// the runs, its input and expected output, then per run the output it produced, its
// scores, latency and cost, and a link to its trace; a summary row with each run's
// averages. In every score column (and for latency and cost) the best run is marked:
// the highest score, the lowest latency and cost.

import { clear, contained, h, link, pageRoot, section } from "../dom.js";
import { enc, fmtCost, fmtDuration, fmtNumber } from "../format.js";
import { api, mapConcurrently } from "../api.js";
import { hashWith, setReady } from "../router.js";
import { isCurrent } from "../state.js";
import { bestOf, figureCell, fmtScore, loadRun, MAX_RUN_ITEMS, summarize } from "../components/experimentruns.js";
import { renderValue } from "../components/values.js";

/** Dataset items loaded at once. */
const CONCURRENT_ITEMS = 6;

/** The mean of item `result`'s numeric scores named `name`; undefined when it has none. */
function scoreOf(result, name) {
  const values = (result && result.scores || []).filter((s) => s.name === name && typeof s.value === "number" && s.dataType !== "CATEGORICAL").map((s) => s.value);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/** The numeric score names of every run's items, sorted. */
function scoreNames(runs) {
  const names = new Set();
  for (const run of runs) for (const item of run.items) for (const s of item.scores) if (typeof s.value === "number" && s.dataType !== "CATEGORICAL") names.add(s.name);
  return [...names].sort();
}

/** One run's cell of an item row: output, scores (best marked), latency and cost, trace link. */
function resultCell(result, names, best, index) {
  if (!result) return h("td", { class: "muted", "data-testid": "run-output", text: "(not in this run)" });
  if (result.error) return h("td", { class: "error-text", "data-testid": "run-output", text: `trace not loaded: ${result.error}` });
  return h("td", { class: "compare-cell", dataset: { traceId: result.traceId } },
    h("div", { "data-testid": "run-output" }, renderValue(result.output)),
    h("ul", { class: "inline-list" }, names.map((name) => {
      const value = scoreOf(result, name);
      if (value === undefined) return null;
      const marked = best.get(name).has(index);
      return h("li", { class: `score${marked ? " best" : ""}`, dataset: { score: name, best: marked ? "true" : null }, title: marked ? "best of the compared runs" : null }, `${name} ${fmtScore(value)}`);
    })),
    h("div", { class: "muted" },
      h("span", { class: best.get("latency").has(index) ? "best" : "", text: fmtDuration(result.latency) }), " · ",
      h("span", { class: best.get("cost").has(index) ? "best" : "", text: fmtCost(result.cost) || "no cost" }), " · ",
      link(hashWith(`/traces/${enc(result.traceId)}`, { observation: result.observationId || "" }), "trace", { "data-testid": "run-trace-link" })));
}

/** The row of dataset item `item` (or its id, when it cannot be loaded) across `runs`. */
function itemRow(itemId, item, runs, names) {
  const results = runs.map((run) => run.items.find((i) => i.datasetItemId === itemId));
  const best = new Map(names.map((n) => [n, bestOf(results.map((r) => scoreOf(r, n)))]));
  best.set("latency", bestOf(results.map((r) => r && r.latency), true));
  best.set("cost", bestOf(results.map((r) => r && r.cost), true));
  return h("tr", { dataset: { itemId } },
    h("td", { "data-testid": "item-input" }, item ? renderValue(item.input) : h("code", { text: itemId })),
    h("td", { "data-testid": "item-expected" }, item ? renderValue(item.expectedOutput) : null),
    results.map((r, i) => contained(() => resultCell(r, names, best, i), () => h("td", { class: "muted", text: "(cannot be shown)" }))));
}

/** The summary row: each run's averages, latency and total cost, the best marked. */
function summaryRow(runs, names) {
  const summaries = runs.map(summarize);
  return h("tr", { class: "summary-row", "data-testid": "compare-summary" },
    h("td", { colspan: 2, text: "Average" }),
    summaries.map((s, i) => h("td", { dataset: { runName: runs[i].run.name } }, h("table", { class: "figures" }, h("tbody", null,
      names.map((n) => h("tr", null, h("td", { text: n }), figureCell(s.averages.has(n) ? fmtScore(s.averages.get(n)) : "", bestOf(summaries.map((x) => x.averages.get(n))).has(i), { score: n }))),
      h("tr", null, h("td", { text: "latency" }), figureCell(fmtDuration(s.latency), bestOf(summaries.map((x) => x.latency), true).has(i), { figure: "latency" })),
      h("tr", null, h("td", { text: "cost" }), figureCell(fmtCost(s.cost), bestOf(summaries.map((x) => x.cost), true).has(i), { figure: "cost" })))))));
}

export async function comparePage(token, dataset, query) {
  const names = [...new Set(query.getAll("run"))];
  if (!names.length) throw new Error("No run to compare: choose runs on the dataset's page.");
  const runs = await Promise.all(names.map((name) => loadRun(dataset, name)));
  if (!isCurrent(token)) return;
  const itemIds = [...new Set(runs.flatMap((run) => run.items.map((i) => i.datasetItemId)))];
  const items = await mapConcurrently(itemIds, CONCURRENT_ITEMS, (id) => api(`/api/public/dataset-items/${enc(id)}`));
  if (!isCurrent(token)) return;
  const scoreColumns = scoreNames(runs);

  const root = clear(pageRoot());
  root.appendChild(h("div", { class: "page-head" }, h("h1", null, "Compare runs of ", h("code", { text: dataset }))));
  root.appendChild(h("p", { class: "muted" }, link(hashWith(`/datasets/${enc(dataset)}`, {}), "← the dataset"),
    ` · ${fmtNumber(itemIds.length)} items · the best of each score (highest), latency and cost (lowest) is marked`));
  const table = h("table", { class: "grid compare", "data-testid": "compare-table" },
    h("thead", null, h("tr", null, h("th", { text: "Input" }), h("th", { text: "Expected output" }),
      runs.map((run) => h("th", { dataset: { runName: run.run.name } }, run.run.name,
        run.total > run.items.length ? h("div", { class: "muted", text: `first ${fmtNumber(MAX_RUN_ITEMS)} of ${fmtNumber(run.total)} items` }) : null)))),
    h("tbody", null, summaryRow(runs, scoreColumns),
      itemIds.map((id, i) => itemRow(id, items[i].value, runs, scoreColumns))));
  root.appendChild(section("Items", "compare", h("div", { class: "table-wrap" }, table)));
  setReady("compare");
}
