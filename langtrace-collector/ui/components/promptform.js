// The form that creates a new version of a prompt from an existing one: the text (or
// each chat message's role and content, placeholders by name; messages can be added and
// removed), the config as JSON, labels and a commit message. The server validates; its
// message is shown when it refuses.

import { h } from "../dom.js";
import { safeStringify } from "../format.js";
import { sendJson } from "../api.js";

/** One editable chat message (or placeholder) row; `read()` gives it back as the API spells it. */
function messageRow(message, onRemove) {
  const remove = h("button", { type: "button", class: "link", text: "remove", onClick: () => onRemove(row) });
  let row;
  if (message.type === "placeholder") {
    const name = h("input", { name: "placeholder", value: String(message.name ?? ""), "data-testid": "edit-placeholder" });
    row = h("div", { class: "edit-message" }, h("span", { class: "muted", text: "placeholder" }), name, remove);
    row.read = () => ({ type: "placeholder", name: name.value.trim() });
  } else {
    const role = h("input", { name: "role", value: String(message.role ?? "user"), list: "prompt-roles", class: "edit-role" });
    const content = h("textarea", { name: "content", rows: 3, "data-testid": "edit-content" });
    content.value = typeof message.content === "string" ? message.content : safeStringify(message.content);
    row = h("div", { class: "edit-message" }, role, content, remove);
    row.read = () => ({ role: role.value.trim(), content: content.value });
  }
  return row;
}

/** The JSON of `text`, or throws naming the field. */
function parseConfig(text) {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`config is not JSON: ${error.message}`);
  }
}

/**
 * A form creating a new version of prompt `name` from `base` (a version as the API gives
 * it); `onCreated(version)` runs with the stored version.
 */
export function newVersionForm(name, base, onCreated) {
  const status = h("span", { class: "form-status", "data-testid": "new-version-status" });
  let body;
  let readPrompt;
  if (base.type === "chat" && Array.isArray(base.prompt)) {
    const rows = h("div", { class: "edit-messages" });
    const removeRow = (row) => row.remove();
    for (const message of base.prompt) rows.appendChild(messageRow(message, removeRow));
    body = h("div", null, rows,
      h("datalist", { id: "prompt-roles" }, ["system", "developer", "user", "assistant", "tool"].map((r) => h("option", { value: r }))),
      h("div", { class: "edit-actions" },
        h("button", { type: "button", text: "+ message", onClick: () => rows.appendChild(messageRow({ role: "user", content: "" }, removeRow)) }),
        h("button", { type: "button", text: "+ placeholder", onClick: () => rows.appendChild(messageRow({ type: "placeholder", name: "" }, removeRow)) })));
    readPrompt = () => [...rows.children].map((row) => row.read());
  } else {
    const text = h("textarea", { name: "prompt", rows: 8, class: "edit-text", "data-testid": "edit-text" });
    text.value = typeof base.prompt === "string" ? base.prompt : safeStringify(base.prompt);
    body = text;
    readPrompt = () => text.value;
  }
  const config = h("textarea", { name: "config", rows: 4, class: "edit-text" });
  config.value = base.config && Object.keys(base.config).length ? safeStringify(base.config, 2) : "";
  const labels = h("input", { name: "labels", placeholder: "labels, comma-separated (e.g. staging)", "data-testid": "edit-labels" });
  const message = h("input", { name: "commitMessage", placeholder: "commit message", maxlength: 500, "data-testid": "edit-commit-message", class: "wide" });
  const submit = h("button", { type: "submit", class: "primary", text: "Create version", "data-testid": "create-version" });
  const form = h("form", { class: "prompt-form", "data-testid": "new-version-form" },
    h("div", { class: "muted", text: `A new version of ${name}, from version ${base.version}. Tags are shared by every version.` }),
    body,
    h("label", { class: "stacked" }, "Config (JSON)", config),
    h("div", { class: "edit-actions" }, labels, message),
    h("div", { class: "edit-actions" }, submit, status));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    status.textContent = "saving…";
    try {
      const created = await sendJson("POST", "/api/public/v2/prompts", {
        name,
        type: base.type || "text",
        prompt: readPrompt(),
        config: parseConfig(config.value),
        labels: labels.value.split(",").map((l) => l.trim()).filter(Boolean),
        commitMessage: message.value.trim() || undefined,
      });
      status.textContent = `created version ${created.version}`;
      onCreated(created);
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error-text");
      submit.disabled = false;
    }
  });
  return form;
}
