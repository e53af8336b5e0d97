// The generations page: observations with the filters of the observations API (type
// GENERATION unless another is chosen, kept in the hash), a page of them at a time, and
// the Export menu (JSON Lines, CSV, OpenAI fine-tuning) over the same filters.

import { clear, h, link, pageRoot } from "../dom.js";
import { enc, fmtCost, fmtDuration, fmtNumber, fmtTime, LEVELS, preview, toIso } from "../format.js";
import { api } from "../api.js";
import { hashWith, setReady } from "../router.js";
import { environmentParam, isCurrent } from "../state.js";
import { levelBadge } from "../components/badges.js";
import { listTable, pager } from "../components/tables.js";
import { exportMenu } from "../components/export.js";

const FILTERS = ["type", "name", "model", "userId", "sessionId", "traceId", "promptName", "level", "score", "from", "to"];
const TYPES = ["GENERATION", "EMBEDDING", "SPAN", "EVENT", "AGENT", "TOOL", "CHAIN", "RETRIEVER", "EVALUATOR", "GUARDRAIL"];

export async function generationsPage(token, query) {
  const get = (k) => query.get(k) || "";
  const page = Math.max(1, parseInt(get("page"), 10) || 1);
  const params = Object.fromEntries(FILTERS.map((k) => [k, get(k)]));
  const go = (changes) => {
    const next = { ...params, page, ...changes };
    if (next.page === 1) next.page = "";
    location.hash = hashWith("/generations", next);
  };
  const filters = {
    type: params.type || "GENERATION", name: params.name, model: params.model, userId: params.userId,
    sessionId: params.sessionId, traceId: params.traceId, promptName: params.promptName, level: params.level,
    score: params.score ? params.score.split(",").map((s) => s.trim()).filter(Boolean) : undefined,
    fromStartTime: toIso(params.from), toStartTime: toIso(params.to), environment: environmentParam(),
  };
  const result = await api("/api/public/observations", { page, limit: 50, ...filters });
  if (!isCurrent(token)) return;
  const input = (name, placeholder, type = "text") => h("input", { type, "data-filter": name, name, placeholder, value: params[name] });
  const select = (name, options, any) => {
    const el = h("select", { "data-filter": name, name }, h("option", { value: "", text: any }), options.map((o) => h("option", { value: o, text: o })));
    el.value = params[name];
    return el;
  };
  const form = h("form", { class: "filters", "data-testid": "generation-filters" },
    select("type", TYPES.slice(1), "GENERATION"), input("name", "Name"), input("model", "Model"), input("userId", "User"),
    input("sessionId", "Session"), input("traceId", "Trace"), input("promptName", "Prompt"), select("level", LEVELS, "any level"),
    input("score", "Score (helpful>=0.8)"),
    h("label", { class: "inline" }, "From ", input("from", "", "datetime-local")),
    h("label", { class: "inline" }, "To ", input("to", "", "datetime-local")),
    h("button", { type: "submit", text: "Apply" }),
    h("button", { type: "button", class: "link", text: "Clear", onClick: () => { location.hash = "#/generations"; } }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const changes = { page: 1 };
    for (const name of FILTERS) changes[name] = form.elements[name].value;
    go(changes);
  });
  const root = clear(pageRoot());
  root.appendChild(h("div", { class: "page-head" }, h("h1", { text: "Generations" }),
    exportMenu("/api/public/observations/export", filters, ["jsonl", "csv", "openai_sft"], "generations")));
  root.appendChild(form);
  const traceHref = (o) => `#/traces/${enc(o.traceId)}?observation=${enc(o.id)}`;
  root.appendChild(listTable("generations-table", ["Start", "Name", "Model", "Input", "Output", "Level", "Latency", "Tokens", "Cost"], result.data, {
    dataset: (o) => ({ observationId: o.id, traceId: o.traceId }),
    href: traceHref,
    cells: (o) => [
      h("td", { class: "nowrap", text: fmtTime(o.startTime) }),
      h("td", { class: "nowrap" }, link(traceHref(o), o.name || o.id)),
      h("td", { text: o.model || "" }),
      h("td", { class: "preview", text: preview(o.input), title: preview(o.input, 1000) }),
      h("td", { class: "preview", text: preview(o.output), title: preview(o.output, 1000) }),
      h("td", null, levelBadge(o.level)),
      h("td", { class: "num", text: o.latency === null || o.latency === undefined ? "" : fmtDuration(o.latency) }),
      h("td", { class: "num", text: fmtNumber(o.usage ? o.usage.total : 0) }),
      h("td", { class: "num", text: fmtCost(o.calculatedTotalCost) }),
    ],
  }));
  if (!result.data.length) root.appendChild(h("p", { class: "empty", text: "No generations match." }));
  root.appendChild(pager(result.meta, (p) => go({ page: p })));
  setReady("generations");
}
