// A dataset's experiments (Langfuse's dataset runs): loading a run with the trace of each
// of its items (the item's output, latency, cost and scores), summing a run up (item
// count, average of each numeric score, average latency, total cost, the run-level
// scores), the table of a dataset's runs with the best figure of each column marked,
// and the choice of runs to compare. Both ways an experiment arrives (spans from an
// SDK's experiment runner, `POST /dataset-run-items`) are read through the same routes.

import { h, link } from "../dom.js";
import { enc, fmtCost, fmtDuration, fmtNumber, fmtTime } from "../format.js";
import { api, mapConcurrently } from "../api.js";

/** Items of a run whose traces are loaded at most (the first ones); the rest are counted. */
export const MAX_RUN_ITEMS = 200;
/** Traces loaded at once. */
const CONCURRENT_TRACES = 6;

const runsPath = (dataset) => `/api/public/datasets/${enc(dataset)}/runs`;

/** The runs of dataset `dataset`, newest first (at most 100). */
export async function listRuns(dataset) {
  const listed = await api(runsPath(dataset), { limit: 100 });
  return listed.data || [];
}

/** The numeric scores of `scores` (numeric and boolean values; categorical ones are left out). */
function numericScores(scores) {
  return (scores || []).filter((s) => typeof s.value === "number" && s.dataType !== "CATEGORICAL");
}

/** What one run item produced: from its trace, the output of its observation (the task span) or of the trace. */
function itemResult(runItem, trace) {
  const observation = runItem.observationId && (trace.observations || []).find((o) => o.id === runItem.observationId);
  return {
    datasetItemId: runItem.datasetItemId,
    traceId: runItem.traceId,
    observationId: runItem.observationId || null,
    output: observation ? observation.output : trace.output,
    latency: trace.latency,
    cost: trace.totalCost,
    scores: trace.scores || [],
  };
}

/**
 * Run `runName` of dataset `dataset` with its items' results: `{run, items, total,
 * scores}`, `items` the first `MAX_RUN_ITEMS` run items (an item whose trace cannot be
 * loaded has `error`), `total` how many there are, `scores` the run-level scores.
 */
export async function loadRun(dataset, runName) {
  const run = await api(`${runsPath(dataset)}/${enc(runName)}`);
  const runItems = run.datasetRunItems || [];
  const shown = runItems.slice(0, MAX_RUN_ITEMS);
  const [scores, results] = await Promise.all([
    api("/api/public/v2/scores", { datasetRunId: run.id, limit: 100 }),
    mapConcurrently(shown, CONCURRENT_TRACES, (runItem) => api(`/api/public/traces/${enc(runItem.traceId)}`)),
  ]);
  const items = shown.map((runItem, i) => (results[i].error
    ? { datasetItemId: runItem.datasetItemId, traceId: runItem.traceId, error: results[i].error.message, scores: [] }
    : itemResult(runItem, results[i].value)));
  return { run, items, total: runItems.length, scores: scores.data || [] };
}

/** The mean of `values` (numbers); undefined when there are none. */
function mean(values) {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

/** A loaded run summed up: `{itemCount, averages: Map(name -> mean), latency (mean seconds), cost (total)}`. */
export function summarize(loaded) {
  const byName = new Map();
  for (const item of loaded.items) {
    for (const score of numericScores(item.scores)) {
      if (!byName.has(score.name)) byName.set(score.name, []);
      byName.get(score.name).push(score.value);
    }
  }
  const done = loaded.items.filter((i) => !i.error);
  const costs = done.map((i) => i.cost).filter((c) => typeof c === "number");
  return {
    itemCount: loaded.total,
    averages: new Map([...byName].map(([name, values]) => [name, mean(values)])),
    latency: mean(done.map((i) => i.latency).filter((l) => typeof l === "number")),
    cost: costs.length ? costs.reduce((a, b) => a + b, 0) : undefined,
  };
}

/** The indexes of the best of `values` (the highest, or the lowest with `lowest`); none when fewer than two are defined or all are equal. */
export function bestOf(values, lowest = false) {
  const defined = values.filter((v) => typeof v === "number" && Number.isFinite(v));
  const best = lowest ? Math.min(...defined) : Math.max(...defined);
  if (defined.length < 2 || defined.every((v) => v === best)) return new Set();
  return new Set(values.flatMap((v, i) => (v === best ? [i] : [])));
}

/** A score value as shown: at most four decimals. */
export function fmtScore(value) {
  return typeof value === "number" ? String(Math.round(value * 10000) / 10000) : String(value ?? "");
}

/** A cell of a figure, marked `best` (with a title saying so) when it is. */
export function figureCell(text, best, dataset) {
  return h("td", { class: `num${best ? " best" : ""}`, title: best ? "best of the compared runs" : null, dataset }, text);
}

/** The address comparing runs `names` of dataset `dataset`. */
export function compareHref(dataset, names) {
  const query = new URLSearchParams();
  for (const name of names) query.append("run", name);
  return `#/compare/${enc(dataset)}?${query}`;
}

/**
 * The table of dataset `dataset`'s runs (`loaded`: each `loadRun`'s result): name,
 * created, items, the average of each score, latency, cost, run-level scores; a checkbox
 * per run and a button comparing the checked ones (two or more).
 */
export function runsTable(dataset, loaded) {
  const summaries = loaded.map(summarize);
  const names = [...new Set(summaries.flatMap((s) => [...s.averages.keys()]))].sort();
  const bestScore = new Map(names.map((n) => [n, bestOf(summaries.map((s) => s.averages.get(n)))]));
  const bestLatency = bestOf(summaries.map((s) => s.latency), true);
  const bestCost = bestOf(summaries.map((s) => s.cost), true);
  const compare = h("button", { type: "button", class: "primary", "data-testid": "compare-runs", text: "Compare selected runs", disabled: true });
  const boxes = loaded.map((l) => h("input", { type: "checkbox", name: "run", value: l.run.name, "aria-label": `compare ${l.run.name}` }));
  const checked = () => boxes.filter((b) => b.checked).map((b) => b.value);
  for (const box of boxes) box.addEventListener("change", () => { compare.disabled = checked().length < 2; });
  compare.addEventListener("click", () => { location.hash = compareHref(dataset, checked()); });
  const rows = loaded.map((l, i) => {
    const s = summaries[i];
    return h("tr", { dataset: { runName: l.run.name, runId: l.run.id } },
      h("td", null, boxes[i]),
      h("td", null, link(compareHref(dataset, [l.run.name]), l.run.name), l.run.description ? h("div", { class: "muted", text: l.run.description }) : null),
      h("td", { class: "nowrap", text: fmtTime(l.run.createdAt) }),
      h("td", { class: "num", "data-testid": "run-items", text: fmtNumber(s.itemCount) }),
      names.map((n) => figureCell(s.averages.has(n) ? fmtScore(s.averages.get(n)) : "", bestScore.get(n).has(i), { score: n })),
      figureCell(fmtDuration(s.latency), bestLatency.has(i), { figure: "latency" }),
      figureCell(fmtCost(s.cost), bestCost.has(i), { figure: "cost" }),
      h("td", { "data-testid": "run-scores" }, l.scores.map((sc) => h("span", { class: "tag", text: `${sc.name} ${fmtScore(sc.value ?? sc.stringValue)}` }))));
  });
  const cut = loaded.some((l) => l.total > l.items.length);
  return h("div", null,
    h("div", { class: "table-wrap" }, h("table", { class: "grid", "data-testid": "runs-table" },
      h("thead", null, h("tr", null, h("th"), ["Run", "Created", "Items"].map((c) => h("th", { text: c })),
        names.map((n) => h("th", { class: "num", text: `${n} (avg)` })),
        ["Latency (avg)", "Cost (total)", "Run scores"].map((c) => h("th", { text: c })))),
      h("tbody", null, rows))),
    cut ? h("p", { class: "muted", text: `Figures over the first ${fmtNumber(MAX_RUN_ITEMS)} items of each run.` }) : null,
    h("div", { class: "edit-actions" }, compare));
}
