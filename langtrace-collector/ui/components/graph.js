// The agent graph of a trace, drawn in stages: a graph model built from the observation
// tree (nodes, edges, counts; aggregated by type and name, or one node per observation),
// limited to what can be drawn (the model checked and cut to size), laid out in layers by
// depth, then rendered as SVG.

import { h, s } from "../dom.js";
import { TYPE_LETTERS } from "../format.js";
import { flatten } from "./tree.js";

const MAX_NODES = 400;
// Many distinct edges (big traces): the most travelled ones are drawn.
const MAX_EDGES = 300;
const NODE_W = 180, NODE_H = 34, GAP_X = 60, GAP_Y = 14;

/** True when the trace has agents, tools or chains: the graph is worth drawing. */
export function isAgentic(observations) {
  return observations.some((o) => ["AGENT", "TOOL", "CHAIN"].includes(String(o.type).toUpperCase()));
}

/**
 * The graph model of `tree`: `nodes` (key -> {key, label, type, count, first, depth,
 * level}) and `edges` ("from\0to" -> {from, to, count}) in depth-first order, and `keyOf`
 * (an observation's node key: its type and name when `aggregated`, else its id).
 */
export function buildGraph(tree, aggregated) {
  const keyOf = (o) => (aggregated ? `${String(o.type).toUpperCase()}:${o.name}` : o.id);
  const nodes = new Map();
  const edges = new Map();
  for (const node of flatten(tree.roots, new Set())) {
    const o = node.obs;
    const key = keyOf(o);
    let entry = nodes.get(key);
    if (!entry) {
      entry = { key, label: o.name || o.id, type: String(o.type).toUpperCase(), count: 0, first: o.id, depth: node.depth, level: o.level };
      nodes.set(key, entry);
    }
    entry.count += 1;
    entry.depth = Math.min(entry.depth, node.depth);
    if (o.level === "ERROR") entry.level = "ERROR";
    if (node.parent) {
      const from = keyOf(node.parent.obs);
      if (from !== key) {
        const id = `${from}\u0000${key}`;
        const edge = edges.get(id) || { from, to: key, count: 0 };
        edge.count += 1;
        edges.set(id, edge);
      }
    }
  }
  return { aggregated, keyOf, nodes, edges };
}

/**
 * What of `graph` is drawn: its first MAX_NODES nodes, the edges between them (every
 * edge must join two drawn nodes), at most MAX_EDGES of them (the most travelled).
 * `truncated` and `edgeCount` (edges between drawn nodes) say what was left out.
 */
export function limitGraph(graph) {
  const nodes = new Map([...graph.nodes].slice(0, MAX_NODES));
  const edges = [...graph.edges.values()].filter((e) => nodes.has(e.from) && nodes.has(e.to));
  const edgeCount = edges.length;
  const drawn = edges.length > MAX_EDGES ? edges.sort((p, q) => q.count - p.count).slice(0, MAX_EDGES) : edges;
  return { ...graph, nodes, edges: drawn, truncated: graph.nodes.size > nodes.size, edgeCount };
}

/**
 * Positions of a limited graph: one column per depth, nodes stacked in order; each edge a
 * curve (`d`) from its source's right side to its target's left side (under both when
 * it goes backwards) with a label position. The `width` and `height` of the drawing.
 */
export function layoutGraph(graph) {
  const layers = [];
  for (const entry of graph.nodes.values()) (layers[entry.depth] ||= []).push(entry);
  const at = new Map();
  let maxRows = 0;
  layers.forEach((layer, x) => {
    if (!layer) return;
    layer.forEach((entry, y) => { at.set(entry.key, { entry, x: 10 + x * (NODE_W + GAP_X), y: 10 + y * (NODE_H + GAP_Y) }); });
    maxRows = Math.max(maxRows, layer.length);
  });
  const edges = graph.edges.map((edge) => {
    const a = at.get(edge.from), b = at.get(edge.to);
    const x1 = a.x + NODE_W, y1 = a.y + NODE_H / 2, x2 = b.x, y2 = b.y + NODE_H / 2;
    const d = x2 <= x1
      ? `M ${a.x + NODE_W / 2} ${a.y + NODE_H} C ${a.x + NODE_W / 2} ${a.y + NODE_H + 40}, ${b.x + NODE_W / 2} ${b.y + NODE_H + 40}, ${b.x + NODE_W / 2} ${b.y + NODE_H}`
      : `M ${x1} ${y1} C ${x1 + GAP_X / 2} ${y1}, ${x2 - GAP_X / 2} ${y2}, ${x2} ${y2}`;
    return { edge, from: a.entry, to: b.entry, d, labelX: (x1 + x2) / 2, labelY: (y1 + y2) / 2 - 3 };
  });
  return {
    width: 20 + layers.length * (NODE_W + GAP_X),
    height: 20 + maxRows * (NODE_H + GAP_Y),
    nodes: [...graph.nodes.keys()].map((key) => at.get(key)), // in the model's order
    edges,
  };
}

/**
 * The SVG of a laid-out graph with notes on what was left out; the node of key
 * `selectedKey` is highlighted, clicking a node calls `onSelect(first observation id)`.
 */
export function renderGraph(graph, layout, selectedKey, onSelect) {
  const { aggregated } = graph;
  const { width, height } = layout;
  const svg = s("svg", { class: "graph", "data-testid": "graph", width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  svg.appendChild(s("defs", null, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" },
    s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow" }))));
  for (const { edge, from, to, d, labelX, labelY } of layout.edges) {
    svg.appendChild(s("path", { d, class: "edge", "marker-end": "url(#arrow)", dataset: { edge: `${edge.from}->${edge.to}` } },
      s("title", { text: `${from.label} → ${to.label} ×${edge.count}` })));
    if (aggregated && edge.count > 1) svg.appendChild(s("text", { x: labelX, y: labelY, class: "edge-label", text: `×${edge.count}` }));
  }
  for (const { entry, x, y } of layout.nodes) {
    const selected = selectedKey !== null && selectedKey === entry.key;
    const label = entry.label.length > 22 ? `${entry.label.slice(0, 21)}…` : entry.label;
    const g = s("g", { class: `node node-${entry.type}${entry.level === "ERROR" ? " node-error" : ""}${selected ? " selected" : ""}`, dataset: { node: entry.key }, transform: `translate(${x},${y})`, tabindex: 0 },
      s("title", { text: `${entry.type} ${entry.label}${aggregated ? ` ×${entry.count}` : ""}` }),
      s("rect", { width: NODE_W, height: NODE_H, rx: 6 }),
      s("text", { x: 8, y: 21, class: "node-type", text: TYPE_LETTERS[entry.type] || entry.type.charAt(0) }),
      s("text", { x: 24, y: 21, class: "node-label", text: label + (aggregated && entry.count > 1 ? ` ×${entry.count}` : "") }));
    g.addEventListener("click", () => onSelect(entry.first));
    svg.appendChild(g);
  }
  const wrap = h("div", { class: "graph-scroll" }, svg);
  if (graph.truncated) wrap.appendChild(h("p", { class: "muted", text: `Only the first ${MAX_NODES} nodes are drawn.` }));
  if (graph.edges.length < graph.edgeCount) wrap.appendChild(h("p", { class: "muted", text: `Only the ${MAX_EDGES} most frequent of ${graph.edgeCount} edges are drawn.` }));
  return wrap;
}

/** The agent graph of `tree` (`mode` "aggregated" or "expanded") with observation `selected` (or null) highlighted. */
export function agentGraph(tree, mode, selected, onSelect) {
  const graph = limitGraph(buildGraph(tree, mode === "aggregated"));
  const selectedNode = selected ? tree.byId.get(selected) : null;
  const selectedKey = selectedNode ? graph.keyOf(selectedNode.obs) : null;
  return renderGraph(graph, layoutGraph(graph), selectedKey, onSelect);
}
