// "Add to dataset" on the trace page: a dialog that picks a dataset (or names a new one,
// created on the way), then shows the item form pre-filled with the trace's or the
// observation's input and its output as the expected output, and stores the item with
// `sourceTraceId` (and `sourceObservationId`) set.

import { clear, h, link } from "../dom.js";
import { enc } from "../format.js";
import { api, sendJson } from "../api.js";
import { itemForm } from "./datasetitemform.js";

/** Datasets the chooser lists (the newest). */
const LISTED_DATASETS = 100;

/** The whole input and output of `source` ({traceId, observationId?, input, output}): an observation's are loaded, its previews may be cut. */
async function wholeValues(source) {
  if (!source.observationId) return source;
  const observation = await api(`/api/public/observations/${enc(source.observationId)}`);
  return { ...source, input: observation.input, output: observation.output };
}

/** The first step: choose a dataset or name a new one; `onChosen(name)` once it exists. */
async function chooser(onChosen) {
  const listed = await api("/api/public/v2/datasets", { limit: LISTED_DATASETS });
  const names = (listed.data || []).map((d) => String(d.name));
  const select = h("select", { name: "dataset", "data-testid": "dataset-choice" },
    names.map((n) => h("option", { value: n, text: n })), h("option", { value: "", text: "+ new dataset…" }));
  const fresh = h("input", { name: "newDataset", placeholder: "new dataset name", "data-testid": "new-dataset-name" });
  const status = h("span", { class: "form-status" });
  const form = h("form", { class: "edit-actions" }, h("label", { class: "inline" }, "Dataset ", select), fresh,
    h("button", { type: "submit", class: "primary", text: "Continue", "data-testid": "dataset-continue" }), status);
  const sync = () => { fresh.hidden = select.value !== ""; };
  select.addEventListener("change", sync);
  sync();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = select.value || fresh.value.trim();
    if (!name) { status.textContent = "Name the new dataset."; return; }
    try {
      if (!select.value) await sendJson("POST", "/api/public/v2/datasets", { name });
      onChosen(name);
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error-text");
    }
  });
  return form;
}

/** Opens the "Add to dataset" dialog for `source` ({traceId, observationId?, input, output}). */
async function openDialog(source) {
  const body = h("div", { class: "dialog-body" }, h("div", { class: "loading", text: "Loading…" }));
  const dialog = h("dialog", { class: "dataset-dialog", "data-testid": "add-to-dataset-dialog" },
    h("div", { class: "panel-head" }, h("h2", { text: "Add to dataset" }),
      h("button", { type: "button", class: "link", text: "close", "data-testid": "close-dialog", onClick: () => dialog.close() })),
    body);
  dialog.addEventListener("close", () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
  try {
    const [values, choose] = await Promise.all([wholeValues(source), chooser((name) => {
      clear(body).appendChild(itemForm(name, {
        prefill: { input: values.input, expectedOutput: values.output, sourceTraceId: source.traceId, sourceObservationId: source.observationId },
        onSaved: (item) => clear(body).appendChild(h("p", { "data-testid": "added-to-dataset", dataset: { itemId: item.id } },
          "Added to ", link(`#/datasets/${enc(name)}`, name, { onClick: () => dialog.close() }), ".")),
      }));
    })]);
    clear(body).appendChild(choose);
  } catch (error) {
    clear(body).appendChild(h("div", { class: "error", text: `Error: ${error.message}` }));
  }
}

/** The button that opens the dialog for `source()` (called on click: the selection may change). */
export function addToDatasetButton(source) {
  return h("button", { type: "button", "data-testid": "add-to-dataset", text: "+ Add to dataset", onClick: () => openDialog(source()) });
}
