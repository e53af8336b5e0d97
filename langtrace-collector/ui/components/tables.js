// Shared tables: the pager under list pages, the traces table (sortable headers) the
// traces and user pages show, and the plain list tables of sessions and users. A row
// that cannot be rendered shows a placeholder; the others are shown.

import { contained, h, link } from "../dom.js";
import { enc, fmtCost, fmtDuration, fmtNumber, fmtTime, preview } from "../format.js";
import { levelBadge, tagList } from "./badges.js";

/** Previous/next buttons for the API's page `meta`; `onPage(n)` goes to page n. */
export function pager(meta, onPage) {
  const page = meta.page || 1;
  const pages = Math.max(1, meta.totalPages || 1);
  return h("div", { class: "pager" },
    h("button", { type: "button", "data-testid": "prev-page", disabled: page <= 1, text: "‹ Prev", onClick: () => onPage(page - 1) }),
    h("span", { class: "muted", text: ` Page ${page} of ${pages} · ${fmtNumber(meta.totalItems || 0)} total ` }),
    h("button", { type: "button", "data-testid": "next-page", disabled: page >= pages, text: "Next ›", onClick: () => onPage(page + 1) }));
}

const TRACE_COLUMNS = [
  { label: "Timestamp", order: "timestamp" },
  { label: "Name", order: "name" },
  { label: "Input" },
  { label: "Output" },
  { label: "Level" },
  { label: "Latency", order: "latency" },
  { label: "Tokens", order: "totalTokens" },
  { label: "Cost", order: "totalCost" },
  { label: "Environment" },
  { label: "Tags" },
  { label: "User", order: "userId" },
  { label: "Session", order: "sessionId" },
  { label: "Release / version", order: "release" },
];

/** A table of traces; `order` and `onOrder` make the headers sortable; `star(trace)`, if given, a leading cell's content (the bookmark). */
export function tracesTable(traces, order, onOrder, star) {
  const [field, direction] = (order || "timestamp.desc").split(".");
  const head = h("tr", null, star ? h("th", { class: "star-cell", title: "Bookmarked", text: "★" }) : null, TRACE_COLUMNS.map((column) => {
    if (!column.order || !onOrder) return h("th", { text: column.label });
    const active = field === column.order;
    const next = active && direction === "desc" ? "asc" : "desc";
    return h("th", { class: `sortable${active ? " sorted" : ""}`, "data-order": column.order, title: "Sort" },
      h("button", { type: "button", class: "link", onClick: () => onOrder(`${column.order}.${next}`) },
        column.label, active ? (direction === "desc" ? " ↓" : " ↑") : ""));
  }));
  const columns = TRACE_COLUMNS.length + (star ? 1 : 0);
  const body = h("tbody", null, traces.map((t) => contained(() => traceRow(t, star), () => placeholderRow(columns, { traceId: t && t.id }))));
  return h("div", { class: "table-wrap" },
    h("table", { class: "grid", "data-testid": "traces-table" }, h("thead", null, head), body));
}

/** A row saying an item cannot be shown, spanning `columns`. */
function placeholderRow(columns, dataset) {
  return h("tr", { class: "unrenderable", dataset }, h("td", { colspan: columns, class: "muted", "data-testid": "unrenderable", text: "(this row cannot be shown)" }));
}

/** One trace's row of the traces table, led by `star(t)` if given. */
function traceRow(t, star) {
  const href = `#/traces/${enc(t.id)}`;
  const row = h("tr", { class: "clickable", dataset: { traceId: t.id } },
    star ? h("td", { class: "star-cell" }, star(t)) : null,
    h("td", { class: "nowrap", text: fmtTime(t.timestamp) }),
    h("td", { class: "nowrap" }, h("a", { href, text: t.name || String(t.id).slice(0, 12), onClick: (e) => e.stopPropagation() })),
    h("td", { class: "preview", text: preview(t.input), title: preview(t.input, 1000) }),
    h("td", { class: "preview", text: preview(t.output), title: preview(t.output, 1000) }),
    h("td", null, levelBadge(t.level)),
    h("td", { class: "num", text: fmtDuration(t.latency) }),
    h("td", { class: "num", text: fmtNumber(t.usage ? t.usage.total : 0), title: t.usage ? `in ${t.usage.input} / out ${t.usage.output}` : "" }),
    h("td", { class: "num", text: fmtCost(t.totalCost) }),
    h("td", { text: t.environment || "" }),
    h("td", null, tagList(t.tags)),
    h("td", null, t.userId ? link(`#/users/${enc(t.userId)}`, t.userId) : null),
    h("td", null, t.sessionId ? link(`#/sessions/${enc(t.sessionId)}`, t.sessionId) : null),
    h("td", { text: [t.release, t.version].filter(Boolean).join(" / ") }));
  row.addEventListener("click", () => { location.hash = href; });
  return row;
}

/**
 * A plain table (`data-testid` `testid`) of clickable rows, one per item: `columns` are
 * the headers, `cells(item)` the row's cells, `href(item)` where a click goes and
 * `dataset(item)` the row's data attributes.
 */
export function listTable(testid, columns, items, { cells, href, dataset }) {
  const rows = items.map((item) => contained(() => {
    const row = h("tr", { class: "clickable", dataset: dataset(item) }, cells(item));
    row.addEventListener("click", () => { location.hash = href(item); });
    return row;
  }, () => placeholderRow(columns.length, {})));
  return h("div", { class: "table-wrap" }, h("table", { class: "grid", "data-testid": testid },
    h("thead", null, h("tr", null, columns.map((c) => h("th", { text: c })))),
    h("tbody", null, rows)));
}
