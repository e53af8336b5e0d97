// What a playground template takes before it runs: its `{{variables}}` (detected with
// Langfuse's rule, as the prompt pages do: `{{name}}`, the name a letter then letters,
// digits or `_`) each filled with a text, and its placeholders each filled with a JSON
// list of messages; and the compile that turns the template into the messages sent.

import { h } from "../dom.js";
import { inputsOf } from "./template.js";

const VARIABLE_RE = /\{\{([^{}]*)\}\}/g;

/** The variables and placeholder names of a messages template. */
export function templateInputs(messages) {
  return inputsOf({ type: "chat", prompt: messages });
}

/**
 * The messages a template compiles to: each variable of a message's text replaced by its
 * value (an empty one by the empty text), each placeholder by its messages (none when
 * left empty). Throws naming the placeholder whose value is not a JSON list of messages.
 */
export function compileMessages(messages, variables, placeholders) {
  const names = new Set(templateInputs(messages).variables);
  const fill = (text) => text.replace(VARIABLE_RE, (whole, inner) => {
    const name = inner.trim();
    return names.has(name) ? String(variables[name] ?? "") : whole;
  });
  const out = [];
  for (const message of messages) {
    if (message.type === "placeholder") {
      out.push(...placeholderMessages(message.name, placeholders[message.name]));
    } else {
      out.push({ ...message, content: typeof message.content === "string" ? fill(message.content) : message.content });
    }
  }
  return out;
}

function placeholderMessages(name, text) {
  if (!text || !text.trim()) return [];
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`placeholder ${name}: not JSON (${error.message})`);
  }
  if (!Array.isArray(value) || !value.every((m) => m && typeof m === "object" && typeof m.role === "string")) {
    throw new Error(`placeholder ${name}: not a list of messages ({"role": ..., "content": ...})`);
  }
  return value;
}

/**
 * The inputs panel: a field per variable and per placeholder of the template, kept
 * across edits. `update(messages)` redraws it for the template's current inputs;
 * `values()` gives `{variables, placeholders}` (name to text).
 */
export function inputsEditor(initial = {}) {
  const variables = { ...(initial.variables || {}) };
  const placeholders = { ...(initial.placeholders || {}) };
  const element = h("div", { class: "pg-inputs", "data-testid": "pg-inputs" });
  const update = (messages) => {
    const found = templateInputs(messages);
    element.replaceChildren(...[
      h("div", { class: "muted", text: found.variables.length ? "Variables" : "Variables: none (write {{name}} in a message)" }),
      found.variables.map((name) => h("label", { class: "pg-variable", dataset: { variable: name } },
        h("code", { class: "prompt-var", text: name }),
        h("input", { value: variables[name] ?? "", "data-testid": "pg-variable", dataset: { name }, onInput: (e) => { variables[name] = e.target.value; } }))),
      found.placeholders.filter(Boolean).map((name) => h("label", { class: "stacked", dataset: { placeholder: name } },
        h("span", null, "Placeholder ", h("code", { text: name }), " (a JSON list of messages)"),
        h("textarea", { rows: 2, class: "edit-text", "data-testid": "pg-placeholder-value", onInput: (e) => { placeholders[name] = e.target.value; } }, placeholders[name] ?? ""))),
    ].flat());
  };
  const values = () => ({ variables: { ...variables }, placeholders: { ...placeholders } });
  return { element, update, values };
}
