// The playground's messages editor: a template of chat messages (a role and a text each)
// and placeholders (a name, filled with a list of messages at run time), added, removed
// and reordered. What a message carries besides its text (an assistant's tool calls, a
// tool result's call id and name) is kept as it came and shown, not edited. Text is
// data: the editor uses form fields and textContent only.

import { h } from "../dom.js";
import { safeStringify } from "../format.js";

/** The roles a message can take. */
export const ROLES = ["system", "developer", "user", "assistant", "tool"];

const isPlaceholder = (m) => m && m.type === "placeholder";

/** A short description of an assistant's tool calls, for the row. */
function toolCallsNote(calls) {
  return calls.map((c) => `${c.function?.name ?? "?"}(${c.function?.arguments ?? ""})`).join(", ");
}

/** One editable row; `row.read()` gives the message (or placeholder) back. */
function messageRow(message, onChange) {
  const remove = h("button", { type: "button", class: "link", text: "remove", "data-testid": "pg-remove-message", onClick: () => { row.remove(); onChange(); } });
  const up = h("button", { type: "button", class: "link", text: "↑", title: "move up", onClick: () => { if (row.previousElementSibling) row.parentNode.insertBefore(row, row.previousElementSibling); onChange(); } });
  let row;
  if (isPlaceholder(message)) {
    const name = h("input", { value: String(message.name ?? ""), placeholder: "placeholder name", "data-testid": "pg-placeholder-name", onInput: onChange });
    row = h("div", { class: "pg-message placeholder-message", "data-testid": "pg-message", dataset: { kind: "placeholder" } },
      h("span", { class: "muted", text: "placeholder" }), name, h("span", null, up, " ", remove));
    row.read = () => ({ type: "placeholder", name: name.value.trim() });
    return row;
  }
  const role = h("select", { class: "pg-role", "data-testid": "pg-role", onChange },
    ROLES.map((r) => h("option", { value: r, text: r, selected: r === message.role })));
  if (!ROLES.includes(message.role)) role.value = "user";
  const content = h("textarea", { rows: 3, class: "edit-text", "data-testid": "pg-content", onInput: onChange });
  content.value = typeof message.content === "string" ? message.content : message.content == null ? "" : safeStringify(message.content);
  const extras = {};
  for (const key of ["tool_calls", "tool_call_id", "name"]) if (message[key] !== undefined && message[key] !== null) extras[key] = message[key];
  const notes = [
    Array.isArray(extras.tool_calls) && extras.tool_calls.length ? `tool calls: ${toolCallsNote(extras.tool_calls)}` : null,
    extras.tool_call_id ? `result of call ${extras.tool_call_id}` : null,
  ].filter(Boolean);
  row = h("div", { class: "pg-message", "data-testid": "pg-message", dataset: { kind: "message" } },
    role,
    h("div", null, content, notes.length ? h("div", { class: "muted pg-note", text: notes.join(" · ") }) : null),
    h("span", null, up, " ", remove));
  row.read = () => ({ role: role.value, content: content.value, ...extras });
  return row;
}

/**
 * A messages editor holding `messages` (chat messages and placeholders); `onChange()`
 * runs on every edit. Returns `{element, read()}`, `read()` giving the template back.
 */
export function messagesEditor(messages, onChange) {
  const rows = h("div", { class: "pg-messages", "data-testid": "pg-messages" });
  const add = (message) => { rows.appendChild(messageRow(message, onChange)); onChange(); };
  for (const message of messages) rows.appendChild(messageRow(message, onChange));
  const element = h("div", null, rows,
    h("div", { class: "edit-actions" },
      h("button", { type: "button", text: "+ message", "data-testid": "pg-add-message", onClick: () => add({ role: "user", content: "" }) }),
      h("button", { type: "button", text: "+ placeholder", "data-testid": "pg-add-placeholder", onClick: () => add({ type: "placeholder", name: "" }) })));
  return { element, read: () => [...rows.children].map((row) => row.read()) };
}
