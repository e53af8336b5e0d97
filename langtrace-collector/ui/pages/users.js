// The users pages: the list of users, and one user with their sessions and traces.

import { clear, copyButton, h, link, pageRoot } from "../dom.js";
import { enc, fmtCost, fmtNumber, fmtTime } from "../format.js";
import { api } from "../api.js";
import { hashWith, setReady } from "../router.js";
import { environmentParam, isCurrent } from "../state.js";
import { listTable, pager, tracesTable } from "../components/tables.js";

export async function usersPage(token, query) {
  const page = Math.max(1, parseInt(query.get("page"), 10) || 1);
  const result = await api("/api/public/users", { page, limit: 50, environment: environmentParam() });
  if (!isCurrent(token)) return;
  const root = clear(pageRoot());
  root.appendChild(h("div", { class: "page-head" }, h("h1", { text: "Users" })));
  root.appendChild(listTable("users-table", ["User", "First seen", "Last seen", "Traces", "Sessions", "Tokens", "Cost", "Errors"], result.data, {
    dataset: (u) => ({ userId: u.id }),
    href: (u) => `#/users/${enc(u.id)}`,
    cells: (u) => [
      h("td", null, link(`#/users/${enc(u.id)}`, u.id)),
      h("td", { class: "nowrap", text: fmtTime(u.firstSeen) }),
      h("td", { class: "nowrap", text: fmtTime(u.lastSeen) }),
      h("td", { class: "num", text: fmtNumber(u.traceCount) }),
      h("td", { class: "num", text: fmtNumber(u.sessionCount) }),
      h("td", { class: "num", text: fmtNumber(u.totalTokens) }),
      h("td", { class: "num", text: fmtCost(u.totalCost) }),
      h("td", { class: "num", text: u.errorCount ? fmtNumber(u.errorCount) : "" }),
    ],
  }));
  if (!result.data.length) root.appendChild(h("p", { class: "empty", text: "No users." }));
  root.appendChild(pager(result.meta, (p) => { location.hash = hashWith("/users", { page: p > 1 ? p : "" }); }));
  setReady("users");
}

export async function userPage(token, id) {
  const u = await api(`/api/public/users/${enc(id)}`);
  if (!isCurrent(token)) return;
  const root = clear(pageRoot());
  const detail = h("div", { "data-testid": "user-detail", dataset: { userId: u.id } },
    h("div", { class: "page-head" }, h("h1", null, "User ", h("code", { text: u.id })), copyButton(u.id, "copy id")),
    h("div", { class: "facts" },
      [["First seen", fmtTime(u.firstSeen)], ["Last seen", fmtTime(u.lastSeen)], ["Traces", fmtNumber(u.traceCount)],
        ["Sessions", fmtNumber(u.sessionCount)], ["Tokens", fmtNumber(u.totalTokens)], ["Cost", fmtCost(u.totalCost)]]
        .map(([k, v]) => h("span", { class: "fact" }, h("span", { class: "muted", text: `${k} ` }), v))),
    h("section", { class: "block", "data-testid": "user-sessions" }, h("h3", { text: "Sessions" }),
      (u.sessionIds || []).length
        ? h("ul", { class: "inline-list" }, u.sessionIds.map((sid) => h("li", { dataset: { sessionId: sid } }, link(`#/sessions/${enc(sid)}`, sid))))
        : h("p", { class: "muted", text: "No sessions." })),
    h("section", { class: "block" }, h("h3", { text: "Traces" }), tracesTable(u.traces || [])));
  root.appendChild(detail);
  setReady("user");
}
