// The Export menu of list pages: a format menu that downloads an export route of the API
// (docs/export.md) with the page's current filters. The API needs the Basic header, so
// a plain link cannot download it: the export is fetched with `request()` into a Blob,
// then saved through a temporary object URL. The menu keeps the last export's URL,
// state and size in data attributes (`exportUrl`, `exportState`, `exportBytes`), which
// the browser tests read.

import { h } from "../dom.js";
import { request } from "../api.js";

/** The labels of the export formats. */
const LABELS = { jsonl: "JSON Lines", csv: "CSV", openai_sft: "OpenAI fine-tuning (SFT)", openai_dpo: "OpenAI preference (DPO)" };

/** `path` with `params` (empty ones left out, arrays repeated) and `format`. */
function exportUrl(path, params, format) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) v.forEach((item) => query.append(k, item));
    else query.set(k, v);
  }
  query.set("format", format);
  return `${path}?${query.toString()}`;
}

/** Saves `blob` as the file `name`. */
function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, class: "hidden" });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * An Export menu for `path` (an export route) with the filters `params`, offering
 * `formats` (the first is the default of the route); files are named `<stem>.<ext>`.
 */
export function exportMenu(path, params, formats, stem) {
  const status = h("span", { class: "muted export-status", "data-testid": "export-status", role: "status" });
  const menu = h("details", { class: "export-menu", "data-testid": "export" },
    h("summary", { text: "Export" }));
  const run = async (format) => {
    menu.open = false;
    const url = exportUrl(path, params, format);
    menu.dataset.exportUrl = url;
    menu.dataset.exportState = "running";
    status.textContent = "Exporting…";
    try {
      const response = await request(url);
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error(body.message || `${response.status} ${response.statusText}`);
      }
      const blob = await response.blob();
      save(blob, `${stem}.${format === "csv" ? "csv" : "jsonl"}`);
      menu.dataset.exportBytes = String(blob.size);
      menu.dataset.exportState = "done";
      status.textContent = "";
    } catch (error) {
      menu.dataset.exportState = "failed";
      status.textContent = `Export failed: ${error.message}`;
    }
  };
  menu.appendChild(h("div", { class: "export-formats" }, formats.map((format) =>
    h("button", { type: "button", class: "link", dataset: { exportFormat: format }, text: LABELS[format] || format, onClick: () => run(format) }))));
  return h("span", { class: "export" }, menu, status);
}
