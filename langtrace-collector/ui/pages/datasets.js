// The datasets page (`#/datasets`): every dataset of the project (name, description, item
// count, runs, last run, created), newest first, a page at a time, and a form creating a
// dataset.

import { clear, h, link, pageRoot } from "../dom.js";
import { enc, fmtNumber, fmtTime } from "../format.js";
import { api, mapConcurrently, sendJson } from "../api.js";
import { hashWith, setReady } from "../router.js";
import { isCurrent } from "../state.js";
import { listTable, pager } from "../components/tables.js";

/** Datasets listed per page. */
const DATASETS_PER_PAGE = 50;
/** Datasets whose counts are loaded at once. */
const CONCURRENT_COUNTS = 6;

/** Dataset `name`'s item count (active items), run count and newest run. */
async function countsOf(name) {
  const [items, runs] = await Promise.all([
    api("/api/public/dataset-items", { datasetName: name, limit: 1 }),
    api(`/api/public/datasets/${enc(name)}/runs`, { limit: 1 }),
  ]);
  return { items: items.meta && items.meta.totalItems, runs: runs.meta && runs.meta.totalItems, lastRun: runs.data && runs.data[0] };
}

/** The form creating a dataset; goes to its page once created. */
function newDatasetForm() {
  const status = h("span", { class: "form-status", "data-testid": "new-dataset-status" });
  const form = h("form", { class: "edit-actions", "data-testid": "new-dataset-form" },
    h("input", { name: "name", placeholder: "name", required: true, "data-testid": "new-dataset-name" }),
    h("input", { name: "description", placeholder: "description (optional)", class: "wide" }),
    h("button", { type: "submit", class: "primary", text: "Create dataset" }), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = form.elements.name.value.trim();
    try {
      await sendJson("POST", "/api/public/v2/datasets", { name, description: form.elements.description.value.trim() || undefined });
      location.hash = `#/datasets/${enc(name)}`;
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error-text");
    }
  });
  return form;
}

export async function datasetsPage(token, query) {
  const page = Math.max(1, parseInt(query.get("page"), 10) || 1);
  const result = await api("/api/public/v2/datasets", { page, limit: DATASETS_PER_PAGE });
  if (!isCurrent(token)) return;
  const datasets = result.data || [];
  const counts = await mapConcurrently(datasets, CONCURRENT_COUNTS, (d) => countsOf(String(d.name)));
  if (!isCurrent(token)) return;
  const root = clear(pageRoot());
  root.appendChild(h("div", { class: "page-head" }, h("h1", { text: "Datasets" })));
  root.appendChild(newDatasetForm());
  const count = (i, key) => (counts[i].error ? "?" : fmtNumber(counts[i].value[key]));
  const indexed = datasets.map((d, i) => ({ d, i }));
  root.appendChild(listTable("datasets-table", ["Name", "Description", "Items", "Runs", "Last run", "Created"], indexed, {
    dataset: ({ d }) => ({ datasetName: d.name }),
    href: ({ d }) => `#/datasets/${enc(d.name)}`,
    cells: ({ d, i }) => {
      const last = counts[i].value && counts[i].value.lastRun;
      return [
        h("td", null, link(`#/datasets/${enc(d.name)}`, String(d.name))),
        h("td", { class: "preview", text: d.description || "" }),
        h("td", { class: "num", "data-testid": "item-count", text: count(i, "items") }),
        h("td", { class: "num", "data-testid": "run-count", text: count(i, "runs") }),
        h("td", { class: "nowrap", text: last ? `${last.name} · ${fmtTime(last.createdAt)}` : "" }),
        h("td", { class: "nowrap", text: fmtTime(d.createdAt) }),
      ];
    },
  }));
  if (!datasets.length) {
    root.appendChild(h("p", { class: "empty", text: "No datasets yet: create one here, with \"Add to dataset\" on a trace, with POST /api/public/v2/datasets, a Langfuse SDK or langtrace::datasets." }));
  }
  if (result.meta) root.appendChild(pager(result.meta, (p) => { location.hash = hashWith("/datasets", { page: p > 1 ? p : "" }); }));
  setReady("datasets");
}
