// A playground variant's model and parameters: the LLM connection (by provider) and the
// model (the connection's own models offered), temperature, max tokens, top p, stop
// sequences, seed, presence and frequency penalties, and streaming. Empty fields are
// left out of the request, so the provider's defaults apply.

import { h } from "../dom.js";

/** The numeric parameters: the request's name, the label, the input's bounds and step, and whether it is an integer. */
const NUMBERS = [
  ["temperature", "temperature", 0, 2, 0.1],
  ["max_tokens", "max tokens", 1, undefined, 1],
  ["top_p", "top p", 0, 1, 0.05],
  ["seed", "seed", undefined, undefined, 1],
  ["presence_penalty", "presence penalty", -2, 2, 0.1],
  ["frequency_penalty", "frequency penalty", -2, 2, 0.1],
];

/** The parameters the playground sets (the names of `modelParams` besides provider and model). */
export const PARAMETER_NAMES = [...NUMBERS.map(([name]) => name), "stop"];

/**
 * The model editor for `connections` (as the API lists them), starting from `initial`
 * ({provider, model, params: {temperature, ..., stop: [..]}, streaming}). Returns
 * `{element, read()}`; `read()` gives `{modelParams, streaming}` or throws naming the
 * field that is missing or out of range.
 */
export function paramsEditor(connections, initial) {
  const providers = connections.map((c) => c.provider);
  const provider = h("select", { "data-testid": "pg-provider" },
    providers.length ? providers.map((p) => h("option", { value: p, text: p })) : h("option", { value: "", text: "(no connection)" }));
  if (initial.provider && providers.includes(initial.provider)) provider.value = initial.provider;
  const listId = `pg-models-${Math.random().toString(36).slice(2)}`;
  const models = h("datalist", { id: listId });
  const fillModels = () => {
    const connection = connections.find((c) => c.provider === provider.value);
    models.replaceChildren(...((connection && connection.customModels) || []).map((m) => h("option", { value: m })));
  };
  provider.addEventListener("change", fillModels);
  fillModels();
  const firstModel = () => models.firstChild?.value ?? "";
  const model = h("input", { value: initial.model || firstModel(), list: listId, placeholder: "model", "data-testid": "pg-model" });
  const params = initial.params || {};
  const fields = NUMBERS.map(([name, label, min, max, step]) => {
    const input = h("input", { type: "number", step, min, max, value: params[name] ?? "", "data-testid": `pg-param-${name}`, class: "pg-number" });
    return { name, label, min, max, integer: step === 1, input, element: h("label", { class: "inline" }, label, input) };
  });
  const stop = h("input", { value: (params.stop || []).join(", "), placeholder: "stop, comma-separated", "data-testid": "pg-param-stop" });
  const streaming = h("input", { type: "checkbox", checked: initial.streaming !== false, "data-testid": "pg-streaming" });
  const element = h("div", { class: "pg-params" },
    h("div", { class: "edit-actions" }, h("label", { class: "inline" }, "connection", provider), h("label", { class: "inline" }, "model", model), models),
    h("div", { class: "edit-actions" }, fields.map((f) => f.element), h("label", { class: "inline" }, "stop", stop), h("label", { class: "inline" }, streaming, "stream")));
  const read = () => {
    if (!provider.value) throw new Error("no LLM connection: add one under Connections");
    if (!model.value.trim()) throw new Error("model: give a model name");
    const modelParams = { provider: provider.value, model: model.value.trim() };
    for (const f of fields) {
      if (f.input.value === "") continue;
      const value = Number(f.input.value);
      const outside = (f.min !== undefined && value < f.min) || (f.max !== undefined && value > f.max);
      if (!Number.isFinite(value) || outside || (f.integer && !Number.isInteger(value))) {
        throw new Error(`${f.label}: ${f.input.value} is not ${f.integer ? "an integer" : "a number"}${f.min !== undefined ? ` from ${f.min}` : ""}${f.max !== undefined ? ` to ${f.max}` : ""}`);
      }
      modelParams[f.name] = value;
    }
    const stops = stop.value.split(",").map((s) => s.trim()).filter(Boolean);
    if (stops.length) modelParams.stop = stops;
    return { modelParams, streaming: streaming.checked };
  };
  return { element, read };
}
