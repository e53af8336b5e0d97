// The project's LLM connections, managed from the playground: listed (provider, adapter,
// the masked key, base URL, models), added or replaced (upsert by provider), tested
// (a one-token completion: its model and latency, or the provider's message) and
// deleted. A secret typed here is sent once and never shown again: the list only ever
// has the server's masked form (`displaySecretKey`).

import { h } from "../dom.js";
import { enc, fmtNumber } from "../format.js";
import { api, request, sendJson } from "../api.js";

const CONNECTIONS_PATH = "/api/public/llm-connections";

/** Every connection of the project (pages of 100 until the last). */
export async function loadConnections() {
  const all = [];
  for (let page = 1; ; page += 1) {
    const answer = await api(CONNECTIONS_PATH, { page, limit: 100 });
    all.push(...(answer.data || []));
    if (page >= ((answer.meta && answer.meta.totalPages) || 1)) return all;
  }
}

/** Tests connection `id`; a line saying how it went. */
async function testConnection(id) {
  const response = await request(`${CONNECTIONS_PATH}/${enc(id)}/test`, { method: "POST" });
  const answer = await response.json().catch(() => ({}));
  if (response.ok && answer.ok) return { ok: true, text: `ok: ${answer.model} answered in ${fmtNumber(answer.latencyMs)} ms` };
  return { ok: false, text: `${response.status}: ${answer.message || response.statusText}` };
}

function connectionRow(connection, onChanged) {
  const status = h("span", { class: "form-status", "data-testid": "connection-status" });
  const test = h("button", { type: "button", text: "Test", "data-testid": "connection-test", onClick: async () => {
    test.disabled = true;
    status.classList.remove("error-text");
    status.textContent = "testing…";
    try {
      const result = await testConnection(connection.id);
      status.textContent = result.text;
      status.classList.toggle("error-text", !result.ok);
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error-text");
    }
    test.disabled = false;
  } });
  const remove = h("button", { type: "button", text: "Delete", "data-testid": "connection-delete", onClick: async () => {
    if (!confirm(`Delete the connection ${connection.provider}?`)) return;
    try {
      await sendJson("DELETE", `${CONNECTIONS_PATH}/${enc(connection.id)}`);
      onChanged();
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error-text");
    }
  } });
  return h("tr", { dataset: { provider: connection.provider } },
    h("td", { text: connection.provider }), h("td", { text: connection.adapter }),
    h("td", null, h("code", { "data-testid": "connection-secret", text: connection.displaySecretKey || "" })),
    h("td", { text: connection.baseURL || "(default)" }),
    h("td", { text: [...(connection.customModels || []), connection.withDefaultModels ? "+ defaults" : null].filter(Boolean).join(", ") }),
    h("td", null, test, " ", remove, " ", status));
}

/** The add (or replace) form; `onSaved()` once stored. */
function connectionForm(onSaved) {
  const provider = h("input", { placeholder: "provider (its name here)", required: true, "data-testid": "connection-provider" });
  const adapter = h("select", { "data-testid": "connection-adapter" }, ["openai", "anthropic"].map((a) => h("option", { value: a, text: a })));
  const secret = h("input", { type: "password", placeholder: "API key", required: true, autocomplete: "off", "data-testid": "connection-secret-input" });
  const baseUrl = h("input", { placeholder: "base URL (optional)", class: "wide", "data-testid": "connection-base-url" });
  const models = h("input", { placeholder: "models, comma-separated", "data-testid": "connection-models" });
  const defaults = h("input", { type: "checkbox", checked: true });
  const status = h("span", { class: "form-status", "data-testid": "connection-form-status" });
  const form = h("form", { class: "prompt-form", "data-testid": "connection-form" },
    h("div", { class: "edit-actions" }, provider, adapter, secret, baseUrl),
    h("div", { class: "edit-actions" }, models, h("label", { class: "inline" }, defaults, "with the adapter's default models"),
      h("button", { type: "submit", class: "primary", text: "Save connection", "data-testid": "connection-save" }), status));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.classList.remove("error-text");
    try {
      const body = {
        provider: provider.value.trim(), adapter: adapter.value, secretKey: secret.value,
        customModels: models.value.split(",").map((m) => m.trim()).filter(Boolean), withDefaultModels: defaults.checked,
      };
      if (baseUrl.value.trim()) body.baseURL = baseUrl.value.trim();
      await sendJson("PUT", CONNECTIONS_PATH, body);
      // Sent once: the field is emptied, the list shows the masked form only.
      secret.value = "";
      onSaved();
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error-text");
    }
  });
  return form;
}

/** The connections section for `connections`; `onChanged()` after an add or a delete. */
export function connectionsSection(connections, onChanged) {
  const table = connections.length
    ? h("div", { class: "table-wrap" }, h("table", { class: "grid", "data-testid": "connections-table" },
      h("thead", null, h("tr", null, ["provider", "adapter", "key", "base URL", "models", ""].map((c) => h("th", { text: c })))),
      h("tbody", null, connections.map((c) => connectionRow(c, onChanged)))))
    : h("p", { class: "muted", "data-testid": "connections-empty", text: "No LLM connection yet: add one to run the playground." });
  return h("details", { class: "block pg-connections", open: !connections.length, "data-testid": "connections" },
    h("summary", null, h("strong", { text: `Connections (${connections.length})` })),
    table, connectionForm(onChanged));
}
