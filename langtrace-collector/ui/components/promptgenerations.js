// The generations linked to one prompt version, each linking to its place in its trace.
// The observations API has no prompt filter, so the newest generations are read a page
// at a time (at most `MAX_SCANNED` of them, for the environment chosen in the header) and
// those of the version kept; the section says when older ones were not read.

import { h, link } from "../dom.js";
import { enc, fmtCost, fmtDuration, fmtNumber, fmtTime } from "../format.js";
import { api } from "../api.js";
import { environmentParam } from "../state.js";
import { levelBadge } from "./badges.js";

/** Generations read at most to find a version's (the newest first). */
export const MAX_SCANNED = 5000;
const PAGE = 1000;

/** The generations of version `version` of prompt `name` among the newest `MAX_SCANNED`: {found, scanned, complete}. */
export async function loadVersionGenerations(name, version) {
  const found = [];
  let scanned = 0;
  let cursor;
  do {
    const page = await api("/api/public/v2/observations", {
      type: "GENERATION", fields: "core,basic,model,usage,prompt,metrics", limit: PAGE, cursor, environment: environmentParam(),
    });
    const rows = page.data || [];
    scanned += rows.length;
    for (const o of rows) if (o.promptName === name && Number(o.promptVersion) === version) found.push(o);
    cursor = page.meta && page.meta.cursor;
  } while (cursor && scanned < MAX_SCANNED);
  return { found, scanned, complete: !cursor };
}

/** The table of a version's generations (`data-testid` `version-generations`). */
export function versionGenerationsView(result) {
  const note = result.complete
    ? `${fmtNumber(result.found.length)} generation${result.found.length === 1 ? "" : "s"}`
    : `${fmtNumber(result.found.length)} among the newest ${fmtNumber(result.scanned)} generations (older ones not read)`;
  return h("div", { "data-testid": "version-generations" },
    h("p", { class: "muted", text: note }),
    result.found.length ? h("div", { class: "table-wrap" }, h("table", { class: "grid" },
      h("thead", null, h("tr", null, ["Start", "Name", "Trace", "Level", "Model", "Latency", "Tokens", "Cost", "Environment"].map((c) => h("th", { text: c })))),
      h("tbody", null, result.found.map((o) => h("tr", { dataset: { observationId: o.id } },
        h("td", { class: "nowrap", text: fmtTime(o.startTime) }),
        h("td", null, link(`#/traces/${enc(o.traceId)}?observation=${enc(o.id)}`, o.name || o.id)),
        h("td", null, link(`#/traces/${enc(o.traceId)}`, String(o.traceId).slice(0, 12))),
        h("td", null, levelBadge(o.level)),
        h("td", { text: o.model || "" }),
        h("td", { class: "num", text: fmtDuration(o.latency) }),
        h("td", { class: "num", text: fmtNumber(o.usageDetails ? o.usageDetails.total ?? ((o.usageDetails.input || 0) + (o.usageDetails.output || 0)) : null) }),
        h("td", { class: "num", text: fmtCost(o.totalCost) }),
        h("td", { text: o.environment || "" }))))))) : null);
}
