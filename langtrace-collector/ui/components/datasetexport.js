// A dataset's export menu: one button per format of
// `GET /api/public/v2/datasets/{name}/export?format=` (OpenAI SFT, OpenAI DPO, JSONL,
// CSV). The route needs the project's keys, so the file is fetched with the
// authenticated `request()` into a Blob and saved from a blob URL; the report a
// fine-tuning export ends with (items exported, items that do not fit and their ids) is
// shown beside the menu.

import { h } from "../dom.js";
import { enc } from "../format.js";
import { request } from "../api.js";

/** The formats, their file extensions and labels. */
const FORMATS = [
  { format: "openai_sft", ext: "jsonl", label: "OpenAI SFT" },
  { format: "openai_dpo", ext: "jsonl", label: "OpenAI DPO" },
  { format: "jsonl", ext: "jsonl", label: "JSONL" },
  { format: "csv", ext: "csv", label: "CSV" },
];

/** The address of dataset `name`'s export in `format`. */
export function exportPath(name, format) {
  return `/api/public/v2/datasets/${enc(name)}/export?format=${enc(format)}`;
}

/** A file name for dataset `name` in `format` (the name's unsafe characters replaced). */
function fileName(name, format, ext) {
  return `${name.replace(/[^\w.-]+/g, "_")}.${format}.${ext}`;
}

/** Saves `blob` as a download named `name`. */
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, class: "offscreen" });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** The report a fine-tuning export ends with (`{"_langtrace_export": {exported, skipped, ids}}`), or null. */
async function reportOf(blob) {
  const text = await blob.slice(Math.max(0, blob.size - 200000)).text();
  const last = text.trimEnd().split("\n").pop();
  try {
    const report = JSON.parse(last)._langtrace_export;
    return report && typeof report === "object" ? report : null;
  } catch {
    return null;
  }
}

/** The export menu of dataset `name`. */
export function exportMenu(name) {
  const status = h("span", { class: "form-status", "data-testid": "export-status" });
  const run = async (button, { format, ext, label }) => {
    button.disabled = true;
    status.classList.remove("error-text");
    status.textContent = `exporting ${label}…`;
    try {
      const response = await request(exportPath(name, format));
      if (!response.ok) {
        const answer = await response.json().catch(() => ({}));
        throw new Error(answer.message || `${response.status} ${response.statusText}`);
      }
      const blob = await response.blob();
      download(blob, fileName(name, format, ext));
      const report = ext === "jsonl" ? await reportOf(blob) : null;
      status.textContent = `${label}: ${blob.size.toLocaleString("en-US")} bytes${report ? `, ${report.exported} items exported, ${report.skipped} did not fit${report.skipped ? ` (${(report.ids || []).slice(0, 5).join(", ")}${report.skipped > 5 ? ", …" : ""})` : ""}` : ""}`;
    } catch (error) {
      status.textContent = `${label}: ${error.message}`;
      status.classList.add("error-text");
    }
    button.disabled = false;
  };
  return h("div", { class: "edit-actions export-menu", "data-testid": "export-menu" },
    h("span", { class: "muted", text: "Export" }),
    FORMATS.map((f) => h("button", { type: "button", dataset: { format: f.format }, text: f.label, onClick: (e) => run(e.target, f) })),
    status);
}
