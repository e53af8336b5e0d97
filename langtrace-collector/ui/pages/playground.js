// The playground (`#/playground`, `?observation=<id>` to open a traced generation,
// `?prompt=<name>&version=N` to open a prompt version): up to four variants side by side,
// each its own model, messages and tools, run one at a time or all at once, their
// outputs streamed as they arrive; and the project's LLM connections. Every run is a
// trace in the environment `langtrace-playground`.

import { clear, h, pageRoot } from "../dom.js";
import { enc } from "../format.js";
import { api } from "../api.js";
import { setReady } from "../router.js";
import { isCurrent } from "../state.js";
import { connectionsSection, loadConnections } from "../components/playgroundconnections.js";
import { stateFromGeneration, stateFromPromptVersion } from "../components/playgroundopen.js";
import { EMPTY_STATE, variantWindow } from "../components/playgroundvariant.js";

/** Variants shown side by side at most. */
const MAX_VARIANTS = 4;

/** The first variant's state: the generation or prompt version the address names, else empty. */
async function openedState(query, connections) {
  const observation = query.get("observation");
  if (observation) return stateFromGeneration(await api(`/api/public/observations/${enc(observation)}`), connections);
  const prompt = query.get("prompt");
  if (prompt) {
    const version = await api(`/api/public/v2/prompts/${enc(prompt)}`, { version: query.get("version") || undefined });
    return stateFromPromptVersion(version, connections);
  }
  return EMPTY_STATE;
}

export async function playgroundPage(token, query) {
  const connections = await loadConnections();
  const opened = await openedState(query, connections);
  if (!isCurrent(token)) return;
  const page = { connections, states: [opened], windows: [] };
  const root = clear(pageRoot());
  const connectionsSlot = h("div");
  const grid = h("div", { class: "pg-grid", "data-testid": "pg-variants" });
  const addButton = h("button", { type: "button", text: "+ variant", "data-testid": "pg-add-variant" });
  const runAll = h("button", { type: "button", class: "primary", text: "Run all", "data-testid": "pg-run-all" });
  root.appendChild(h("div", { class: "page-head" }, h("h1", { text: "Playground" }), runAll, addButton,
    h("span", { class: "muted", text: "Runs are traced in the environment langtrace-playground." })));
  root.appendChild(connectionsSlot);
  root.appendChild(grid);

  const render = () => {
    page.windows = page.states.map((state, i) => variantWindow(i + 1, state, page.connections, {
      duplicate: (snapshot) => { keep(); page.states.splice(i + 1, 0, snapshot); trim(); render(); },
      remove: () => { keep(); page.states.splice(i, 1); if (!page.states.length) page.states.push(EMPTY_STATE); render(); },
    }));
    grid.replaceChildren(...page.windows.map((w) => w.element));
    grid.dataset.count = String(page.windows.length);
    addButton.disabled = page.windows.length >= MAX_VARIANTS;
    connectionsSlot.replaceChildren(connectionsSection(page.connections, async () => {
      keep();
      page.connections = await loadConnections();
      render();
    }));
  };
  // The windows' current states, so that a redraw keeps what was typed.
  const keep = () => { page.states = page.windows.map((w) => w.snapshot()); };
  const trim = () => { page.states = page.states.slice(0, MAX_VARIANTS); };
  addButton.addEventListener("click", () => {
    keep();
    page.states.push(page.states[page.states.length - 1]);
    trim();
    render();
  });
  runAll.addEventListener("click", async () => {
    runAll.disabled = true;
    await Promise.all(page.windows.map((w) => w.run()));
    runAll.disabled = false;
  });
  render();
  setReady("playground");
}
