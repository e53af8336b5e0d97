// The generations linked to one prompt version (the observations API's `promptName` and
// `promptVersion` filters, for the environment chosen in the header), newest first, a
// page at a time; each links to its place in its trace.

import { clear, h, link } from "../dom.js";
import { enc, fmtCost, fmtDuration, fmtNumber, fmtTime } from "../format.js";
import { api } from "../api.js";
import { environmentParam } from "../state.js";
import { levelBadge } from "./badges.js";

/** Generations listed per page. */
const PAGE = 50;

/** One page of the generations of version `version` of prompt `name` (after `cursor`): {data, meta: {cursor}}. */
export function loadVersionGenerations(name, version, cursor) {
  return api("/api/public/v2/observations", {
    type: "GENERATION", promptName: name, promptVersion: version, fields: "core,basic,model,usage,metrics",
    limit: PAGE, cursor, environment: environmentParam(),
  });
}

function generationRow(o) {
  const usage = o.usageDetails || {};
  return h("tr", { dataset: { observationId: o.id } },
    h("td", { class: "nowrap", text: fmtTime(o.startTime) }),
    h("td", null, link(`#/traces/${enc(o.traceId)}?observation=${enc(o.id)}`, o.name || o.id)),
    h("td", null, link(`#/traces/${enc(o.traceId)}`, String(o.traceId).slice(0, 12))),
    h("td", null, levelBadge(o.level)),
    h("td", { text: o.model || "" }),
    h("td", { class: "num", text: fmtDuration(o.latency) }),
    h("td", { class: "num", text: fmtNumber(usage.total ?? (usage.input || 0) + (usage.output || 0)) }),
    h("td", { class: "num", text: fmtCost(o.totalCost) }),
    h("td", { text: o.environment || "" }));
}

/** The generations of a version (`data-testid` `version-generations`), starting from `first` (a loaded page); more on demand. */
export function versionGenerationsView(name, version, first) {
  const body = h("tbody");
  const more = h("div", { class: "more" });
  const show = (page) => {
    for (const o of page.data || []) body.appendChild(generationRow(o));
    clear(more);
    const cursor = page.meta && page.meta.cursor;
    if (cursor) {
      more.appendChild(h("button", { type: "button", text: `show ${PAGE} more`, onClick: async (event) => {
        event.target.disabled = true;
        show(await loadVersionGenerations(name, version, cursor));
      } }));
    }
  };
  show(first);
  if (!body.children.length) return h("p", { class: "muted", "data-testid": "version-generations", text: "No generation used this version." });
  return h("div", { "data-testid": "version-generations" },
    h("div", { class: "table-wrap" }, h("table", { class: "grid" },
      h("thead", null, h("tr", null, ["Start", "Name", "Trace", "Level", "Model", "Latency", "Tokens", "Cost", "Environment"].map((c) => h("th", { text: c })))),
      body)),
    more);
}
