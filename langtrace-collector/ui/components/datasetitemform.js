// Dataset items: storing one (an upsert by id: Langfuse's `POST /api/public/dataset-items`),
// the text of a field as the form shows it and back (JSON, or plain text when it is not
// JSON), and the form that adds or edits an item (input, expected output, metadata).
// The server validates (the dataset's JSON Schemas too); its message is shown when it
// refuses.

import { h } from "../dom.js";
import { safeStringify } from "../format.js";
import { sendJson } from "../api.js";

/** Stores the dataset item `body` (created, or updated when its `id` exists); the stored item. */
export function saveItem(body) {
  return sendJson("POST", "/api/public/dataset-items", body);
}

/** The value of a field's text: empty is null, JSON is parsed, anything else is kept as a string. */
export function parseField(text) {
  const trimmed = text.trim();
  if (!trimmed) return null;
  try {
    return JSON.parse(trimmed);
  } catch {
    return text;
  }
}

/** A field's text for `value`: null as empty, other values as indented JSON, strings as they are unless `parseField` would read them as something else (then quoted). */
export function fieldText(value) {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return safeStringify(value, 2);
  return parseField(value) === value ? value : JSON.stringify(value);
}

/** A labelled textarea named `name` holding `value`. */
function field(label, name, value) {
  const area = h("textarea", { name, rows: 5, class: "edit-text", "data-testid": `item-${name}` });
  area.value = fieldText(value);
  return h("label", { class: "stacked" }, label, area);
}

/**
 * A form adding an item to dataset `datasetName`, or editing `item` (an item as the API
 * gives it) when given; `prefill` ({input, expectedOutput, metadata, sourceTraceId,
 * sourceObservationId}) fills a new one. `onSaved(item)` runs with the stored item.
 */
export function itemForm(datasetName, { item, prefill = {}, onSaved, onCancel }) {
  const start = item || prefill;
  const status = h("span", { class: "form-status", "data-testid": "item-status" });
  const submit = h("button", { type: "submit", class: "primary", "data-testid": "save-item", text: item ? "Save item" : "Add item" });
  const form = h("form", { class: "prompt-form item-form", "data-testid": "item-form", dataset: { itemId: item && item.id } },
    h("div", { class: "muted", text: item ? `Item ${item.id}` : "Each field takes JSON, or plain text (kept as a string)." }),
    field("Input", "input", start.input),
    field("Expected output", "expectedOutput", start.expectedOutput),
    field("Metadata", "metadata", start.metadata),
    start.sourceTraceId ? h("div", { class: "muted", text: `From trace ${start.sourceTraceId}${start.sourceObservationId ? `, observation ${start.sourceObservationId}` : ""}` }) : null,
    h("div", { class: "edit-actions" }, submit,
      onCancel ? h("button", { type: "button", class: "link", text: "cancel", onClick: onCancel }) : null, status));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    status.classList.remove("error-text");
    status.textContent = "saving…";
    const body = {
      datasetName,
      input: parseField(form.elements.input.value),
      expectedOutput: parseField(form.elements.expectedOutput.value),
      metadata: parseField(form.elements.metadata.value),
    };
    if (item) body.id = item.id;
    if (!item && start.sourceTraceId) body.sourceTraceId = start.sourceTraceId;
    if (!item && start.sourceObservationId) body.sourceObservationId = start.sourceObservationId;
    try {
      const saved = await saveItem(body);
      status.textContent = "saved";
      onSaved(saved);
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error-text");
      submit.disabled = false;
    }
  });
  return form;
}
