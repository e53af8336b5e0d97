// The sessions pages: the list of sessions, and one session replayed as a conversation
// (each trace a turn: its input's last message and its output as chat bubbles, drawn by
// the trace page's conversation renderer from the list's previews, a page of turns at a
// time) with its scores and comments.

import { clear, contained, copyButton, h, link, pageRoot, section } from "../dom.js";
import { enc, fmtCost, fmtDuration, fmtNumber, fmtTime } from "../format.js";
import { api } from "../api.js";
import { hashWith, setReady } from "../router.js";
import { environmentParam, isCurrent } from "../state.js";
import { levelBadge } from "../components/badges.js";
import { commentsBlock } from "../components/comments.js";
import { scoreList } from "../components/scores.js";
import { listTable, pager } from "../components/tables.js";
import { exportMenu } from "../components/export.js";
import { renderTurn } from "../components/conversation.js";

export async function sessionsPage(token, query) {
  const page = Math.max(1, parseInt(query.get("page"), 10) || 1);
  const result = await api("/api/public/sessions", { page, limit: 50, environment: environmentParam() });
  if (!isCurrent(token)) return;
  const root = clear(pageRoot());
  // Export: the traces of the listed sessions (the route takes one sessionId: one export each, joined).
  const listed = result.data.map((sn) => ({ sessionId: sn.id, environment: environmentParam() }));
  root.appendChild(h("div", { class: "page-head" }, h("h1", { text: "Sessions" }),
    listed.length ? exportMenu("/api/public/traces/export", listed, ["jsonl", "csv"], "sessions-traces") : null));
  root.appendChild(listTable("sessions-table", ["Session", "Created", "Duration", "Users", "Traces", "Tokens", "Cost", "Environment", "Errors"], result.data, {
    dataset: (sn) => ({ sessionId: sn.id }),
    href: (sn) => `#/sessions/${enc(sn.id)}`,
    cells: (sn) => [
      h("td", null, link(`#/sessions/${enc(sn.id)}`, sn.id)),
      h("td", { class: "nowrap", text: fmtTime(sn.createdAt) }),
      h("td", { class: "num", text: fmtDuration(sn.duration) }),
      h("td", null, (sn.userIds || []).map((u) => [link(`#/users/${enc(u)}`, u), " "])),
      h("td", { class: "num", text: fmtNumber(sn.traceCount) }),
      h("td", { class: "num", text: fmtNumber(sn.totalTokens) }),
      h("td", { class: "num", text: fmtCost(sn.totalCost) }),
      h("td", { text: sn.environment }),
      h("td", { class: "num", text: sn.errorCount ? fmtNumber(sn.errorCount) : "" }),
    ],
  }));
  if (!result.data.length) root.appendChild(h("p", { class: "empty", text: "No sessions." }));
  root.appendChild(pager(result.meta, (p) => { location.hash = hashWith("/sessions", { page: p > 1 ? p : "" }); }));
  setReady("sessions");
}

/** Turns of a session shown per page. */
const TURNS_PER_PAGE = 50;

export async function sessionPage(token, id, query) {
  const page = Math.max(1, parseInt(query.get("page"), 10) || 1);
  const [sn, scores] = await Promise.all([
    api(`/api/public/sessions/${enc(id)}`, { page, limit: TURNS_PER_PAGE }),
    api("/api/public/scores", { sessionId: id, limit: 100 }).catch(() => ({ data: [] })),
  ]);
  if (!isCurrent(token)) return;
  const root = clear(pageRoot());
  root.appendChild(h("div", { class: "page-head" }, h("h1", null, "Session ", h("code", { text: sn.id })), copyButton(sn.id, "copy id"),
    exportMenu("/api/public/traces/export", { sessionId: sn.id }, ["jsonl", "csv"], "session-traces")));
  root.appendChild(h("div", { class: "facts" },
    [["Created", fmtTime(sn.createdAt)], ["Duration", fmtDuration(sn.duration)], ["Traces", fmtNumber(sn.traceCount)],
      ["Tokens", fmtNumber(sn.totalTokens)], ["Cost", fmtCost(sn.totalCost)], ["Environment", sn.environment]]
      .map(([k, v]) => h("span", { class: "fact" }, h("span", { class: "muted", text: `${k} ` }), v)),
    (sn.userIds || []).map((u) => h("span", { class: "fact" }, h("span", { class: "muted", text: "User " }), link(`#/users/${enc(u)}`, u)))));
  root.appendChild(section("Scores", "session-scores", scoreList(scores.data || [], "scores")));
  root.appendChild(commentsBlock("SESSION", sn.id, "session-comments"));
  const list = h("div", { class: "conversation", "data-testid": "session-traces" }, (sn.traces || []).map((t) => contained(() =>
    h("article", { class: "turn", dataset: { traceId: t.id } },
      h("div", { class: "turn-head" },
        h("a", { href: `#/traces/${enc(t.id)}`, text: t.name || t.id }), " ",
        h("span", { class: "muted", text: `${fmtTime(t.timestamp)} · ${fmtDuration(t.latency)} · ${fmtNumber(t.usage ? t.usage.total : 0)} tok · ${fmtCost(t.totalCost)}` }),
        t.level === "ERROR" || t.level === "WARNING" ? levelBadge(t.level) : null),
      h("div", { "data-testid": "turn-input" }, renderTurn(t.input, "input")),
      h("div", { "data-testid": "turn-output" }, renderTurn(t.output, "output"))))));
  root.appendChild(h("section", { class: "block" }, h("h3", { text: "Conversation" }), list,
    sn.tracesMeta ? pager(sn.tracesMeta, (p) => { location.hash = hashWith(`/sessions/${enc(id)}`, { page: p > 1 ? p : "" }); }) : null));
  setReady("session");
}
