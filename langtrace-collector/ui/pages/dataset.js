// One dataset (`#/datasets/<name>?page=N`): its description and metadata, the export
// menu, its active items a page at a time (input, expected output, metadata, source
// trace, status) with add, edit and archive, the import from JSONL or CSV, and its
// experiments (runs) with their figures and the choice of runs to compare.

import { clear, contained, copyButton, h, link, pageRoot, section } from "../dom.js";
import { enc, fmtNumber, fmtTime, preview } from "../format.js";
import { api, mapConcurrently } from "../api.js";
import { hashWith, route, setReady } from "../router.js";
import { isCurrent } from "../state.js";
import { importPanel } from "../components/datasetimport.js";
import { exportMenu } from "../components/export.js";
import { itemForm, saveItem } from "../components/datasetitemform.js";
import { listRuns, loadRun, runsTable } from "../components/experimentruns.js";
import { pager } from "../components/tables.js";
import { renderValue } from "../components/values.js";

/** Items listed per page. */
const ITEMS_PER_PAGE = 50;
/** The dataset export's formats (the first is the route's default). */
const EXPORT_FORMATS = ["openai_sft", "openai_dpo", "jsonl", "csv"];
/** Runs shown with their figures (the newest); older ones are counted. */
const MAX_RUNS = 20;

/** The address of dataset `name`'s page `page`. */
export function datasetHref(name, page) {
  return hashWith(`/datasets/${enc(name)}`, { page: page > 1 ? page : "" });
}

/** A cell with a one-line preview of `value` (the whole of it as the title). */
function previewCell(value, testid) {
  return h("td", { class: "preview", "data-testid": testid, text: preview(value), title: preview(value, 1000) });
}

/** Where item `item` came from: a link to its trace (and observation), if any. */
function sourceCell(item) {
  if (!item.sourceTraceId) return h("td", { class: "muted", text: "" });
  const href = hashWith(`/traces/${enc(item.sourceTraceId)}`, { observation: item.sourceObservationId || "" });
  return h("td", null, link(href, item.sourceObservationId ? "observation" : "trace", { "data-testid": "source-link", title: item.sourceTraceId }));
}

/** The items table; `onEdit(item)` and `onArchive(item, button)` are the row actions. */
function itemsTable(items, onEdit, onArchive) {
  const rows = items.map((item) => contained(() => h("tr", { dataset: { itemId: item.id } },
    h("td", null, h("code", { text: String(item.id).slice(0, 12), title: item.id })),
    previewCell(item.input, "item-input"),
    previewCell(item.expectedOutput, "item-expected"),
    previewCell(item.metadata, "item-metadata"),
    sourceCell(item),
    h("td", { text: item.status || "" }),
    h("td", { class: "nowrap", text: fmtTime(item.createdAt) }),
    h("td", { class: "nowrap" },
      h("button", { type: "button", class: "link", "data-testid": "edit-item", text: "edit", onClick: () => onEdit(item) }), " ",
      h("button", { type: "button", class: "link", "data-testid": "archive-item", text: "archive", onClick: (e) => onArchive(item, e.target) }))),
  () => h("tr", null, h("td", { colspan: 8, class: "muted", "data-testid": "unrenderable", text: "(this row cannot be shown)" }))));
  return h("div", { class: "table-wrap" }, h("table", { class: "grid", "data-testid": "items-table" },
    h("thead", null, h("tr", null, ["Id", "Input", "Expected output", "Metadata", "Source", "Status", "Created", ""].map((c) => h("th", { text: c })))),
    h("tbody", null, rows)));
}

export async function datasetPage(token, name, query) {
  const page = Math.max(1, parseInt(query.get("page"), 10) || 1);
  // The runs' failure is shown in their section: the items stay usable.
  const [dataset, items, runs] = await Promise.all([
    api(`/api/public/v2/datasets/${enc(name)}`),
    api("/api/public/dataset-items", { datasetName: name, page, limit: ITEMS_PER_PAGE }),
    listRuns(name).catch((error) => error),
  ]);
  if (!isCurrent(token)) return;
  const shownRuns = runs instanceof Error ? [] : runs.slice(0, MAX_RUNS);
  const loaded = await mapConcurrently(shownRuns, 2, (run) => loadRun(name, run.name));
  if (!isCurrent(token)) return;

  const root = clear(pageRoot());
  root.appendChild(h("div", { class: "page-head" },
    h("h1", null, "Dataset ", h("code", { "data-testid": "dataset-name", text: name })), copyButton(name, "copy name")));
  root.appendChild(h("p", { class: "muted" }, h("a", { href: "#/datasets", text: "← all datasets" }),
    ` · created ${fmtTime(dataset.createdAt)} · id ${dataset.id}`));
  if (dataset.description) root.appendChild(h("p", { class: "commit-message", "data-testid": "dataset-description", text: dataset.description }));
  if (dataset.metadata !== null && dataset.metadata !== undefined) root.appendChild(section("Metadata", "dataset-metadata", renderValue(dataset.metadata)));
  root.appendChild(h("div", { class: "edit-actions", "data-testid": "dataset-export" },
    exportMenu(`/api/public/v2/datasets/${enc(name)}/export`, {}, EXPORT_FORMATS, name)));

  const formSlot = h("div", { "data-testid": "item-form-slot" });
  const closeForm = () => clear(formSlot);
  const showForm = (form) => { clear(formSlot).appendChild(form); form.scrollIntoView({ block: "nearest" }); };
  const openItem = (item) => showForm(itemForm(name, { item, onSaved: () => route(), onCancel: closeForm }));
  const archive = async (item, button) => {
    button.disabled = true;
    try {
      await saveItem({ id: item.id, datasetName: name, status: "ARCHIVED" });
      route();
    } catch (error) {
      button.disabled = false;
      button.textContent = `archive (${error.message})`;
    }
  };
  const actions = h("div", { class: "edit-actions" },
    h("button", { type: "button", class: "primary", "data-testid": "add-item", text: "+ Add item",
      onClick: () => showForm(itemForm(name, { onSaved: () => route(), onCancel: closeForm })) }),
    h("button", { type: "button", "data-testid": "import-items", text: "Import JSONL / CSV",
      onClick: () => showForm(importPanel(name, () => route())) }));
  const total = items.meta ? items.meta.totalItems : (items.data || []).length;
  root.appendChild(section(`Items (${fmtNumber(total)} active)`, "dataset-items", h("div", null,
    actions, formSlot,
    itemsTable(items.data || [], openItem, archive),
    (items.data || []).length ? null : h("p", { class: "empty", text: "No active items: add one, import a file, or use \"Add to dataset\" on a trace." }),
    items.meta ? pager(items.meta, (p) => { location.hash = datasetHref(name, p); }) : null)));

  const failed = loaded.filter((l) => l.error);
  if (runs instanceof Error) {
    root.appendChild(section("Experiments", "dataset-runs", h("p", { class: "error-text", text: `The runs could not be loaded: ${runs.message}` })));
  } else root.appendChild(section(`Experiments (${fmtNumber(runs.length)} runs)`, "dataset-runs", runs.length
    ? h("div", null,
      runsTable(name, loaded.filter((l) => !l.error).map((l) => l.value)),
      runs.length > shownRuns.length ? h("p", { class: "muted", text: `The newest ${MAX_RUNS} runs are shown.` }) : null,
      failed.length ? h("p", { class: "error-text", text: `${failed.length} runs could not be loaded: ${failed[0].error.message}` }) : null)
    : h("p", { class: "empty", text: "No experiments yet: run one with langtrace::experiments::run_experiment or a Langfuse SDK's run_experiment." })));
  setReady("dataset");
}
