// "Save as prompt version": a variant's template (messages and placeholders, variables
// kept as `{{name}}`) stored as a new version of a chosen prompt, chat or text, with a
// commit message and labels, through `POST /api/public/v2/prompts`. The model, its
// parameters, tools and structured-output schema go into the version's config, so that
// opening the version in the playground brings them back.

import { h } from "../dom.js";
import { api, sendJson } from "../api.js";
import { promptHref } from "../pages/prompt.js";

/** The body of the new version, or throws saying why the template cannot be one of `type`. */
export function promptVersionBody(name, type, template, setup, commitMessage, labels) {
  if (!name) throw new Error("prompt name: give the prompt's name");
  let prompt;
  if (type === "text") {
    if (template.length !== 1 || template[0].type === "placeholder") throw new Error("a text prompt is one message: keep one message, or save as chat");
    prompt = String(template[0].content ?? "");
  } else {
    prompt = template.map((m) => (m.type === "placeholder" ? { type: "placeholder", name: m.name } : { role: m.role, content: m.content }));
  }
  const { provider: _provider, ...modelConfig } = setup.modelParams;
  const config = { ...modelConfig };
  if (setup.tools.length) config.tools = setup.tools;
  if (setup.structuredOutputSchema) config.structuredOutputSchema = setup.structuredOutputSchema;
  return { name, type, prompt, config, labels, ...(commitMessage ? { commitMessage } : {}) };
}

/**
 * The save form of a variant: `read()` gives `{template, setup}` (or throws with what is
 * wrong), `defaultName` fills the name, `onSaved({name, version})` runs once stored.
 */
export function saveForm(read, defaultName, onSaved) {
  const names = h("datalist", { id: `pg-prompt-names-${Math.random().toString(36).slice(2)}` });
  api("/api/public/v2/prompts", { limit: 100 }).then((r) => names.replaceChildren(...(r.data || []).map((p) => h("option", { value: p.name }))), () => {});
  const name = h("input", { value: defaultName || "", placeholder: "prompt name", list: names.id, "data-testid": "pg-save-name" });
  const type = h("select", { "data-testid": "pg-save-type" }, h("option", { value: "chat", text: "chat" }), h("option", { value: "text", text: "text" }));
  const message = h("input", { placeholder: "commit message", maxlength: 500, class: "wide", "data-testid": "pg-save-message" });
  const labels = h("input", { placeholder: "labels, comma-separated", "data-testid": "pg-save-labels" });
  const status = h("span", { class: "form-status", "data-testid": "pg-save-status" });
  const submit = h("button", { type: "submit", class: "primary", text: "Save version", "data-testid": "pg-save-submit" });
  const form = h("form", { class: "prompt-form", "data-testid": "pg-save-form" },
    h("div", { class: "edit-actions" }, name, names, type, labels),
    h("div", { class: "edit-actions" }, message, submit, status));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.classList.remove("error-text");
    submit.disabled = true;
    try {
      const { template, setup } = read();
      const body = promptVersionBody(name.value.trim(), type.value, template, setup, message.value.trim(),
        labels.value.split(",").map((l) => l.trim()).filter(Boolean));
      status.textContent = "saving…";
      const created = await sendJson("POST", "/api/public/v2/prompts", body);
      status.replaceChildren(h("span", { text: "saved as " }),
        h("a", { href: promptHref(created.name, created.version), "data-testid": "pg-saved-link", dataset: { version: created.version }, text: `${created.name} v${created.version}` }));
      onSaved({ name: created.name, version: created.version });
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error-text");
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
