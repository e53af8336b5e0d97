// The observation tree of a trace: built from the observations in O(n), its visible
// depth-first order (collapsed nodes skipped), and the rows of its two columns, the tree
// (type, name, level, duration, tokens, cost) and the timeline (a bar from the trace start).

import { h } from "../dom.js";
import { fmtCost, fmtDuration, fmtNumber, ms } from "../format.js";
import { levelBadge, typeBadge } from "./badges.js";

/** The tree: `byId` (id -> node {obs, children, depth, parent}) and the `roots`. */
export function buildTree(observations) {
  const byId = new Map();
  for (const o of observations) byId.set(o.id, { obs: o, children: [], depth: 0, parent: null });
  const roots = [];
  for (const node of byId.values()) {
    const parent = node.obs.parentObservationId && byId.get(node.obs.parentObservationId);
    if (parent && parent !== node) { node.parent = parent; parent.children.push(node); } else roots.push(node);
  }
  return { byId, roots };
}

/** The visible nodes in depth-first order, skipping children of collapsed nodes. */
export function flatten(roots, collapsed) {
  const out = [];
  const stack = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push([roots[i], 0]);
  const seen = new Set();
  while (stack.length) {
    const [node, depth] = stack.pop();
    if (seen.has(node)) continue; // cycles in bad data
    seen.add(node);
    node.depth = depth;
    out.push(node);
    if (!collapsed.has(node.obs.id)) for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i], depth + 1]);
  }
  return out;
}

/** The trace's own rows (tree and timeline); `onSelect()` selects the trace. */
export function traceRows(trace, selected, onSelect) {
  const row = h("div", { class: `row trace-row${selected ? " selected" : ""}`, dataset: { traceRow: "1" }, onClick: onSelect },
    h("span", { class: "type type-TRACE", text: "T" }), h("span", { class: "name", text: trace.name || "trace" }),
    h("span", { class: "meta", text: fmtDuration(trace.latency) }));
  const line = h("div", { class: "row bar-row" }, h("div", { class: "bar bar-trace" }));
  line.firstChild.style.left = "0%";
  line.firstChild.style.width = "100%";
  return [row, line];
}

/**
 * The tree row of `node`: `collapsed` (a Set of ids) decides its toggle, `onToggle(id)`
 * and `onSelect(id)` act on it.
 */
export function treeRow(node, selected, collapsed, onToggle, onSelect) {
  const o = node.obs;
  const toggle = node.children.length
    ? h("button", { type: "button", class: "toggle", title: "Collapse/expand", text: collapsed.has(o.id) ? "▸" : "▾", onClick: (e) => { e.stopPropagation(); onToggle(o.id); } })
    : h("span", { class: "toggle" });
  const tokens = o.usage && o.usage.total ? `${fmtNumber(o.usage.total)} tok` : "";
  const row = h("div", { class: `row level-row-${o.level}${selected ? " selected" : ""}`, dataset: { observationId: o.id }, title: `${o.type} ${o.name}`, onClick: () => onSelect(o.id) },
    toggle, typeBadge(o.type), h("span", { class: "name", text: o.name || o.id }),
    o.level === "ERROR" || o.level === "WARNING" ? levelBadge(o.level) : null,
    h("span", { class: "meta", text: [fmtDuration(o.latency), tokens, o.calculatedTotalCost ? fmtCost(o.calculatedTotalCost) : ""].filter(Boolean).join(" · ") }));
  row.style.paddingLeft = `${4 + Math.min(node.depth, 40) * 14}px`;
  return row;
}

/** The timeline row of `node`: its bar placed on the trace's `start` (ms) and `span` (ms). */
export function timelineRow(node, selected, start, span, onSelect) {
  const o = node.obs;
  const a = ms(o.startTime) - start;
  const b = (o.endTime ? ms(o.endTime) : ms(o.startTime)) - start;
  const bar = h("div", { class: `bar bar-${String(o.type).toUpperCase()} level-bar-${o.level}${o.endTime ? "" : " point"}`, title: `${o.name}: ${fmtDuration(o.latency)}` });
  bar.style.left = `${(a / span) * 100}%`;
  bar.style.width = o.endTime ? `max(2px, ${((b - a) / span) * 100}%)` : "6px";
  const line = h("div", { class: `row bar-row${selected ? " selected" : ""}`, dataset: { observationId: o.id }, onClick: () => onSelect(o.id) }, bar);
  if (o.completionStartTime && o.endTime) {
    const c = ms(o.completionStartTime) - start;
    const mark = h("div", { class: "ttft", title: `time to first token ${fmtDuration(o.timeToFirstToken)}` });
    mark.style.left = `${(c / span) * 100}%`;
    line.appendChild(mark);
  }
  line.appendChild(h("span", { class: "bar-label", text: fmtDuration(o.latency) }));
  return line;
}
