// The header's selectors: the project selector (every project signed in to in this tab,
// and "add a project"), and the environment selector that filters every page.

import { clear, h } from "../dom.js";
import { api } from "../api.js";
import { parseHash, route } from "../router.js";
import {
  credentials, environmentsLoaded, isCurrent, projectLoaded, setEnvironment, signedInProjects, state, switchProject,
} from "../state.js";

/** Loads the current project and its environments into the header (both at once),
 * unless loaded already. */
export async function loadHeader(token) {
  const [projects, environments] = await Promise.all([
    state.project ? null : api("/api/public/projects"),
    state.environments ? null : api("/api/public/environments").catch(() => ({ data: [] })),
  ]);
  if (!isCurrent(token)) return;
  if (projects) {
    projectLoaded((projects.data && projects.data[0]) || { name: "?" });
    renderProjects();
  }
  if (environments) {
    environmentsLoaded((environments.data || []).map((e) => e.name));
    fillEnvironments();
  }
}

/** Reloads the page when another environment is chosen (list pages back to page 1). */
export function watchEnvironment() {
  document.querySelector("select[data-testid=environment]").addEventListener("change", (event) => {
    setEnvironment(event.target.value);
    const { parts } = parseHash();
    const page = parts[0] || "traces";
    const target = parts.length === 1 && page !== "dashboard" ? `#/${page}` : location.hash;
    if (target !== location.hash) location.hash = target;
    else route();
  });
}

function renderProjects() {
  const active = credentials();
  const known = signedInProjects();
  if (!known.some((p) => p.auth === active)) known.push({ name: state.project.name, auth: active });
  const select = h("select", { "data-testid": "project" },
    known.map((p, i) => h("option", { value: String(i), text: p.name, selected: p.auth === active })),
    h("option", { value: "add", text: "+ add a project…" }));
  select.addEventListener("change", () => {
    if (select.value === "add") {
      location.hash = "#/signin?add=1";
      return;
    }
    // Not remembered: the current project (its keys predate the list), nothing to switch.
    switchProject(known[Number(select.value)].name);
    location.hash = "#/traces";
    route();
  });
  const el = clear(document.getElementById("project"));
  el.appendChild(h("label", { class: "env" }, "Project ", select));
}

function fillEnvironments() {
  const select = document.querySelector("select[data-testid=environment]");
  clear(select);
  select.appendChild(h("option", { value: "", text: "all environments" }));
  const names = [...(state.environments || [])];
  if (state.environment && !names.includes(state.environment)) names.push(state.environment);
  for (const name of names) select.appendChild(h("option", { value: name, text: name }));
  select.value = state.environment;
}
