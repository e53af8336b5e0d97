// The prompts page (`#/prompts`): every prompt of the project (name, type, versions,
// labels, tags, last updated), grouped by folder: a name's `/`-separated head is its
// folder, each folder a heading row above its prompts, nested folders indented.

import { clear, h, link, pageRoot } from "../dom.js";
import { enc, fmtNumber, fmtTime } from "../format.js";
import { api } from "../api.js";
import { hashWith, setReady } from "../router.js";
import { isCurrent } from "../state.js";
import { tagList } from "../components/badges.js";
import { labelList } from "../components/promptlabels.js";
import { pager } from "../components/tables.js";

/** Prompts listed per page (the API's maximum). */
const PROMPTS_PER_PAGE = 100;

/** The folders of `name` ("a/b/c" → ["a", "a/b"]). */
function foldersOf(name) {
  const parts = name.split("/");
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** Orders names folder by folder, so that each folder's prompts follow its row. */
function compareNames(a, b) {
  const x = a.split("/");
  const y = b.split("/");
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

export async function promptsPage(token, query) {
  const page = Math.max(1, parseInt(query.get("page"), 10) || 1);
  const result = await api("/api/public/v2/prompts", { page, limit: PROMPTS_PER_PAGE });
  if (!isCurrent(token)) return;
  const prompts = [...(result.data || [])].sort((a, b) => compareNames(String(a.name), String(b.name)));
  const rows = [];
  const shown = new Set();
  for (const prompt of prompts) {
    const name = String(prompt.name);
    const folders = foldersOf(name);
    for (const [depth, folder] of folders.entries()) {
      if (shown.has(folder)) continue;
      shown.add(folder);
      rows.push(h("tr", { class: "folder-row", dataset: { folder } },
        h("td", { colspan: 6 }, h("span", { class: `indent-${Math.min(depth, 6)}` }, h("span", { class: "folder", text: `${folder.split("/").pop()}/` })))));
    }
    const href = `#/prompts/${enc(name)}`;
    const row = h("tr", { class: "clickable", dataset: { promptName: name } },
      h("td", null, h("span", { class: `indent-${Math.min(folders.length, 6)}` }, link(href, name.split("/").pop(), { title: name }))),
      h("td", { text: prompt.type || "" }),
      h("td", { class: "num", text: fmtNumber((prompt.versions || []).length) }),
      h("td", null, labelList(prompt.labels)),
      h("td", null, tagList(prompt.tags)),
      h("td", { class: "nowrap", text: fmtTime(prompt.lastUpdatedAt) }));
    row.addEventListener("click", () => { location.hash = href; });
    rows.push(row);
  }
  const root = clear(pageRoot());
  root.appendChild(h("div", { class: "page-head" }, h("h1", { text: "Prompts" })));
  root.appendChild(h("div", { class: "table-wrap" }, h("table", { class: "grid", "data-testid": "prompts-table" },
    h("thead", null, h("tr", null, ["Name", "Type", "Versions", "Labels", "Tags", "Last updated"].map((c) => h("th", { text: c })))),
    h("tbody", null, rows))));
  if (!prompts.length) {
    root.appendChild(h("p", { class: "empty", text: "No prompts yet: create one with POST /api/public/v2/prompts, a Langfuse SDK or langtrace::prompts." }));
  }
  if (result.meta) root.appendChild(pager(result.meta, (p) => { location.hash = hashWith("/prompts", { page: p > 1 ? p : "" }); }));
  setReady("prompts");
}
