// The traces page: the filters (kept in the hash), the sortable traces table and its pager.

import { clear, h, pageRoot } from "../dom.js";
import { LEVELS, toIso } from "../format.js";
import { api } from "../api.js";
import { hashWith, setReady } from "../router.js";
import { environmentParam, isCurrent } from "../state.js";
import { pager, tracesTable } from "../components/tables.js";
import { exportMenu } from "../components/export.js";

const TRACE_FILTERS = ["search", "name", "userId", "sessionId", "tags", "release", "version", "level", "from", "to", "guardrails"];
// The quick filter `guardrails=warnings`: traces with a GUARDRAIL observation at WARNING or worse.
const GUARDRAIL_WARNINGS = { observationType: "GUARDRAIL", observationLevel: "WARNING" };

export async function tracesPage(token, query) {
  const get = (k) => query.get(k) || "";
  const page = Math.max(1, parseInt(get("page"), 10) || 1);
  const limit = parseInt(get("limit"), 10) || 50;
  const orderBy = get("orderBy") || "timestamp.desc";
  const params = Object.fromEntries(TRACE_FILTERS.map((k) => [k, get(k)]));
  const go = (changes) => {
    const next = { ...params, page, limit: limit === 50 ? "" : limit, orderBy: orderBy === "timestamp.desc" ? "" : orderBy, ...changes };
    if (next.page === 1) next.page = "";
    location.hash = hashWith("/traces", next);
  };
  const filters = {
    name: params.name, userId: params.userId, sessionId: params.sessionId,
    tags: params.tags ? params.tags.split(",").map((t) => t.trim()).filter(Boolean) : undefined,
    release: params.release, version: params.version, level: params.level, search: params.search,
    fromTimestamp: toIso(params.from), toTimestamp: toIso(params.to), environment: environmentParam(),
    ...(params.guardrails ? GUARDRAIL_WARNINGS : {}),
  };
  const result = await api("/api/public/traces", { page, limit, orderBy, ...filters });
  if (!isCurrent(token)) return;
  const input = (name, placeholder, type = "text") => h("input", {
    type, "data-filter": name, name, placeholder, value: params[name],
    onChange: (e) => go({ [name]: e.target.value, page: 1 }),
  });
  const level = h("select", { "data-filter": "level", name: "level", onChange: (e) => go({ level: e.target.value, page: 1 }) },
    h("option", { value: "", text: "any level" }), LEVELS.map((l) => h("option", { value: l, text: l })));
  level.value = params.level;
  const form = h("form", { class: "filters", "data-testid": "trace-filters" },
    input("search", "Search id, name, input, output", "search"),
    input("name", "Name"), input("userId", "User"), input("sessionId", "Session"), input("tags", "Tags (a,b)"),
    input("release", "Release"), input("version", "Version"), level,
    h("input", { type: "hidden", name: "guardrails", value: params.guardrails }),
    h("button", { type: "button", class: "quick-filter", "data-filter": "guardrails", "aria-pressed": String(Boolean(params.guardrails)),
      text: "Guardrail warnings", onClick: () => go({ guardrails: params.guardrails ? "" : "warnings", page: 1 }) }),
    h("label", { class: "inline" }, "From ", input("from", "", "datetime-local")),
    h("label", { class: "inline" }, "To ", input("to", "", "datetime-local")),
    h("button", { type: "submit", text: "Apply" }),
    h("button", { type: "button", class: "link", text: "Clear", onClick: () => { location.hash = "#/traces"; } }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const changes = { page: 1 };
    for (const name of TRACE_FILTERS) changes[name] = form.elements[name].value;
    go(changes);
  });
  const limitSelect = h("select", { "data-testid": "page-size", onChange: (e) => go({ limit: e.target.value, page: 1 }) },
    [25, 50, 100].map((n) => h("option", { value: n, text: `${n} / page` })));
  limitSelect.value = String(limit);
  const root = clear(pageRoot());
  root.appendChild(h("div", { class: "page-head" }, h("h1", { text: "Traces" }), limitSelect,
    exportMenu("/api/public/traces/export", filters, ["jsonl", "csv"], "traces")));
  root.appendChild(form);
  root.appendChild(result.data.length ? tracesTable(result.data, orderBy, (o) => go({ orderBy: o, page: 1 }))
    : h("div", null, h("table", { class: "grid", "data-testid": "traces-table" }, h("tbody")), h("p", { class: "empty", text: "No traces match." })));
  root.appendChild(pager(result.meta, (p) => go({ page: p })));
  setReady("traces");
}
