// The Export menu of list pages: a format menu that downloads an export route of the API
// (docs/export.md) with the page's current filters. The API needs the Basic header, so
// a plain link cannot download it: the export is fetched with `request()` into a Blob,
// then saved through a temporary object URL. A page may give several filter sets (the
// sessions list: one per listed session): each is exported and the answers are joined
// into one file. The menu keeps the last export's URLs (space-separated), state and size
// in data attributes (`exportUrl`, `exportState`, `exportBytes`), which the browser tests
// read.

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

/** The answers of one export joined into one file: JSON Lines one after the other, CSV under the first answer's header. */
async function joined(blobs, format) {
  if (blobs.length === 1) return blobs[0];
  if (format !== "csv") return new Blob(blobs, { type: blobs[0].type });
  const texts = await Promise.all(blobs.map((blob) => blob.text()));
  const rows = texts.map((text, i) => (i === 0 ? text : text.slice(text.indexOf("\n") + 1)));
  return new Blob(rows, { type: blobs[0].type });
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
 * An Export menu for `path` (an export route) with the filters `params` (or a list of
 * filter sets, exported into one file), offering `formats` (the first is the default of
 * the route); files are named `<stem>.<ext>`.
 */
export function exportMenu(path, params, formats, stem) {
  const status = h("span", { class: "muted export-status", "data-testid": "export-status", role: "status" });
  const menu = h("details", { class: "export-menu", "data-testid": "export" },
    h("summary", { text: "Export" }));
  const run = async (format) => {
    menu.open = false;
    const urls = (Array.isArray(params) ? params : [params]).map((set) => exportUrl(path, set, format));
    menu.dataset.exportUrl = urls.join(" ");
    menu.dataset.exportState = "running";
    status.textContent = "Exporting…";
    try {
      const blobs = [];
      for (const url of urls) {
        const response = await request(url);
        if (!response.ok) {
          const body = await response.json().catch(() => ({}));
          throw new Error(body.message || `${response.status} ${response.statusText}`);
        }
        blobs.push(await response.blob());
      }
      const blob = await joined(blobs, format);
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
