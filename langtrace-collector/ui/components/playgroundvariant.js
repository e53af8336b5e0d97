// One playground variant (a window of the side-by-side view): its own model and
// parameters, messages, variables and placeholders, tools and structured-output schema;
// its run, streamed into its output as it arrives (every output as text); the run's
// usage, cost, latency and time to first token, with a link to its trace; and "save as
// prompt version". The window's `data-state` (idle, running, done, error) and the
// run's start and end (`data-started`, `data-finished`, from `performance.now()`) say
// where it is.

import { h } from "../dom.js";
import { enc, fmtCost, fmtNumber } from "../format.js";
import { compileMessages, inputsEditor } from "./playgroundinputs.js";
import { messagesEditor } from "./playgroundmessages.js";
import { paramsEditor } from "./playgroundparams.js";
import { saveForm } from "./playgroundsave.js";
import { runChat } from "./playgroundstream.js";
import { outputSchemaEditor, toolsEditor } from "./playgroundtools.js";

/** The state of an empty variant. */
export const EMPTY_STATE = { messages: [{ role: "system", content: "You are a helpful assistant." }, { role: "user", content: "" }] };

const fmtMs = (value) => (typeof value === "number" ? `${fmtNumber(Math.round(value))} ms` : "");

/** The facts of a finished run, as a list. */
function runFacts(facts) {
  const usage = facts.usage || {};
  const rows = [
    ["model", facts.model],
    ["tokens", usage.total !== undefined ? `${fmtNumber(usage.input)} → ${fmtNumber(usage.output)} (Σ ${fmtNumber(usage.total)})` : ""],
    ["cost", typeof facts.costUsd === "number" ? fmtCost(facts.costUsd) : "no price"],
    ["latency", fmtMs(facts.latencyMs)],
    ["first token", fmtMs(facts.timeToFirstTokenMs)],
    ["finish", facts.finishReason],
  ].filter(([, v]) => v);
  const trace = facts.traceId
    ? h("a", { href: `#/traces/${enc(facts.traceId)}${facts.observationId ? `?observation=${enc(facts.observationId)}` : ""}`, "data-testid": "pg-trace-link", text: "trace" })
    : null;
  return h("div", { class: "facts pg-facts", "data-testid": "pg-facts" },
    rows.map(([k, v]) => h("span", { class: "fact", dataset: { fact: k } }, h("span", { class: "muted", text: `${k} ` }), String(v))), trace);
}

/** A tool call of the answer, its arguments as text. */
function toolCallView(call) {
  return h("div", { class: "tool-block", "data-testid": "pg-tool-call", dataset: { tool: String(call.name ?? "") } },
    h("div", { class: "tool-label" }, h("span", { class: "muted", text: "tool call " }), h("strong", { text: String(call.name ?? "?") }), call.id ? h("code", { class: "call-id", text: String(call.id) }) : null),
    h("pre", { class: "json-pretty", text: String(call.arguments ?? "") }));
}

/**
 * A variant window numbered `number`, starting from `state` (see `EMPTY_STATE` and
 * `playgroundopen.js`), for `connections`. `actions` = {duplicate(state), remove()}.
 * Returns `{element, run(), snapshot()}`: `run()` resolves when the run ends,
 * `snapshot()` gives the variant's state (to duplicate it).
 */
export function variantWindow(number, state, connections, actions) {
  let prompt = state.prompt || null;
  const inputs = inputsEditor(state);
  const messages = messagesEditor(state.messages || EMPTY_STATE.messages, () => inputs.update(messages.read()));
  inputs.update(messages.read());
  const params = paramsEditor(connections, state);
  const toolEditor = toolsEditor(state.tools || []);
  const schemaEditor = outputSchemaEditor(state.structuredOutputSchema || null);

  const output = h("div", { class: "text pg-output", "data-testid": "pg-output" });
  const calls = h("div", { class: "pg-calls" });
  const facts = h("div");
  const error = h("div", { class: "error-text", "data-testid": "pg-error" });
  const runButton = h("button", { type: "button", class: "primary", text: "Run", "data-testid": "pg-run" });
  const stopButton = h("button", { type: "button", text: "Stop", disabled: true, "data-testid": "pg-stop" });
  const promptNote = h("span", { class: "muted", "data-testid": "pg-prompt-link" });
  const showPrompt = () => { promptNote.textContent = prompt ? `linked to ${prompt.name} v${prompt.version}` : ""; };
  showPrompt();

  const setup = () => {
    const { modelParams, streaming } = params.read();
    return { modelParams, streaming, tools: toolEditor.read(), structuredOutputSchema: schemaEditor.read() };
  };
  const saveSlot = h("div");
  const saveButton = h("button", { type: "button", text: "Save as prompt version", "data-testid": "pg-save", onClick: () => {
    saveSlot.replaceChildren(saveForm(() => ({ template: messages.read(), setup: setup() }), prompt && prompt.name, (saved) => { prompt = saved; showPrompt(); }));
  } });

  const element = h("section", { class: "pg-variant", "data-testid": "pg-variant", dataset: { variant: number, state: "idle" } },
    h("div", { class: "panel-head" }, h("h2", { text: `Variant ${number}` }), promptNote,
      h("span", { class: "spacer" }),
      h("button", { type: "button", class: "link", text: "duplicate", "data-testid": "pg-duplicate", onClick: () => actions.duplicate(snapshot()) }),
      h("button", { type: "button", class: "link", text: "remove", "data-testid": "pg-remove", onClick: () => actions.remove() })),
    params.element, messages.element, inputs.element, toolEditor.element, schemaEditor.element,
    h("div", { class: "edit-actions" }, runButton, stopButton, saveButton),
    saveSlot, error, output, calls, facts);

  let controller = null;
  const run = async () => {
    if (controller) return;
    output.textContent = "";
    calls.replaceChildren();
    facts.replaceChildren();
    error.textContent = "";
    let body;
    try {
      const chosen = setup();
      const { variables, placeholders } = inputs.values();
      body = {
        messages: compileMessages(messages.read(), variables, placeholders),
        modelParams: chosen.modelParams,
        streaming: chosen.streaming,
        ...(chosen.tools.length ? { tools: chosen.tools } : {}),
        ...(chosen.structuredOutputSchema ? { structuredOutputSchema: chosen.structuredOutputSchema } : {}),
        ...(prompt ? { prompt } : {}),
      };
    } catch (e) {
      error.textContent = e.message;
      element.dataset.state = "error";
      return;
    }
    controller = new AbortController();
    element.dataset.state = "running";
    element.dataset.started = String(performance.now());
    delete element.dataset.finished;
    runButton.disabled = true;
    stopButton.disabled = false;
    await runChat(body, {
      onDelta: (text) => output.appendChild(document.createTextNode(text)),
      onToolCall: (call) => calls.appendChild(toolCallView(call)),
      onDone: (result) => { facts.replaceChildren(runFacts(result)); element.dataset.state = "done"; },
      onError: (message, status) => { error.textContent = status ? `${status}: ${message}` : message; element.dataset.state = "error"; },
    }, controller.signal);
    element.dataset.finished = String(performance.now());
    controller = null;
    runButton.disabled = false;
    stopButton.disabled = true;
  };
  runButton.addEventListener("click", run);
  stopButton.addEventListener("click", () => controller && controller.abort());

  const snapshot = () => {
    let chosen = {};
    try { chosen = params.read(); } catch { /* an incomplete model: the copy starts without it */ }
    let tools = [];
    try { tools = toolEditor.read(); } catch { /* invalid tools are not copied */ }
    let structuredOutputSchema = null;
    try { structuredOutputSchema = schemaEditor.read(); } catch { /* nor an invalid schema */ }
    const mp = chosen.modelParams || {};
    const { provider, model, ...rest } = mp;
    return { messages: messages.read(), provider, model, params: rest, streaming: chosen.streaming, tools, structuredOutputSchema, prompt, ...inputs.values() };
  };
  return { element, run, snapshot };
}
