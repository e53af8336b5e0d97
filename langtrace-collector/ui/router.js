// Routing: the hash URL grammar (`#/<page>/<id>?<query>`, parsed and built), the
// dispatch of the current hash to its page under a fresh navigation token, and the
// readiness marks pages set once they show their data. The pages themselves are handed
// over by main.js (`startRouter`), so that pages may import this module without a cycle.

import { clear, h, pageRoot } from "./dom.js";
import { Unauthorized } from "./api.js";
import { beginNavigation, closeTrace, credentials, isCurrent, signOut, state } from "./state.js";

/** The current hash: its path parts (decoded) and query. */
export function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch { return p; } });
  return { parts, query: new URLSearchParams(query) };
}

/** The hash of `path` with `params` (empty ones left out). */
export function hashWith(path, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") query.set(k, v);
  const text = query.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}

// Marks a page as showing its data: for tests (`data-ready`) and for the UI benchmark
// (a `ready:<name>` performance mark, timed from navigation start).
export function setReady(name) {
  document.body.dataset.ready = name;
  performance.mark(`ready:${name}`);
}

/** The page no longer shows all its data (it is loading more). */
export function unsetReady() {
  delete document.body.dataset.ready;
}

// Given by `startRouter`: {signIn(), header(token), pages: {name: {list(token, query), detail(token, id, query)}}}.
let routes = null;

/** Routes every hash change (and the current hash) to its page. */
export function startRouter(table) {
  routes = table;
  window.addEventListener("hashchange", route);
  if (!location.hash || location.hash === "#" || location.hash === "#/") {
    history.replaceState(null, "", credentials() ? "#/traces" : "#/signin");
  }
  route();
}

/** Shows the page of the current hash. */
export async function route() {
  const token = beginNavigation();
  unsetReady();
  const { parts, query } = parseHash();
  const page = parts[0] || "";
  if (page === "signout") {
    signOut();
    location.hash = "#/signin";
    return;
  }
  if (!credentials() || page === "signin") {
    // Signed in already: the sign-in page only adds another project.
    if (credentials() && page === "signin" && !query.get("add")) { location.hash = "#/traces"; return; }
    closeTrace();
    routes.signIn();
    return;
  }
  // Same trace, other observation: select in place.
  const shown = state.trace;
  if (page === "traces" && parts[1] && shown && shown.id === parts[1] && document.querySelector("[data-testid=trace-detail]")) {
    shown.select(query.get("observation") || null, true);
    if (!shown.loading) setReady("trace");
    return;
  }
  closeTrace();
  document.getElementById("header").classList.remove("hidden");
  for (const a of document.querySelectorAll("[data-nav]")) a.classList.toggle("active", a.dataset.nav === (page || "traces"));
  const root = clear(pageRoot());
  root.appendChild(h("div", { class: "loading", text: "Loading…" }));
  try {
    await routes.header(token);
    if (!isCurrent(token)) return;
    const target = Object.hasOwn(routes.pages, page) ? routes.pages[page] : null;
    if (!target) {
      location.replace("#/traces");
      return;
    }
    await (parts[1] && target.detail ? target.detail(token, parts[1], query) : target.list(token, query));
  } catch (error) {
    if (error instanceof Unauthorized || !isCurrent(token)) return;
    clear(root).appendChild(h("div", { class: "error", text: `Error: ${error.message}` }));
    setReady("error");
  }
}
