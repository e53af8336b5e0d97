// A playground variant's tools (each a name, a description and its parameters as a JSON
// Schema) and its structured-output schema (a name, an optional description and a JSON
// Schema). The JSON is checked in the browser as it is typed: what does not parse, or
// is not a schema object, is shown under its field and stops the run.

import { h } from "../dom.js";
import { safeStringify } from "../format.js";

// OpenAI's rule for function and schema names.
const NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** The schema object of `text`, or throws saying why it is not one. */
export function parseSchema(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${error.message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("a JSON Schema is an object");
  if (value.type !== undefined && typeof value.type !== "string" && !Array.isArray(value.type)) throw new Error("\"type\" is a string or a list of strings");
  return value;
}

/** A JSON Schema field checked as typed: `{element, read()}`, `read()` throwing with `label` in the message. */
function schemaField(label, value) {
  const area = h("textarea", { rows: 5, class: "edit-text", "data-testid": "pg-schema" });
  area.value = value === undefined ? '{\n  "type": "object",\n  "properties": {}\n}' : safeStringify(value, 2);
  const error = h("div", { class: "error-text pg-json-error", "data-testid": "pg-json-error" });
  const check = () => {
    try {
      parseSchema(area.value);
      error.textContent = "";
      area.classList.remove("invalid");
    } catch (e) {
      error.textContent = `${label}: ${e.message}`;
      area.classList.add("invalid");
    }
  };
  area.addEventListener("input", check);
  check();
  const read = () => {
    try {
      return parseSchema(area.value);
    } catch (e) {
      throw new Error(`${label}: ${e.message}`);
    }
  };
  return { element: h("div", null, area, error), read };
}

/** A name input checked against OpenAI's rule; `read()` throws with `label`. */
function nameField(label, value, testid) {
  const input = h("input", { value: value || "", placeholder: label, "data-testid": testid });
  const read = () => {
    const name = input.value.trim();
    if (!NAME_RE.test(name)) throw new Error(`${label}: letters, digits, _ or -, 1 to 64 of them`);
    return name;
  };
  return { input, read };
}

function toolRow(tool, onRemove) {
  const name = nameField("tool name", tool.name, "pg-tool-name");
  const description = h("input", { value: tool.description || "", placeholder: "description", class: "wide", "data-testid": "pg-tool-description" });
  const schema = schemaField(`tool ${tool.name || "(unnamed)"} parameters`, tool.parameters);
  const row = h("div", { class: "pg-tool", "data-testid": "pg-tool" },
    h("div", { class: "edit-actions" }, name.input, description, h("button", { type: "button", class: "link", text: "remove", onClick: () => { row.remove(); onRemove(); } })),
    schema.element);
  row.read = () => ({ name: name.read(), description: description.value, parameters: schema.read() });
  return row;
}

/** The tools editor, starting from `tools` ([{name, description, parameters}]): `{element, read()}`. */
export function toolsEditor(tools) {
  const rows = h("div", { class: "pg-tools" });
  const noop = () => {};
  for (const tool of tools) rows.appendChild(toolRow(tool, noop));
  const element = h("details", { class: "pg-section", open: tools.length > 0, "data-testid": "pg-tools" },
    h("summary", { text: "Tools" }), rows,
    h("button", { type: "button", text: "+ tool", "data-testid": "pg-add-tool", onClick: () => rows.appendChild(toolRow({}, noop)) }));
  return { element, read: () => [...rows.children].map((row) => row.read()) };
}

/** The structured-output editor, starting from `schema` ({name, description, schema} or null): `{element, read()}`, null when off. */
export function outputSchemaEditor(schema) {
  const on = h("input", { type: "checkbox", checked: Boolean(schema), "data-testid": "pg-structured" });
  const name = nameField("schema name", schema?.name || "answer", "pg-schema-name");
  const description = h("input", { value: schema?.description || "", placeholder: "description (optional)", class: "wide" });
  const field = schemaField("structured output schema", schema?.schema);
  const element = h("details", { class: "pg-section", open: Boolean(schema), "data-testid": "pg-output-schema" },
    h("summary", { text: "Structured output" }),
    h("div", { class: "edit-actions" }, h("label", { class: "inline" }, on, "answer in this schema"), name.input, description),
    field.element);
  const read = () => {
    if (!on.checked) return null;
    return { name: name.read(), ...(description.value.trim() ? { description: description.value.trim() } : {}), schema: field.read() };
  };
  return { element, read };
}
