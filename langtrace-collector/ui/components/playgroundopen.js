// "Open in playground": a traced generation or a prompt version turned into the state of
// a playground variant, as Langfuse's playground reads them: the input's chat messages
// (an array, or an object holding `messages`; other text as one user message), the
// model and its parameters, the tools (from the input, the model parameters or the
// metadata, in OpenAI's `{type: "function", function}` shape or flat) and the
// `response_format` JSON schema (model parameters or metadata) as the structured output.
// Also the addresses of the playground opened on either.

import { hashWith } from "../router.js";
import { ROLES } from "./playgroundmessages.js";
import { PARAMETER_NAMES } from "./playgroundparams.js";

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** The playground opened on observation `id` (a generation). */
export function generationPlaygroundHref(id) {
  return hashWith("/playground", { observation: id });
}

/** The playground opened on version `version` of prompt `name`. */
export function promptPlaygroundHref(name, version) {
  return hashWith("/playground", { prompt: name, version });
}

/** JSON text parsed, other values as they are (model parameters and metadata often hold JSON as text). */
function maybeJson(value) {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A message's content as the editor's text: text parts joined, other parts as JSON. */
function contentText(content) {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (isObject(p) && p.type === "text" ? String(p.text ?? "") : JSON.stringify(p))).join("\n");
  return JSON.stringify(content);
}

/** One message (or placeholder) of the editor from a traced or stored one. */
function editorMessage(m) {
  if (!isObject(m)) return { role: "user", content: contentText(m) };
  if (m.type === "placeholder") return { type: "placeholder", name: String(m.name ?? "") };
  const message = { role: ROLES.includes(m.role) ? m.role : "user", content: contentText(m.content) };
  if (Array.isArray(m.tool_calls) && m.tool_calls.length) message.tool_calls = m.tool_calls;
  if (m.tool_call_id) message.tool_call_id = String(m.tool_call_id);
  if (m.name) message.name = String(m.name);
  return message;
}

/** The chat messages of a generation's input. */
function inputMessages(input) {
  const value = maybeJson(input);
  if (Array.isArray(value)) return value.map(editorMessage);
  if (isObject(value) && Array.isArray(value.messages)) return value.messages.map(editorMessage);
  if (value === null || value === undefined) return [{ role: "user", content: "" }];
  return [{ role: "user", content: contentText(value) }];
}

/** The parameters the playground sets, from model parameters or a prompt config (numbers given as text accepted). */
function parameters(source) {
  const params = {};
  if (!isObject(source)) return params;
  for (const name of PARAMETER_NAMES) {
    const value = maybeJson(source[name]);
    if (name === "stop") {
      if (Array.isArray(value)) params.stop = value.map(String);
      else if (typeof value === "string" && value) params.stop = [value];
    } else if (value !== null && value !== "" && Number.isFinite(Number(value))) {
      params[name] = Number(value);
    }
  }
  return params;
}

/** Tools in the playground's shape ({name, description, parameters}) from OpenAI's or the flat shape. */
function tools(value) {
  const list = maybeJson(value);
  if (!Array.isArray(list)) return [];
  return list.map((t) => (isObject(t) && isObject(t.function) ? t.function : t))
    .filter((t) => isObject(t) && typeof t.name === "string")
    .map((t) => ({ name: t.name, description: String(t.description ?? ""), parameters: isObject(t.parameters) ? t.parameters : { type: "object", properties: {} } }));
}

/** The structured-output schema of an OpenAI `response_format` (json_schema), else null. */
function outputSchema(value) {
  const format = maybeJson(value);
  const schema = isObject(format) && format.type === "json_schema" && isObject(format.json_schema) ? format.json_schema : null;
  if (!schema || !isObject(schema.schema)) return null;
  return { name: String(schema.name || "answer"), ...(schema.description ? { description: String(schema.description) } : {}), schema: schema.schema };
}

/** The first of `values` that is not empty. */
function first(values, empty) {
  return values.find((v) => !empty(v)) ?? values[values.length - 1];
}

/** The connection to run `model` with: the first one listing it, else the first one. */
function providerFor(model, connections) {
  const listing = connections.find((c) => (c.customModels || []).includes(model));
  return (listing || connections[0] || {}).provider;
}

/** A variant's state from a generation as the observations API gives it. */
export function stateFromGeneration(observation, connections) {
  const input = maybeJson(observation.input);
  const modelParameters = isObject(observation.modelParameters) ? observation.modelParameters : {};
  const metadata = isObject(observation.metadata) ? observation.metadata : {};
  const model = observation.model || "";
  return {
    messages: inputMessages(input),
    model,
    provider: providerFor(model, connections),
    params: parameters(modelParameters),
    tools: first([tools(isObject(input) ? input.tools : null), tools(modelParameters.tools), tools(metadata.tools)], (l) => !l.length),
    structuredOutputSchema: outputSchema(modelParameters.response_format) || outputSchema(metadata.response_format),
    prompt: observation.promptName ? { name: observation.promptName, version: observation.promptVersion } : null,
  };
}

/** A variant's state from a prompt version as the prompts API gives it (resolved). */
export function stateFromPromptVersion(version, connections) {
  const config = isObject(version.config) ? version.config : {};
  const model = typeof config.model === "string" ? config.model : "";
  const messages = version.type === "chat" && Array.isArray(version.prompt)
    ? version.prompt.map(editorMessage)
    : [{ role: "user", content: contentText(version.prompt) }];
  return {
    messages,
    model,
    provider: providerFor(model, connections),
    params: parameters(config),
    tools: tools(config.tools),
    structuredOutputSchema: isObject(config.structuredOutputSchema) && isObject(config.structuredOutputSchema.schema)
      ? config.structuredOutputSchema : outputSchema(config.response_format),
    prompt: { name: version.name, version: version.version },
  };
}
