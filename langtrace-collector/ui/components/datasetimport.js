// Importing dataset items from a JSONL or CSV file (or pasted text), parsed in the
// browser: one item per JSONL line (an object with `input`, and optionally
// `expectedOutput` or `expected_output`, `metadata`, `id`, `sourceTraceId`,
// `sourceObservationId`) or per CSV record (a header row naming those columns; a cell
// holding a JSON object or array is parsed, any other cell is text). Items are posted a
// few at a time; every line that could not be parsed or that the server refused is
// listed with its line number and the reason.

import { clear, h } from "../dom.js";
import { mapConcurrently } from "../api.js";
import { saveItem } from "./datasetitemform.js";

/** Items posted at once. */
const CONCURRENT_POSTS = 4;
/** Lines an import takes at most; a longer file is refused before anything is posted. */
const MAX_LINES = 10000;
/** The keys an imported item may have, with their other spellings. */
const KEYS = { input: "input", expectedOutput: "expectedOutput", expected_output: "expectedOutput", metadata: "metadata", id: "id", sourceTraceId: "sourceTraceId", source_trace_id: "sourceTraceId", sourceObservationId: "sourceObservationId", source_observation_id: "sourceObservationId" };

/** The item body of `record` (an object of the import's keys), or throws saying what is wrong. */
function itemOf(record) {
  if (!record || typeof record !== "object" || Array.isArray(record)) throw new Error("not an object");
  const item = {};
  for (const [key, value] of Object.entries(record)) {
    if (!Object.hasOwn(KEYS, key)) throw new Error(`unknown key ${JSON.stringify(key)} (expected input, expectedOutput, metadata, id, sourceTraceId, sourceObservationId)`);
    item[KEYS[key]] = value;
  }
  if (!Object.hasOwn(item, "input")) throw new Error("no input");
  return item;
}

/** JSONL text as `{items: [{line, item}], errors: [{line, message}]}`; blank lines are skipped. */
export function parseJsonl(text) {
  const items = [];
  const errors = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (!raw.trim()) return;
    const line = index + 1;
    try {
      let record;
      try { record = JSON.parse(raw); } catch (error) { throw new Error(`not JSON: ${error.message}`); }
      items.push({ line, item: itemOf(record) });
    } catch (error) {
      errors.push({ line, message: error.message });
    }
  });
  return { items, errors };
}

/** CSV text (RFC 4180: quoted cells may hold commas, quotes as `""` and line breaks) as records of cells, each with the line it starts on. */
export function csvRecords(text) {
  const records = [];
  let cells = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 1; }
      else if (c === '"') quoted = false;
      else { if (c === "\n") line += 1; cell += c; }
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === ",") { cells.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      cells.push(cell);
      records.push({ line: start, cells });
      cells = [];
      cell = "";
      line += 1;
      start = line;
    } else cell += c;
  }
  if (quoted) throw new Error(`line ${start}: a quoted cell is not closed`);
  if (cell !== "" || cells.length) { cells.push(cell); records.push({ line: start, cells }); }
  return records.filter((r) => r.cells.some((c) => c.trim() !== ""));
}

/** A CSV cell's value: a JSON object or array parsed, anything else the text itself (empty is null). */
function cellValue(text) {
  if (text === "") return null;
  if (/^\s*[[{]/.test(text)) {
    try { return JSON.parse(text); } catch { /* text */ }
  }
  return text;
}

/** CSV text as `{items, errors}` like `parseJsonl`; a bad header is one error on line 1. */
export function parseCsv(text) {
  let records;
  try { records = csvRecords(text); } catch (error) { return { items: [], errors: [{ line: 0, message: error.message }] }; }
  if (!records.length) return { items: [], errors: [] };
  const [head, ...rows] = records;
  const names = head.cells.map((c) => c.trim());
  const unknown = names.filter((n) => !Object.hasOwn(KEYS, n));
  if (unknown.length || !names.includes("input")) {
    const message = unknown.length ? `unknown column ${JSON.stringify(unknown[0])}` : "no input column";
    return { items: [], errors: [{ line: head.line, message }] };
  }
  const items = [];
  const errors = [];
  for (const row of rows) {
    if (row.cells.length !== names.length) {
      errors.push({ line: row.line, message: `${row.cells.length} cells, the header has ${names.length}` });
      continue;
    }
    const record = {};
    names.forEach((name, i) => { record[name] = cellValue(row.cells[i]); });
    items.push({ line: row.line, item: itemOf(record) });
  }
  return { items, errors };
}

/** The format of a file named `name`: csv by its extension, else jsonl. */
function formatOf(name) {
  return /\.csv$/i.test(name) ? "csv" : "jsonl";
}

/**
 * The import panel of dataset `datasetName`: a file chooser or pasted text, the format,
 * and after an import the count stored and the errors per line; `onDone()` after an
 * import that stored anything.
 */
export function importPanel(datasetName, onDone) {
  const format = h("select", { name: "format", "data-testid": "import-format" },
    h("option", { value: "jsonl", text: "JSONL" }), h("option", { value: "csv", text: "CSV" }));
  const file = h("input", { type: "file", name: "file", accept: ".jsonl,.json,.csv,.txt", "data-testid": "import-file" });
  file.addEventListener("change", () => { if (file.files[0]) format.value = formatOf(file.files[0].name); });
  const pasted = h("textarea", { name: "text", rows: 4, class: "edit-text", placeholder: "…or paste JSONL lines or CSV here", "data-testid": "import-text" });
  const status = h("div", { class: "form-status", "data-testid": "import-status" });
  const errorList = h("ul", { class: "import-errors", "data-testid": "import-errors" });
  const submit = h("button", { type: "submit", class: "primary", text: "Import", "data-testid": "import-submit" });
  const form = h("form", { class: "prompt-form", "data-testid": "import-form" },
    h("div", { class: "muted", text: "JSONL: one object per line with input, expectedOutput, metadata (id to update an item). CSV: a header row with the same names; JSON objects and arrays in cells are parsed." }),
    h("div", { class: "edit-actions" }, file, h("label", { class: "inline" }, "Format ", format)),
    pasted, h("div", { class: "edit-actions" }, submit), status, errorList);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    clear(errorList);
    status.classList.remove("error-text");
    try {
      const text = file.files[0] ? await file.files[0].text() : pasted.value;
      const stored = await importText(datasetName, text, format.value, status, errorList);
      if (stored) onDone();
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error-text");
    }
    submit.disabled = false;
  });
  return form;
}

/** Parses and posts `text`; the count stored. Reports progress in `status` and every failed line in `errorList`. */
async function importText(datasetName, text, format, status, errorList) {
  const lines = text.split("\n").length;
  if (lines > MAX_LINES) throw new Error(`${lines} lines: an import takes at most ${MAX_LINES}; split the file`);
  const { items, errors } = format === "csv" ? parseCsv(text) : parseJsonl(text);
  const total = items.length + errors.length;
  status.textContent = `importing ${items.length} items…`;
  const results = await mapConcurrently(items, CONCURRENT_POSTS, ({ item }) => saveItem({ ...item, datasetName }));
  results.forEach((result, i) => { if (result.error) errors.push({ line: items[i].line, message: result.error.message }); });
  errors.sort((a, b) => a.line - b.line);
  const stored = results.filter((r) => !r.error).length;
  status.textContent = `${stored} of ${total} items imported${errors.length ? `, ${errors.length} failed` : ""}`;
  if (errors.length) status.classList.add("error-text");
  for (const { line, message } of errors) {
    errorList.appendChild(h("li", { dataset: { line } }, h("span", { class: "muted", text: `line ${line}: ` }), message));
  }
  return stored;
}
