// The trace page (`#/traces/<id>?observation=<id>`): the trace's facts, its observation
// tree beside the timeline (rendered a page of rows at a time), the selected
// observation's panel, the agent graph, the scores and the comments, with the share
// toggle and the bookmark star. Observations come with previews of their input and
// output; the panel loads the whole values of the selected one when its previews were
// cut. Its controller (`TraceView`) is the state's `trace` while shown, so that another
// observation of the same trace is selected in place. The view reads through a source:
// the keyed API here, the keyless share path on a shared trace's page (`share.js`), where
// it is read-only (no forms, no toggles, users and sessions as text).

import { append, clear, contained, copyButton, h, link, pageRoot, section } from "../dom.js";
import { enc, fmtCost, fmtDuration, fmtNumber, fmtTime, ms } from "../format.js";
import { api, postScore, Unauthorized } from "../api.js";
import { bookmarkButton } from "../components/bookmark.js";
import { commentsBlock } from "../components/comments.js";
import { shareToggle } from "../components/sharetoggle.js";
import { hashWith, setReady, unsetReady } from "../router.js";
import { isCurrent, openTrace, state } from "../state.js";
import { levelBadge, tagList, typeBadge } from "../components/badges.js";
import { addToDatasetButton } from "../components/datasetdialog.js";
import { agentGraph, isAgentic } from "../components/graph.js";
import { scoreForm, scoreList } from "../components/scores.js";
import { buildTree, flatten, timelineRow, traceRows, treeRow } from "../components/tree.js";
import { renderMessages } from "../components/conversation.js";
import { jsonTree, renderValue } from "../components/values.js";
import { generationPlaygroundHref } from "../components/playgroundopen.js";

const PAGE_ROWS = 250; // tree / timeline rows rendered per "show more"
// Observations a trace page loads at most (the earliest); the rest are counted, not shown.
export const TRACE_OBSERVATION_LIMIT = 10000;

// How the server marks a preview it cut (see docs/limits.md).
const CUT_MARKER = "…[truncated: ";
const isCut = (value) => typeof value === "string" && value.includes(CUT_MARKER);

// The keyed source of the view: the trace, one whole observation, and the hash of a selection.
const KEYED = {
  readOnly: false,
  trace: (id) => api(`/api/public/traces/${enc(id)}`, { observationLimit: TRACE_OBSERVATION_LIMIT, observationIo: "preview" }),
  observation: (id) => api(`/api/public/observations/${enc(id)}`),
  hash: (traceId, observationId) => hashWith(`/traces/${enc(traceId)}`, { observation: observationId || "" }),
};

export async function traceDetailPage(token, id, query) {
  const trace = await KEYED.trace(id);
  if (!isCurrent(token)) return;
  showTrace(trace, token, KEYED, query.get("observation"));
}

/** Shows `trace`, read through `source` (see KEYED), with observation `selected` selected. */
export function showTrace(trace, token, source, selected) {
  const view = new TraceView(trace, token, source);
  openTrace(view);
  view.render(selected);
  if (!view.loading) setReady("trace");
}

class TraceView {
  constructor(trace, token, source) {
    this.id = trace.id;
    this.token = token;
    this.source = source;
    this.setTrace(trace);
    this.collapsed = new Set();
    this.limit = PAGE_ROWS;
    this.selected = null;
    this.graphMode = "aggregated";
    this.whole = new Map(); // observation id -> the observation with whole input and output
    this.loading = null; // the observation whose whole values are being loaded
  }

  setTrace(trace) {
    this.trace = trace;
    this.observations = trace.observations || [];
    this.tree = buildTree(this.observations);
    let start = ms(trace.timestamp);
    let end = start + (trace.latency || 0) * 1000;
    for (const o of this.observations) {
      const a = ms(o.startTime);
      const b = o.endTime ? ms(o.endTime) : a;
      if (a < start) start = a;
      if (b > end) end = b;
    }
    this.start = start;
    this.span = Math.max(1, end - start);
  }

  render(selected) {
    const t = this.trace;
    const root = clear(pageRoot());
    const facts = [
      ["Timestamp", fmtTime(t.timestamp)],
      ["Latency", fmtDuration(t.latency)],
      ["Tokens", t.usage ? `${fmtNumber(t.usage.input)} → ${fmtNumber(t.usage.output)} (Σ ${fmtNumber(t.usage.total)})` : ""],
      ["Cost", fmtCost(t.totalCost)],
      ["Observations", fmtNumber(t.observationCount ?? this.observations.length)],
      ["Environment", t.environment],
      ["Release", t.release],
      ["Version", t.version],
    ];
    const readOnly = this.source.readOnly;
    // Read-only, a user or session is text: no other page is reachable from a shared trace.
    const linked = (label, path, value) => value
      ? h("span", { class: "fact" }, h("span", { class: "muted", text: `${label} ` }), readOnly ? value : link(`#/${path}/${enc(value)}`, value))
      : null;
    const detail = h("div", { class: "trace", "data-testid": "trace-detail", dataset: { traceId: t.id } },
      h("div", { class: "page-head" },
        readOnly ? null : bookmarkButton(t),
        h("h1", null, t.name || "(unnamed trace)"), levelBadge(t.level),
        h("span", { class: "id" }, h("code", { text: t.id }), copyButton(t.id, "copy id")),
        readOnly ? null : shareToggle(t)),
      h("div", { class: "facts" },
        facts.filter(([, v]) => v).map(([k, v]) => h("span", { class: "fact" }, h("span", { class: "muted", text: `${k} ` }), v)),
        linked("User", "users", t.userId),
        linked("Session", "sessions", t.sessionId),
        tagList(t.tags)),
      t.observationsTruncated
        ? h("p", { class: "muted", "data-testid": "truncated", text: `Showing the first ${fmtNumber(TRACE_OBSERVATION_LIMIT)} observations (by start time).` })
        : null);
    this.treeEl = h("div", { class: "tree", "data-testid": "tree" });
    this.timelineEl = h("div", { class: "timeline", "data-testid": "timeline" });
    this.moreEl = h("div", { class: "more" });
    this.panelEl = h("div", { class: "panel", "data-testid": "panel" });
    this.graphEl = h("div", { class: "graph-wrap" });
    this.scoresEl = h("div");
    const axis = h("div", { class: "axis" },
      [0, 0.25, 0.5, 0.75, 1].map((f) => {
        const tick = h("span", { class: "tick", text: fmtDuration((this.span * f) / 1000) });
        tick.style.left = `${f * 100}%`;
        return tick;
      }));
    detail.appendChild(h("div", { class: "trace-body" },
      h("div", { class: "left" },
        h("div", { class: "split-head" }, h("div", { class: "tree-head", text: "Observations" }), h("div", { class: "timeline-head" }, axis)),
        h("div", { class: "split" }, this.treeEl, this.timelineEl),
        this.moreEl),
      this.panelEl));
    detail.appendChild(this.graphEl);
    detail.appendChild(this.scoresEl);
    if (!readOnly) detail.appendChild(commentsBlock("TRACE", t.id, "trace-comments"));
    root.appendChild(detail);
    this.select(selected, false);
    this.renderGraph();
    this.renderScores();
  }

  rows() {
    return flatten(this.tree.roots, this.collapsed);
  }

  renderRows() {
    const flat = this.rows();
    const shown = flat.slice(0, this.limit);
    const [traceRow, traceBar] = traceRows(this.trace, !this.selected, () => this.navigate(null));
    const treeRows = [traceRow];
    const bars = [traceBar];
    const toggle = (id) => this.toggle(id);
    const navigate = (id) => this.navigate(id);
    const placeholder = () => h("div", { class: "row muted", "data-testid": "unrenderable", text: "(cannot be shown)" });
    for (const node of shown) {
      const selected = this.selected === node.obs.id;
      treeRows.push(contained(() => treeRow(node, selected, this.collapsed, toggle, navigate), placeholder));
      bars.push(contained(() => timelineRow(node, selected, this.start, this.span, navigate), placeholder));
    }
    clear(this.treeEl);
    clear(this.timelineEl);
    append(this.treeEl, treeRows);
    append(this.timelineEl, bars);
    clear(this.moreEl);
    if (flat.length > shown.length) {
      this.moreEl.appendChild(h("span", { class: "muted", text: `${fmtNumber(shown.length)} of ${fmtNumber(flat.length)} observations shown ` }));
      this.moreEl.appendChild(h("button", { type: "button", "data-testid": "show-more", text: `Show ${Math.min(PAGE_ROWS, flat.length - shown.length)} more`, onClick: () => { this.limit += PAGE_ROWS; this.renderRows(); } }));
      this.moreEl.appendChild(h("button", { type: "button", class: "link", text: "show all", onClick: () => { this.limit = Infinity; this.renderRows(); } }));
    }
  }

  toggle(id) {
    if (this.collapsed.has(id)) this.collapsed.delete(id); else this.collapsed.add(id);
    this.renderRows();
  }

  navigate(id) {
    history.replaceState(null, "", this.source.hash(this.id, id));
    this.select(id, true);
  }

  select(id, scroll) {
    const node = id ? this.tree.byId.get(id) : null;
    this.selected = node ? id : null;
    if (node) {
      // Expand the ancestors and show enough rows to include it.
      for (let p = node.parent; p; p = p.parent) this.collapsed.delete(p.obs.id);
      const index = this.rows().findIndex((n) => n === node);
      if (index >= this.limit) this.limit = Math.ceil((index + 1) / PAGE_ROWS) * PAGE_ROWS;
    }
    this.renderRows();
    this.renderPanel();
    if (scroll && node) {
      const el = this.treeEl.querySelector(`[data-observation-id="${CSS.escape(id)}"]`);
      if (el && el.scrollIntoView) el.scrollIntoView({ block: "nearest" });
    }
  }

  /** The selected observation's (or the trace's) panel; a placeholder if it cannot be shown. */
  renderPanel() {
    const panel = clear(this.panelEl);
    const failed = contained(() => { this.fillPanel(panel); return null; });
    if (failed) panel.appendChild(failed);
  }

  fillPanel(panel) {
    const t = this.trace;
    const o = this.selected ? this.tree.byId.get(this.selected).obs : null;
    panel.dataset.selected = "";
    if (!o) {
      panel.appendChild(h("div", { class: "panel-head" }, h("h2", { text: t.name || "Trace" }), h("span", { class: "id" }, h("code", { text: t.id }), copyButton(t.id, "copy id")),
        this.source.readOnly ? null : addToDatasetButton(() => ({ traceId: t.id, input: t.input, output: t.output }))));
      panel.appendChild(section("Input", "input", renderMessages(t.input)));
      panel.appendChild(section("Output", "output", renderMessages(t.output)));
      panel.appendChild(section("Metadata", "metadata", renderValue(t.metadata)));
      return;
    }
    panel.dataset.selected = o.id;
    const facts = [
      ["Type", o.type], ["Level", o.level], ["Start", fmtTime(o.startTime)], ["End", fmtTime(o.endTime)],
      ["Duration", fmtDuration(o.latency)], ["Time to first token", fmtDuration(o.timeToFirstToken)],
      ["Model", o.model], ["Version", o.version], ["Environment", o.environment],
      ["Prompt", o.promptName ? `${o.promptName} v${o.promptVersion ?? "?"}` : ""],
      ["Tokens", o.usage && o.usage.total ? `${fmtNumber(o.usage.input)} → ${fmtNumber(o.usage.output)} (Σ ${fmtNumber(o.usage.total)})` : ""],
      ["Cost", o.calculatedTotalCost ? fmtCost(o.calculatedTotalCost) : ""],
    ];
    panel.appendChild(h("div", { class: "panel-head" },
      typeBadge(o.type), h("h2", { text: o.name || o.id }), levelBadge(o.level),
      h("span", { class: "id" }, h("code", { text: o.id }), copyButton(o.id, "copy id")),
      this.source.readOnly ? null : addToDatasetButton(() => ({ traceId: t.id, observationId: o.id })),
      this.source.readOnly || o.type !== "GENERATION" ? null : h("a", { class: "button", href: generationPlaygroundHref(o.id), "data-testid": "open-in-playground", text: "Open in playground" })));
    panel.appendChild(h("dl", { class: "facts-list" }, facts.filter(([, v]) => v).map(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })])));
    if (o.statusMessage) panel.appendChild(h("div", { class: `status-message level-${o.level}`, "data-testid": "status-message", text: o.statusMessage }));
    const obsScores = (t.scores || []).filter((sc) => sc.observationId === o.id);
    if (obsScores.length) panel.appendChild(section("Scores", "observation-scores", scoreList(obsScores, "observation-score-list")));
    const io = this.whole.get(o.id) || o;
    panel.appendChild(section("Input", "input", renderMessages(io.input)));
    panel.appendChild(section("Output", "output", renderMessages(io.output)));
    if (io === o && (isCut(o.input) || isCut(o.output))) this.loadWhole(o.id);
    if (o.modelParameters && Object.keys(o.modelParameters).length) panel.appendChild(section("Model parameters", "model-parameters", jsonTree(o.modelParameters)));
    if (o.usageDetails && Object.keys(o.usageDetails).length) panel.appendChild(section("Usage", "usage", jsonTree(o.usageDetails)));
    if (o.costDetails && Object.keys(o.costDetails).length) panel.appendChild(section("Cost", "cost", jsonTree(o.costDetails)));
    panel.appendChild(section("Metadata", "metadata", renderValue(o.metadata)));
    if (!this.source.readOnly) panel.appendChild(commentsBlock("OBSERVATION", o.id, "observation-comments"));
  }

  /** Loads the whole input and output of observation `id`, then shows them if it is still selected. */
  async loadWhole(id) {
    this.loading = id;
    unsetReady();
    let whole;
    try {
      whole = await this.source.observation(id);
    } catch (error) {
      if (error instanceof Unauthorized) return;
      console.warn("the whole observation could not be loaded:", error);
    }
    if (state.trace !== this || this.loading !== id) return;
    this.loading = null;
    if (whole) {
      this.whole.set(id, whole);
      if (this.selected === id) this.renderPanel();
    }
    setReady("trace");
  }

  renderScores() {
    const t = this.trace;
    const box = clear(this.scoresEl);
    const target = (sc) => {
      if (!sc.observationId) return h("span", { class: "muted", text: " · trace" });
      const node = this.tree.byId.get(sc.observationId);
      return h("span", null, h("span", { class: "muted", text: " · on " }),
        h("button", { type: "button", class: "link", text: node ? node.obs.name : sc.observationId, onClick: () => this.navigate(sc.observationId) }));
    };
    box.appendChild(h("section", { class: "block scores-block" },
      h("h3", { text: "Scores" }),
      scoreList(t.scores || [], "scores", target),
      this.source.readOnly ? null : scoreForm(t, () => this.selected, (score, report) => this.saveScore(score, report))));
  }

  /** Stores `score`, then shows the trace's scores as stored; `report(message)` on failure. */
  async saveScore(score, report) {
    unsetReady();
    try {
      await postScore(score);
      const fresh = await this.source.trace(this.trace.id);
      if (state.trace !== this) return;
      this.setTrace(fresh);
      this.renderScores();
      this.renderPanel();
      setReady("trace");
    } catch (error) {
      if (error instanceof Unauthorized) return;
      report(`Error: ${error.message}`);
      setReady("trace");
    }
  }

  renderGraph() {
    const box = clear(this.graphEl);
    if (!isAgentic(this.observations)) return;
    const aggregated = this.graphMode === "aggregated";
    const toggle = h("button", {
      type: "button", "data-testid": "graph-mode", dataset: { mode: this.graphMode },
      text: aggregated ? "Show every observation" : "Aggregate by name",
      onClick: () => { this.graphMode = aggregated ? "expanded" : "aggregated"; this.renderGraph(); },
    });
    const graph = agentGraph(this.tree, this.graphMode, this.selected, (id) => { this.navigate(id); this.renderGraph(); });
    box.appendChild(h("section", { class: "block" },
      h("h3", null, "Agent graph ", h("span", { class: "muted", text: aggregated ? "(one node per type and name)" : "(one node per observation)" }), " ", toggle),
      graph));
  }
}
