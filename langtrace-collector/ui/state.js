// The app state and its named transitions. This module alone writes the state: the
// session (the current key pair and every project signed in to in this tab, kept in the
// tab's session storage), the current project and its environments, the environment
// filter, the navigation token, the trace page shown, and the cache of fetched media
// (blob URLs, revoked when the project they belong to is left). Other modules read it
// through `state` (read-only) and the accessors below.

const AUTH_KEY = "langtrace.auth";
const ENV_KEY = "langtrace.environment";
// Every project signed in to in this tab: [{name, auth}], for the project selector.
const PROJECTS_KEY = "langtrace.projects";

const app = {
  project: null, // the current project ({name}), once loaded
  environments: null, // its environment names, once loaded
  environment: sessionStorage.getItem(ENV_KEY) || "",
  navigation: 0,
  trace: null, // the trace page's controller, when shown
  shared: null, // on a shared trace's page, its id: no key is read or sent
};

// Media id -> promise of {url (a blob: URL), type, size}, for the current project.
const mediaCache = new Map();

/** The state, read-only: `project`, `environments`, `environment`, `trace`, `shared`. */
export const state = Object.freeze({
  get project() { return app.project; },
  get environments() { return app.environments; },
  get environment() { return app.environment; },
  get trace() { return app.trace; },
  get shared() { return app.shared; },
});

/** The current key pair (base64 `pk:sk`), or null when signed out (always on a shared trace's page). */
export function credentials() {
  return app.shared !== null ? null : sessionStorage.getItem(AUTH_KEY);
}

/** Every project signed in to in this tab: [{name, auth}]. */
export function signedInProjects() {
  try {
    const list = JSON.parse(sessionStorage.getItem(PROJECTS_KEY) || "[]");
    return Array.isArray(list) ? list.filter((p) => p && typeof p.auth === "string") : [];
  } catch {
    return [];
  }
}

/** The environment filter as an API parameter (undefined for all). */
export function environmentParam() {
  return app.environment || undefined;
}

/** True while `token` is still the current navigation. */
export function isCurrent(token) {
  return token === app.navigation;
}

// ---------------------------------------------------------------- transitions

/** Signs in to the project `name` with `auth` (base64 `pk:sk`), remembering it for the selector. */
export function signIn(name, auth) {
  useProject(name, auth);
}

/** Makes the remembered project `name` the current one; false when it is not remembered. */
export function switchProject(name) {
  const project = signedInProjects().find((p) => p.name === name);
  if (!project) return false;
  useProject(project.name, project.auth);
  return true;
}

/** Forgets every key pair of this tab and what was loaded with them. */
export function signOut() {
  sessionStorage.removeItem(AUTH_KEY);
  sessionStorage.removeItem(PROJECTS_KEY);
  leaveProject();
}

/** Filters every page by `environment` ("" for all); kept for the tab. */
export function setEnvironment(environment) {
  app.environment = environment;
  if (environment) sessionStorage.setItem(ENV_KEY, environment); else sessionStorage.removeItem(ENV_KEY);
}

/** The current project, as the API describes it. */
export function projectLoaded(project) {
  app.project = project;
}

/** The current project's environment names. */
export function environmentsLoaded(names) {
  app.environments = names;
}

/** Starts a navigation; its token (see `isCurrent`). */
export function beginNavigation() {
  app.navigation += 1;
  return app.navigation;
}

/** The trace page now shows `view` (its controller). */
export function openTrace(view) {
  app.trace = view;
}

/** This document shows the shared trace `id`: from now on no key is read, and keyed requests are refused. */
export function enterShared(id) {
  app.shared = id;
}

/** No trace page is shown. */
export function closeTrace() {
  app.trace = null;
}

/** The media `id` of the current project: cached, else `load()` (a promise of {url, type, size}), cached. */
export function cachedMedia(id, load) {
  if (!mediaCache.has(id)) mediaCache.set(id, load());
  return mediaCache.get(id);
}

function useProject(name, auth) {
  const others = signedInProjects().filter((p) => p.auth !== auth && p.name !== name);
  sessionStorage.setItem(PROJECTS_KEY, JSON.stringify([...others, { name, auth }]));
  sessionStorage.setItem(AUTH_KEY, auth);
  leaveProject();
}

/** Drops what belongs to the project left: its description, environments and media. */
function leaveProject() {
  app.project = null;
  app.environments = null;
  // Media ids are per project. Loads still under way are revoked when they finish.
  for (const pending of mediaCache.values()) pending.then((media) => URL.revokeObjectURL(media.url), () => {});
  mediaCache.clear();
}
