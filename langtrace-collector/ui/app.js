// langtrace web UI: a single-page app without build step or dependencies.
// Security: every traced value is untrusted. The DOM is built with createElement,
// textContent and setAttribute only; never innerHTML or eval.

const AUTH_KEY = "langtrace.auth";
const ENV_KEY = "langtrace.environment";
// Every project signed in to in this tab: [{name, auth}], for the project selector.
const PROJECTS_KEY = "langtrace.projects";
const SVG_NS = "http://www.w3.org/2000/svg";
const PAGE_ROWS = 250; // tree / timeline rows rendered per "show more"

// ---------------------------------------------------------------- DOM helpers

/** Builds an element: props `class`, `text`, `on<Event>` (functions), `dataset`, others as attributes. */
function h(tag, props, ...children) {
  const el = document.createElement(tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

/** Builds an SVG element. */
function s(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

function applyProps(el, props) {
  if (!props) return;
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") for (const [k, v] of Object.entries(value)) { if (v !== undefined && v !== null) el.dataset[k] = String(v); }
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "value" && "value" in el) el.value = value;
    else if (key === "checked" || key === "disabled" || key === "selected" || key === "open") el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// ---------------------------------------------------------------- formatting

const pad = (n, w = 2) => String(n).padStart(w, "0");

function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "";
  if (seconds < 0.001) return `${(seconds * 1e6).toFixed(0)}µs`;
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 0)}ms`;
  if (seconds < 60) return `${seconds.toFixed(2)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${Math.round(seconds % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

function fmtCost(cost) {
  if (cost === null || cost === undefined || cost === 0) return cost === 0 ? "$0" : "";
  if (cost < 0.01) return `$${Number(cost).toPrecision(3)}`;
  return `$${Number(cost).toFixed(cost < 10 ? 4 : 2)}`;
}

function fmtNumber(n) {
  if (n === null || n === undefined) return "";
  return Number(n).toLocaleString("en-US");
}

function preview(value, max = 120) {
  if (value === null || value === undefined) return "";
  let text;
  if (typeof value === "string") text = value;
  else {
    const messages = chatMessages(value);
    if (messages && messages.length) {
      const last = messages[messages.length - 1];
      text = typeof last.content === "string" ? last.content : safeStringify(last.content);
    } else text = safeStringify(value);
  }
  text = text.replace(/\s+/g, " ");
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function safeStringify(value, indent) {
  try {
    return JSON.stringify(value, null, indent);
  } catch {
    return String(value);
  }
}

const LEVELS = ["DEBUG", "DEFAULT", "WARNING", "ERROR"];
const TYPE_LETTERS = {
  GENERATION: "G", SPAN: "S", EVENT: "E", AGENT: "A", TOOL: "T", CHAIN: "C",
  RETRIEVER: "R", EVALUATOR: "V", EMBEDDING: "M", GUARDRAIL: "U",
};

function levelBadge(level) {
  return h("span", { class: `badge level level-${level || "DEFAULT"}`, text: level || "DEFAULT" });
}

function typeBadge(type) {
  const t = String(type || "SPAN").toUpperCase();
  return h("span", { class: `type type-${t}`, title: t, text: TYPE_LETTERS[t] || t.charAt(0) });
}

function copyButton(text, label = "copy") {
  const button = h("button", { type: "button", class: "copy", title: `Copy ${text}`, text: label });
  button.addEventListener("click", (event) => {
    event.stopPropagation();
    const done = () => { button.textContent = "copied"; setTimeout(() => { button.textContent = label; }, 1200); };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
    else fallbackCopy(text, done);
  });
  return button;
}

function fallbackCopy(text, done) {
  const area = h("textarea", { class: "offscreen" });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  try { document.execCommand("copy"); done(); } catch { /* ignore */ }
  area.remove();
}

function link(href, text, props = {}) {
  return h("a", { href, text, ...props, onClick: (e) => e.stopPropagation() });
}

const enc = encodeURIComponent;

// ---------------------------------------------------------------- auth and API

function credentials() {
  return sessionStorage.getItem(AUTH_KEY);
}

function toBase64(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

class Unauthorized extends Error {}

function signedInProjects() {
  try {
    const list = JSON.parse(sessionStorage.getItem(PROJECTS_KEY) || "[]");
    return Array.isArray(list) ? list.filter((p) => p && typeof p.auth === "string") : [];
  } catch {
    return [];
  }
}

/** Makes `auth` (base64 `pk:sk`) the current key pair, remembering its project. */
function useProject(name, auth) {
  const others = signedInProjects().filter((p) => p.auth !== auth && p.name !== name);
  sessionStorage.setItem(PROJECTS_KEY, JSON.stringify([...others, { name, auth }]));
  sessionStorage.setItem(AUTH_KEY, auth);
  state.project = null;
  state.environments = null;
}

function signOut() {
  sessionStorage.removeItem(AUTH_KEY);
  sessionStorage.removeItem(PROJECTS_KEY);
  state.project = null;
  state.environments = null;
  location.hash = "#/signin";
}

async function request(path, options = {}) {
  const auth = credentials();
  const headers = { ...(options.headers || {}) };
  if (auth) headers.Authorization = `Basic ${auth}`;
  const response = await fetch(path, { ...options, headers, credentials: "omit", cache: "no-store" });
  if (response.status === 401) {
    signOut();
    throw new Unauthorized("unauthorized");
  }
  return response;
}

async function api(path, params) {
  let url = path;
  if (params) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined || v === null || v === "") continue;
      if (Array.isArray(v)) v.forEach((item) => query.append(k, item));
      else query.set(k, v);
    }
    const text = query.toString();
    if (text) url += `?${text}`;
  }
  const response = await request(url);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || `${response.status} ${response.statusText}`);
  return body;
}

// ---------------------------------------------------------------- state and routing

const state = {
  project: null,
  environments: null,
  environment: sessionStorage.getItem(ENV_KEY) || "",
  navigation: 0,
  trace: null, // the trace page's controller, when shown
};

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch { return p; } });
  return { parts, query: new URLSearchParams(query) };
}

function hashWith(path, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") query.set(k, v);
  const text = query.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}

// Marks a page as showing its data: for tests (`data-ready`) and for the UI benchmark
// (a `ready:<name>` performance mark, timed from navigation start).
function setReady(name) {
  document.body.dataset.ready = name;
  performance.mark(`ready:${name}`);
}

function main() {
  return document.getElementById("main");
}

/** True while `token` is still the current navigation. */
const current = (token) => token === state.navigation;

async function route() {
  const token = ++state.navigation;
  delete document.body.dataset.ready;
  const { parts, query } = parseHash();
  const page = parts[0] || "";
  if (page === "signout") {
    signOut();
    return;
  }
  if (!credentials() || page === "signin") {
    // Signed in already: the sign-in page only adds another project.
    if (credentials() && page === "signin" && !query.get("add")) { location.hash = "#/traces"; return; }
    state.trace = null;
    renderSignIn();
    return;
  }
  // Same trace, other observation: select in place.
  if (page === "traces" && parts[1] && state.trace && state.trace.id === parts[1] && document.querySelector("[data-testid=trace-detail]")) {
    state.trace.select(query.get("observation") || null, true);
    setReady("trace");
    return;
  }
  state.trace = null;
  document.getElementById("header").classList.remove("hidden");
  for (const a of document.querySelectorAll("[data-nav]")) a.classList.toggle("active", a.dataset.nav === (page || "traces"));
  const root = clear(main());
  root.appendChild(h("div", { class: "loading", text: "Loading…" }));
  try {
    await loadHeader(token);
    if (!current(token)) return;
    const pages = {
      traces: parts[1] ? () => traceDetailPage(token, parts[1], query) : () => tracesPage(token, query),
      sessions: parts[1] ? () => sessionPage(token, parts[1]) : () => sessionsPage(token, query),
      users: parts[1] ? () => userPage(token, parts[1]) : () => usersPage(token, query),
      dashboard: () => dashboardPage(token, query),
    };
    if (!pages[page]) {
      location.replace("#/traces");
      return;
    }
    await pages[page]();
  } catch (error) {
    if (error instanceof Unauthorized || !current(token)) return;
    clear(root).appendChild(h("div", { class: "error", text: `Error: ${error.message}` }));
    setReady("error");
  }
}

async function loadHeader(token) {
  if (!state.project) {
    const projects = await api("/api/public/projects");
    if (!current(token)) return;
    state.project = (projects.data && projects.data[0]) || { name: "?" };
    renderProjects();
  }
  if (!state.environments) {
    const environments = await api("/api/public/environments").catch(() => ({ data: [] }));
    state.environments = (environments.data || []).map((e) => e.name);
    fillEnvironments();
  }
}

/** The project selector: every project signed in to in this tab, and "add project". */
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
    const chosen = known[Number(select.value)];
    useProject(chosen.name, chosen.auth);
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

function envParam() {
  return state.environment || undefined;
}

// ---------------------------------------------------------------- sign-in

function renderSignIn() {
  document.getElementById("header").classList.add("hidden");
  const error = h("div", { class: "error hidden" });
  const form = h("form", { id: "signin", class: "signin", autocomplete: "off" },
    h("h1", { text: "langtrace" }),
    h("p", { class: "muted", text: "Sign in with a project's API keys." }),
    h("label", null, "Public key", h("input", { name: "publicKey", required: true, autocomplete: "username", placeholder: "pk-..." })),
    h("label", null, "Secret key", h("input", { name: "secretKey", type: "password", required: true, autocomplete: "current-password", placeholder: "sk-..." })),
    error,
    h("button", { type: "submit", class: "primary", text: "Sign in" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const pk = form.elements.publicKey.value.trim();
    const sk = form.elements.secretKey.value.trim();
    const auth = toBase64(`${pk}:${sk}`);
    error.classList.add("hidden");
    const response = await fetch("/api/public/projects", { headers: { Authorization: `Basic ${auth}` }, credentials: "omit" }).catch(() => null);
    if (!response || !response.ok) {
      error.textContent = response && response.status === 401 ? "Invalid keys." : "Cannot reach the server.";
      error.classList.remove("hidden");
      return;
    }
    const projects = await response.json().catch(() => ({}));
    useProject((projects.data && projects.data[0] && projects.data[0].name) || pk, auth);
    location.hash = "#/traces";
  });
  clear(main()).appendChild(form);
  setReady("signin");
}

// ---------------------------------------------------------------- shared tables

function pager(meta, onPage) {
  const page = meta.page || 1;
  const pages = Math.max(1, meta.totalPages || 1);
  return h("div", { class: "pager" },
    h("button", { type: "button", "data-testid": "prev-page", disabled: page <= 1, text: "‹ Prev", onClick: () => onPage(page - 1) }),
    h("span", { class: "muted", text: ` Page ${page} of ${pages} · ${fmtNumber(meta.totalItems || 0)} total ` }),
    h("button", { type: "button", "data-testid": "next-page", disabled: page >= pages, text: "Next ›", onClick: () => onPage(page + 1) }));
}

function tagList(tags) {
  if (!Array.isArray(tags) || !tags.length) return null;
  return h("span", { class: "tags" }, tags.map((t) => h("span", { class: "tag", text: String(t) })));
}

const TRACE_COLUMNS = [
  { label: "Timestamp", order: "timestamp" },
  { label: "Name", order: "name" },
  { label: "Input" },
  { label: "Output" },
  { label: "Level" },
  { label: "Latency", order: "latency" },
  { label: "Tokens", order: "totalTokens" },
  { label: "Cost", order: "totalCost" },
  { label: "Environment" },
  { label: "Tags" },
  { label: "User", order: "userId" },
  { label: "Session", order: "sessionId" },
  { label: "Release / version", order: "release" },
];

/** A table of traces; `order` and `onOrder` make the headers sortable. */
function tracesTable(traces, order, onOrder) {
  const [field, direction] = (order || "timestamp.desc").split(".");
  const head = h("tr", null, TRACE_COLUMNS.map((column) => {
    if (!column.order || !onOrder) return h("th", { text: column.label });
    const active = field === column.order;
    const next = active && direction === "desc" ? "asc" : "desc";
    return h("th", { class: `sortable${active ? " sorted" : ""}`, "data-order": column.order, title: "Sort" },
      h("button", { type: "button", class: "link", onClick: () => onOrder(`${column.order}.${next}`) },
        column.label, active ? (direction === "desc" ? " ↓" : " ↑") : ""));
  }));
  const body = h("tbody", null, traces.map((t) => {
    const href = `#/traces/${enc(t.id)}`;
    const row = h("tr", { class: "clickable", dataset: { traceId: t.id } },
      h("td", { class: "nowrap", text: fmtTime(t.timestamp) }),
      h("td", { class: "nowrap" }, h("a", { href, text: t.name || t.id.slice(0, 12), onClick: (e) => e.stopPropagation() })),
      h("td", { class: "preview", text: preview(t.input), title: preview(t.input, 1000) }),
      h("td", { class: "preview", text: preview(t.output), title: preview(t.output, 1000) }),
      h("td", null, levelBadge(t.level)),
      h("td", { class: "num", text: fmtDuration(t.latency) }),
      h("td", { class: "num", text: fmtNumber(t.usage ? t.usage.total : 0), title: t.usage ? `in ${t.usage.input} / out ${t.usage.output}` : "" }),
      h("td", { class: "num", text: fmtCost(t.totalCost) }),
      h("td", { text: t.environment || "" }),
      h("td", null, tagList(t.tags)),
      h("td", null, t.userId ? link(`#/users/${enc(t.userId)}`, t.userId) : null),
      h("td", null, t.sessionId ? link(`#/sessions/${enc(t.sessionId)}`, t.sessionId) : null),
      h("td", { text: [t.release, t.version].filter(Boolean).join(" / ") }));
    row.addEventListener("click", () => { location.hash = href; });
    return row;
  }));
  return h("div", { class: "table-wrap" },
    h("table", { class: "grid", "data-testid": "traces-table" }, h("thead", null, head), body));
}

// ---------------------------------------------------------------- traces page

const TRACE_FILTERS = ["search", "name", "userId", "sessionId", "tags", "release", "version", "level", "from", "to"];

function toIso(local) {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

async function tracesPage(token, query) {
  const get = (k) => query.get(k) || "";
  const page = Math.max(1, parseInt(get("page"), 10) || 1);
  const limit = parseInt(get("limit"), 10) || 50;
  const orderBy = get("orderBy") || "timestamp.desc";
  const params = Object.fromEntries(TRACE_FILTERS.map((k) => [k, get(k)]));
  const go = (changes) => {
    const next = { ...params, page, limit: limit === 50 ? "" : limit, orderBy: orderBy === "timestamp.desc" ? "" : orderBy, ...changes };
    if (next.page === 1) next.page = "";
    location.hash = hashWith("/traces", next);
  };
  const result = await api("/api/public/traces", {
    page, limit, orderBy,
    name: params.name, userId: params.userId, sessionId: params.sessionId,
    tags: params.tags ? params.tags.split(",").map((t) => t.trim()).filter(Boolean) : undefined,
    release: params.release, version: params.version, level: params.level, search: params.search,
    fromTimestamp: toIso(params.from), toTimestamp: toIso(params.to), environment: envParam(),
  });
  if (!current(token)) return;
  const input = (name, placeholder, type = "text") => h("input", {
    type, "data-filter": name, name, placeholder, value: params[name],
    onChange: (e) => go({ [name]: e.target.value, page: 1 }),
  });
  const level = h("select", { "data-filter": "level", name: "level", onChange: (e) => go({ level: e.target.value, page: 1 }) },
    h("option", { value: "", text: "any level" }), LEVELS.map((l) => h("option", { value: l, text: l })));
  level.value = params.level;
  const form = h("form", { class: "filters", "data-testid": "trace-filters" },
    input("search", "Search id, name, input, output", "search"),
    input("name", "Name"), input("userId", "User"), input("sessionId", "Session"), input("tags", "Tags (a,b)"),
    input("release", "Release"), input("version", "Version"), level,
    h("label", { class: "inline" }, "From ", input("from", "", "datetime-local")),
    h("label", { class: "inline" }, "To ", input("to", "", "datetime-local")),
    h("button", { type: "submit", text: "Apply" }),
    h("button", { type: "button", class: "link", text: "Clear", onClick: () => { location.hash = "#/traces"; } }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const changes = { page: 1 };
    for (const name of TRACE_FILTERS) changes[name] = form.elements[name].value;
    go(changes);
  });
  const limitSelect = h("select", { "data-testid": "page-size", onChange: (e) => go({ limit: e.target.value, page: 1 }) },
    [25, 50, 100].map((n) => h("option", { value: n, text: `${n} / page` })));
  limitSelect.value = String(limit);
  const root = clear(main());
  root.appendChild(h("div", { class: "page-head" }, h("h1", { text: "Traces" }), limitSelect));
  root.appendChild(form);
  root.appendChild(result.data.length ? tracesTable(result.data, orderBy, (o) => go({ orderBy: o, page: 1 }))
    : h("div", null, h("table", { class: "grid", "data-testid": "traces-table" }, h("tbody")), h("p", { class: "empty", text: "No traces match." })));
  root.appendChild(pager(result.meta, (p) => go({ page: p })));
  setReady("traces");
}

// ---------------------------------------------------------------- rendering values

/** Chat messages in `value` (an array of {role, content} or {messages: [...]}), else null. */
function chatMessages(value) {
  let list = value;
  if (list && !Array.isArray(list) && typeof list === "object" && Array.isArray(list.messages)) list = list.messages;
  if (!Array.isArray(list) || !list.length) return null;
  const ok = list.every((m) => m && typeof m === "object" && !Array.isArray(m) && typeof m.role === "string" && ("content" in m || "tool_calls" in m || "parts" in m));
  return ok ? list : null;
}

const MEDIA_RE = /@@@langfuseMedia:type=([^|@]+)\|id=([^|@]+)\|source=([^|@]+)@@@/g;
const mediaCache = new Map();

async function mediaUrl(id) {
  if (!mediaCache.has(id)) {
    mediaCache.set(id, (async () => {
      const info = await api(`/api/public/media/${enc(id)}`);
      let path = `/api/public/media/${enc(id)}/content`;
      if (info.url) {
        try { const u = new URL(info.url, location.href); path = u.pathname + u.search; } catch { /* keep default */ }
      }
      const response = await request(path);
      if (!response.ok) throw new Error(`media ${response.status}`);
      const blob = await response.blob();
      return { url: URL.createObjectURL(blob), type: info.contentType || blob.type, size: info.contentLength };
    })());
  }
  return mediaCache.get(id);
}

function mediaElement(type, id) {
  const holder = h("span", { class: "media", dataset: { mediaId: id } }, h("span", { class: "muted", text: `[${type} ${id} loading…]` }));
  mediaUrl(id).then((media) => {
    const mime = media.type || type;
    let el;
    if (mime.startsWith("image/")) el = h("img", { src: media.url, alt: `${mime} ${id}`, class: "media-img" });
    else if (mime.startsWith("audio/")) el = h("audio", { src: media.url, controls: true });
    else if (mime.startsWith("video/")) el = h("video", { src: media.url, controls: true, class: "media-img" });
    else el = h("a", { href: media.url, download: `${id}`, text: `Download ${mime} (${fmtNumber(media.size)} bytes)` });
    clear(holder).appendChild(el);
  }, (error) => {
    clear(holder).appendChild(h("span", { class: "error-text", text: `[${type} ${id}: ${error.message}]` }));
  });
  return holder;
}

/** Text with Langfuse media references rendered inline. */
function textWithMedia(text, limit = 20000) {
  const box = h("div", { class: "text" });
  const render = (all) => {
    clear(box);
    const shown = all || text.length <= limit ? text : text.slice(0, limit);
    let last = 0;
    for (const match of shown.matchAll(MEDIA_RE)) {
      if (match.index > last) box.appendChild(document.createTextNode(shown.slice(last, match.index)));
      box.appendChild(mediaElement(match[1], match[2]));
      last = match.index + match[0].length;
    }
    if (last < shown.length) box.appendChild(document.createTextNode(shown.slice(last)));
    if (shown.length < text.length) {
      box.appendChild(h("button", { type: "button", class: "link", text: ` … show all ${fmtNumber(text.length)} characters`, onClick: () => render(true) }));
    }
  };
  render(false);
  return box;
}

/** A JSON value as collapsible <details>. */
function jsonTree(value, depth = 0, key) {
  const label = key !== undefined ? h("span", { class: "json-key", text: `${key}: ` }) : null;
  if (value === null || typeof value !== "object") {
    let el;
    if (typeof value === "string") {
      el = value.includes("@@@langfuseMedia:") || value.length > 200 || value.includes("\n")
        ? textWithMedia(value) : h("span", { class: "json-string", text: JSON.stringify(value) });
    } else el = h("span", { class: `json-${value === null ? "null" : typeof value}`, text: String(value) });
    return h("div", { class: "json-row" }, label, el);
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  const details = h("details", { class: "json", open: depth < 2 }, h("summary", null, label, h("span", { class: "muted", text: summary })));
  const body = h("div", { class: "json-body" });
  details.appendChild(body);
  let shown = 0;
  const more = () => {
    const next = entries.slice(shown, shown + 200);
    for (const [k, v] of next) body.appendChild(jsonTree(v, depth + 1, k));
    shown += next.length;
    if (shown < entries.length) body.appendChild(h("button", { type: "button", class: "link", text: `show ${Math.min(200, entries.length - shown)} more`, onClick: (e) => { e.target.remove(); more(); } }));
  };
  // Fill lazily: closed nodes cost nothing until opened.
  if (details.open) more();
  else details.addEventListener("toggle", () => { if (details.open && !shown) more(); });
  return details;
}

function messageContent(content) {
  if (content === null || content === undefined) return null;
  if (typeof content === "string") return textWithMedia(content);
  if (Array.isArray(content)) {
    return h("div", null, content.map((part) => {
      if (part && typeof part === "object") {
        if (typeof part.text === "string") return textWithMedia(part.text);
        const url = part.image_url && (part.image_url.url || part.image_url);
        if (typeof url === "string" && url.startsWith("@@@langfuseMedia")) return textWithMedia(url);
        if (typeof url === "string" && /^data:image\/(png|jpeg|gif|webp);base64,/.test(url)) return h("img", { src: url, class: "media-img", alt: "image" });
      }
      return jsonTree(part, 1);
    }));
  }
  return jsonTree(content, 1);
}

function chatView(messages) {
  return h("div", { class: "chat" }, messages.map((m) => {
    const role = String(m.role || "unknown");
    return h("div", { class: `bubble role-${role.replace(/[^a-z_-]/gi, "")}` },
      h("div", { class: "role", text: role + (m.name ? ` (${m.name})` : "") }),
      messageContent(m.content !== undefined ? m.content : m.parts),
      m.tool_calls ? h("div", { class: "tool-calls" }, h("div", { class: "muted", text: "tool calls" }), jsonTree(m.tool_calls, 1)) : null);
  }));
}

/** Renders input/output/metadata: chat, JSON tree or text. */
function renderValue(value) {
  if (value === null || value === undefined || value === "") return h("div", { class: "muted", text: "—" });
  if (typeof value === "string") return textWithMedia(value);
  const messages = chatMessages(value);
  if (messages) {
    const wrap = h("div", null, chatView(messages));
    if (!Array.isArray(value)) {
      const rest = { ...value };
      delete rest.messages;
      if (Object.keys(rest).length) wrap.appendChild(jsonTree(rest, 1));
    }
    return wrap;
  }
  if (typeof value !== "object") return h("div", { class: "text", text: String(value) });
  return jsonTree(value, 0);
}

function section(title, testid, content, extra) {
  return h("section", { class: "block", "data-testid": testid }, h("h3", null, title, extra || null), content);
}

// ---------------------------------------------------------------- trace page

/** Builds the observation tree in O(n): children lists, roots, depth-first order. */
function buildTree(observations) {
  const byId = new Map();
  for (const o of observations) byId.set(o.id, { obs: o, children: [], depth: 0, parent: null });
  const roots = [];
  for (const node of byId.values()) {
    const parent = node.obs.parentObservationId && byId.get(node.obs.parentObservationId);
    if (parent && parent !== node) { node.parent = parent; parent.children.push(node); } else roots.push(node);
  }
  return { byId, roots };
}

/** The visible nodes in depth-first order, skipping children of collapsed nodes. */
function flatten(roots, collapsed) {
  const out = [];
  const stack = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push([roots[i], 0]);
  const seen = new Set();
  while (stack.length) {
    const [node, depth] = stack.pop();
    if (seen.has(node)) continue; // cycles in bad data
    seen.add(node);
    node.depth = depth;
    out.push(node);
    if (!collapsed.has(node.obs.id)) for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i], depth + 1]);
  }
  return out;
}

const ms = (iso) => (iso ? Date.parse(iso) : NaN);

function scoreValue(score) {
  if (score.dataType === "NUMERIC") return typeof score.value === "number" ? String(Math.round(score.value * 10000) / 10000) : String(score.value);
  return score.stringValue !== undefined && score.stringValue !== null ? String(score.stringValue) : String(score.value);
}

function scoreList(scores, testid, describeTarget) {
  return h("ul", { class: "scores", "data-testid": testid },
    scores.length ? scores.map((sc) => h("li", { class: "score", dataset: { scoreName: sc.name, scoreId: sc.id } },
      h("span", { class: "score-name", text: sc.name }),
      h("span", { class: "score-value", text: scoreValue(sc) }),
      h("span", { class: "muted", text: ` ${sc.dataType || ""} · ${sc.source || ""}` }),
      describeTarget ? describeTarget(sc) : null,
      sc.comment ? h("div", { class: "score-comment", text: sc.comment }) : null))
      : h("li", { class: "muted", text: "No scores." }));
}

// Observations a trace page loads at most (the earliest); the rest are counted, not shown.
const TRACE_OBSERVATION_LIMIT = 10000;

async function traceDetailPage(token, id, query) {
  const trace = await api(`/api/public/traces/${enc(id)}`, { observationLimit: TRACE_OBSERVATION_LIMIT });
  if (!current(token)) return;
  const view = new TraceView(trace, token);
  state.trace = view;
  view.render(query.get("observation"));
  setReady("trace");
}

class TraceView {
  constructor(trace, token) {
    this.id = trace.id;
    this.token = token;
    this.setTrace(trace);
    this.collapsed = new Set();
    this.limit = PAGE_ROWS;
    this.selected = null;
    this.graphMode = "aggregated";
  }

  setTrace(trace) {
    this.trace = trace;
    this.observations = trace.observations || [];
    this.tree = buildTree(this.observations);
    let start = ms(trace.timestamp);
    let end = start + (trace.latency || 0) * 1000;
    for (const o of this.observations) {
      const a = ms(o.startTime);
      const b = o.endTime ? ms(o.endTime) : a;
      if (a < start) start = a;
      if (b > end) end = b;
    }
    this.start = start;
    this.span = Math.max(1, end - start);
  }

  render(selected) {
    const t = this.trace;
    const root = clear(main());
    const facts = [
      ["Timestamp", fmtTime(t.timestamp)],
      ["Latency", fmtDuration(t.latency)],
      ["Tokens", t.usage ? `${fmtNumber(t.usage.input)} → ${fmtNumber(t.usage.output)} (Σ ${fmtNumber(t.usage.total)})` : ""],
      ["Cost", fmtCost(t.totalCost)],
      ["Observations", fmtNumber(t.observationCount ?? this.observations.length)],
      ["Environment", t.environment],
      ["Release", t.release],
      ["Version", t.version],
    ];
    const detail = h("div", { class: "trace", "data-testid": "trace-detail", dataset: { traceId: t.id } },
      h("div", { class: "page-head" },
        h("h1", null, t.name || "(unnamed trace)"), levelBadge(t.level),
        h("span", { class: "id" }, h("code", { text: t.id }), copyButton(t.id, "copy id"))),
      h("div", { class: "facts" },
        facts.filter(([, v]) => v).map(([k, v]) => h("span", { class: "fact" }, h("span", { class: "muted", text: `${k} ` }), v)),
        t.userId ? h("span", { class: "fact" }, h("span", { class: "muted", text: "User " }), link(`#/users/${enc(t.userId)}`, t.userId)) : null,
        t.sessionId ? h("span", { class: "fact" }, h("span", { class: "muted", text: "Session " }), link(`#/sessions/${enc(t.sessionId)}`, t.sessionId)) : null,
        tagList(t.tags)),
      t.observationsTruncated
        ? h("p", { class: "muted", "data-testid": "truncated", text: `Showing the first ${fmtNumber(TRACE_OBSERVATION_LIMIT)} observations (by start time).` })
        : null);
    this.treeEl = h("div", { class: "tree", "data-testid": "tree" });
    this.timelineEl = h("div", { class: "timeline", "data-testid": "timeline" });
    this.moreEl = h("div", { class: "more" });
    this.panelEl = h("div", { class: "panel", "data-testid": "panel" });
    this.graphEl = h("div", { class: "graph-wrap" });
    this.scoresEl = h("div");
    const axis = h("div", { class: "axis" },
      [0, 0.25, 0.5, 0.75, 1].map((f) => {
        const tick = h("span", { class: "tick", text: fmtDuration((this.span * f) / 1000) });
        tick.style.left = `${f * 100}%`;
        return tick;
      }));
    detail.appendChild(h("div", { class: "trace-body" },
      h("div", { class: "left" },
        h("div", { class: "split-head" }, h("div", { class: "tree-head", text: "Observations" }), h("div", { class: "timeline-head" }, axis)),
        h("div", { class: "split" }, this.treeEl, this.timelineEl),
        this.moreEl),
      this.panelEl));
    detail.appendChild(this.graphEl);
    detail.appendChild(this.scoresEl);
    root.appendChild(detail);
    this.select(selected, false);
    this.renderGraph();
    this.renderScores();
  }

  rows() {
    const flat = flatten(this.tree.roots, this.collapsed);
    return flat;
  }

  renderRows() {
    const flat = this.rows();
    const shown = flat.slice(0, this.limit);
    const treeRows = [];
    const bars = [];
    // Trace row.
    treeRows.push(h("div", { class: `row trace-row${this.selected ? "" : " selected"}`, dataset: { traceRow: "1" }, onClick: () => this.navigate(null) },
      h("span", { class: "type type-TRACE", text: "T" }), h("span", { class: "name", text: this.trace.name || "trace" }),
      h("span", { class: "meta", text: fmtDuration(this.trace.latency) })));
    const traceBar = h("div", { class: "row bar-row" }, h("div", { class: "bar bar-trace" }));
    traceBar.firstChild.style.left = "0%";
    traceBar.firstChild.style.width = "100%";
    bars.push(traceBar);
    for (const node of shown) {
      const o = node.obs;
      const selected = this.selected === o.id;
      const toggle = node.children.length
        ? h("button", { type: "button", class: "toggle", title: "Collapse/expand", text: this.collapsed.has(o.id) ? "▸" : "▾", onClick: (e) => { e.stopPropagation(); this.toggle(o.id); } })
        : h("span", { class: "toggle" });
      const tokens = o.usage && o.usage.total ? `${fmtNumber(o.usage.total)} tok` : "";
      const row = h("div", { class: `row level-row-${o.level}${selected ? " selected" : ""}`, dataset: { observationId: o.id }, title: `${o.type} ${o.name}`, onClick: () => this.navigate(o.id) },
        toggle, typeBadge(o.type), h("span", { class: "name", text: o.name || o.id }),
        o.level === "ERROR" || o.level === "WARNING" ? levelBadge(o.level) : null,
        h("span", { class: "meta", text: [fmtDuration(o.latency), tokens, o.calculatedTotalCost ? fmtCost(o.calculatedTotalCost) : ""].filter(Boolean).join(" · ") }));
      row.style.paddingLeft = `${4 + Math.min(node.depth, 40) * 14}px`;
      treeRows.push(row);
      const a = ms(o.startTime) - this.start;
      const b = (o.endTime ? ms(o.endTime) : ms(o.startTime)) - this.start;
      const bar = h("div", { class: `bar bar-${String(o.type).toUpperCase()} level-bar-${o.level}${o.endTime ? "" : " point"}`, title: `${o.name}: ${fmtDuration(o.latency)}` });
      bar.style.left = `${(a / this.span) * 100}%`;
      bar.style.width = o.endTime ? `max(2px, ${((b - a) / this.span) * 100}%)` : "6px";
      const line = h("div", { class: `row bar-row${selected ? " selected" : ""}`, dataset: { observationId: o.id }, onClick: () => this.navigate(o.id) }, bar);
      if (o.completionStartTime && o.endTime) {
        const c = ms(o.completionStartTime) - this.start;
        const mark = h("div", { class: "ttft", title: `time to first token ${fmtDuration(o.timeToFirstToken)}` });
        mark.style.left = `${(c / this.span) * 100}%`;
        line.appendChild(mark);
      }
      line.appendChild(h("span", { class: "bar-label", text: fmtDuration(o.latency) }));
      bars.push(line);
    }
    clear(this.treeEl);
    clear(this.timelineEl);
    append(this.treeEl, treeRows);
    append(this.timelineEl, bars);
    clear(this.moreEl);
    if (flat.length > shown.length) {
      this.moreEl.appendChild(h("span", { class: "muted", text: `${fmtNumber(shown.length)} of ${fmtNumber(flat.length)} observations shown ` }));
      this.moreEl.appendChild(h("button", { type: "button", "data-testid": "show-more", text: `Show ${Math.min(PAGE_ROWS, flat.length - shown.length)} more`, onClick: () => { this.limit += PAGE_ROWS; this.renderRows(); } }));
      this.moreEl.appendChild(h("button", { type: "button", class: "link", text: "show all", onClick: () => { this.limit = Infinity; this.renderRows(); } }));
    }
  }

  toggle(id) {
    if (this.collapsed.has(id)) this.collapsed.delete(id); else this.collapsed.add(id);
    this.renderRows();
  }

  navigate(id) {
    const hash = hashWith(`/traces/${enc(this.id)}`, { observation: id || "" });
    history.replaceState(null, "", hash);
    this.select(id, true);
  }

  select(id, scroll) {
    const node = id ? this.tree.byId.get(id) : null;
    this.selected = node ? id : null;
    if (node) {
      // Expand the ancestors and show enough rows to include it.
      for (let p = node.parent; p; p = p.parent) this.collapsed.delete(p.obs.id);
      const index = this.rows().findIndex((n) => n === node);
      if (index >= this.limit) this.limit = Math.ceil((index + 1) / PAGE_ROWS) * PAGE_ROWS;
    }
    this.renderRows();
    this.renderPanel();
    if (scroll && node) {
      const el = this.treeEl.querySelector(`[data-observation-id="${CSS.escape(id)}"]`);
      if (el && el.scrollIntoView) el.scrollIntoView({ block: "nearest" });
    }
  }

  renderPanel() {
    const panel = clear(this.panelEl);
    const t = this.trace;
    const o = this.selected ? this.tree.byId.get(this.selected).obs : null;
    panel.dataset.selected = "";
    if (!o) {
      panel.appendChild(h("div", { class: "panel-head" }, h("h2", { text: t.name || "Trace" }), h("span", { class: "id" }, h("code", { text: t.id }), copyButton(t.id, "copy id"))));
      panel.appendChild(section("Input", "input", renderValue(t.input)));
      panel.appendChild(section("Output", "output", renderValue(t.output)));
      panel.appendChild(section("Metadata", "metadata", renderValue(t.metadata)));
      return;
    }
    panel.dataset.selected = o.id;
    const facts = [
      ["Type", o.type], ["Level", o.level], ["Start", fmtTime(o.startTime)], ["End", fmtTime(o.endTime)],
      ["Duration", fmtDuration(o.latency)], ["Time to first token", fmtDuration(o.timeToFirstToken)],
      ["Model", o.model], ["Version", o.version], ["Environment", o.environment],
      ["Prompt", o.promptName ? `${o.promptName} v${o.promptVersion ?? "?"}` : ""],
      ["Tokens", o.usage && o.usage.total ? `${fmtNumber(o.usage.input)} → ${fmtNumber(o.usage.output)} (Σ ${fmtNumber(o.usage.total)})` : ""],
      ["Cost", o.calculatedTotalCost ? fmtCost(o.calculatedTotalCost) : ""],
    ];
    panel.appendChild(h("div", { class: "panel-head" },
      typeBadge(o.type), h("h2", { text: o.name || o.id }), levelBadge(o.level),
      h("span", { class: "id" }, h("code", { text: o.id }), copyButton(o.id, "copy id"))));
    panel.appendChild(h("dl", { class: "facts-list" }, facts.filter(([, v]) => v).map(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })])));
    if (o.statusMessage) panel.appendChild(h("div", { class: `status-message level-${o.level}`, "data-testid": "status-message", text: o.statusMessage }));
    const obsScores = (t.scores || []).filter((sc) => sc.observationId === o.id);
    if (obsScores.length) panel.appendChild(section("Scores", "observation-scores", scoreList(obsScores, "observation-score-list")));
    panel.appendChild(section("Input", "input", renderValue(o.input)));
    panel.appendChild(section("Output", "output", renderValue(o.output)));
    if (o.modelParameters && Object.keys(o.modelParameters).length) panel.appendChild(section("Model parameters", "model-parameters", jsonTree(o.modelParameters)));
    if (o.usageDetails && Object.keys(o.usageDetails).length) panel.appendChild(section("Usage", "usage", jsonTree(o.usageDetails)));
    if (o.costDetails && Object.keys(o.costDetails).length) panel.appendChild(section("Cost", "cost", jsonTree(o.costDetails)));
    panel.appendChild(section("Metadata", "metadata", renderValue(o.metadata)));
  }

  renderScores() {
    const t = this.trace;
    const box = clear(this.scoresEl);
    const target = (sc) => {
      if (!sc.observationId) return h("span", { class: "muted", text: " · trace" });
      const node = this.tree.byId.get(sc.observationId);
      return h("span", null, h("span", { class: "muted", text: " · on " }),
        h("button", { type: "button", class: "link", text: node ? node.obs.name : sc.observationId, onClick: () => this.navigate(sc.observationId) }));
    };
    const status = h("span", { class: "form-status" });
    const targetSelect = h("select", { name: "target" },
      h("option", { value: "trace", text: "the trace" }),
      h("option", { value: "observation", text: "the selected observation" }));
    const form = h("form", { class: "score-form", "data-testid": "score-form" },
      h("input", { name: "name", placeholder: "name", required: true }),
      h("input", { name: "value", placeholder: "value (number or category)", required: true }),
      h("input", { name: "comment", placeholder: "comment (optional)" }),
      h("label", { class: "inline" }, "on ", targetSelect),
      h("button", { type: "submit", class: "primary", text: "Add score" }), status);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const raw = form.elements.value.value.trim();
      const number = Number(raw);
      const body = { traceId: t.id, name: form.elements.name.value.trim(), environment: t.environment };
      if (raw !== "" && Number.isFinite(number)) { body.value = number; body.dataType = "NUMERIC"; } else { body.value = raw; body.dataType = "CATEGORICAL"; }
      const comment = form.elements.comment.value.trim();
      if (comment) body.comment = comment;
      if (targetSelect.value === "observation") {
        if (!this.selected) { status.textContent = "Select an observation first."; return; }
        body.observationId = this.selected;
      }
      status.textContent = "Saving…";
      delete document.body.dataset.ready;
      try {
        const response = await request("/api/public/scores", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
        const answer = await response.json().catch(() => ({}));
        if (!response.ok) throw new Error(answer.message || response.statusText);
        const fresh = await api(`/api/public/traces/${enc(t.id)}`, { observationLimit: TRACE_OBSERVATION_LIMIT });
        if (state.trace !== this) return;
        this.setTrace(fresh);
        this.renderScores();
        this.renderPanel();
        setReady("trace");
      } catch (error) {
        if (error instanceof Unauthorized) return;
        status.textContent = `Error: ${error.message}`;
        setReady("trace");
      }
    });
    box.appendChild(h("section", { class: "block scores-block" },
      h("h3", { text: "Scores" }),
      scoreList(t.scores || [], "scores", target),
      form));
  }

  renderGraph() {
    const box = clear(this.graphEl);
    const agentic = this.observations.some((o) => ["AGENT", "TOOL", "CHAIN"].includes(String(o.type).toUpperCase()));
    if (!agentic) return;
    const toggle = h("button", {
      type: "button", "data-testid": "graph-mode", dataset: { mode: this.graphMode },
      text: this.graphMode === "aggregated" ? "Show every observation" : "Aggregate by name",
      onClick: () => { this.graphMode = this.graphMode === "aggregated" ? "expanded" : "aggregated"; this.renderGraph(); },
    });
    box.appendChild(h("section", { class: "block" },
      h("h3", null, "Agent graph ", h("span", { class: "muted", text: this.graphMode === "aggregated" ? "(one node per type and name)" : "(one node per observation)" }), " ", toggle),
      this.graphSvg()));
  }

  graphSvg() {
    // Nodes and edges.
    const nodes = new Map(); // key -> {key, label, type, count, first, depth}
    const edges = new Map(); // "a\u0000b" -> {from, to, count}
    const aggregated = this.graphMode === "aggregated";
    const keyOf = (o) => (aggregated ? `${String(o.type).toUpperCase()}:${o.name}` : o.id);
    const order = flatten(this.tree.roots, new Set());
    const MAX = 400;
    let truncated = false;
    for (const node of order) {
      const o = node.obs;
      const key = keyOf(o);
      let entry = nodes.get(key);
      if (!entry) {
        if (nodes.size >= MAX) { truncated = true; continue; }
        entry = { key, label: o.name || o.id, type: String(o.type).toUpperCase(), count: 0, first: o.id, depth: node.depth, level: o.level };
        nodes.set(key, entry);
      }
      entry.count += 1;
      entry.depth = Math.min(entry.depth, node.depth);
      if (o.level === "ERROR") entry.level = "ERROR";
      if (node.parent) {
        const from = keyOf(node.parent.obs);
        if (nodes.has(from) && from !== key) {
          const id = `${from}\u0000${key}`;
          const edge = edges.get(id) || { from, to: key, count: 0 };
          edge.count += 1;
          edges.set(id, edge);
        }
      }
    }
    const layers = [];
    for (const entry of nodes.values()) (layers[entry.depth] ||= []).push(entry);
    const W = 180, H = 34, GX = 60, GY = 14;
    let maxRows = 0;
    layers.forEach((layer, x) => {
      if (!layer) return;
      layer.forEach((entry, y) => { entry.x = 10 + x * (W + GX); entry.y = 10 + y * (H + GY); });
      maxRows = Math.max(maxRows, layer.length);
    });
    const width = 20 + layers.length * (W + GX);
    const height = 20 + maxRows * (H + GY);
    const svg = s("svg", { class: "graph", "data-testid": "graph", width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
    svg.appendChild(s("defs", null, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" },
      s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow" }))));
    // Many distinct edges (big traces): draw the most travelled ones.
    const MAX_EDGES = 300;
    let drawn = [...edges.values()];
    if (drawn.length > MAX_EDGES) drawn = drawn.sort((p, q) => q.count - p.count).slice(0, MAX_EDGES);
    for (const edge of drawn) {
      const a = nodes.get(edge.from), b = nodes.get(edge.to);
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2;
      const backwards = x2 <= x1;
      const d = backwards
        ? `M ${a.x + W / 2} ${a.y + H} C ${a.x + W / 2} ${a.y + H + 40}, ${b.x + W / 2} ${b.y + H + 40}, ${b.x + W / 2} ${b.y + H}`
        : `M ${x1} ${y1} C ${x1 + GX / 2} ${y1}, ${x2 - GX / 2} ${y2}, ${x2} ${y2}`;
      svg.appendChild(s("path", { d, class: "edge", "marker-end": "url(#arrow)", dataset: { edge: `${edge.from}->${edge.to}` } },
        s("title", { text: `${a.label} → ${b.label} ×${edge.count}` })));
      if (aggregated && edge.count > 1) svg.appendChild(s("text", { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 3, class: "edge-label", text: `×${edge.count}` }));
    }
    for (const entry of nodes.values()) {
      const selected = this.selected && (aggregated ? keyOf(this.tree.byId.get(this.selected).obs) === entry.key : this.selected === entry.key);
      const label = entry.label.length > 22 ? `${entry.label.slice(0, 21)}…` : entry.label;
      const g = s("g", { class: `node node-${entry.type}${entry.level === "ERROR" ? " node-error" : ""}${selected ? " selected" : ""}`, dataset: { node: entry.key, observationId: undefined }, transform: `translate(${entry.x},${entry.y})`, tabindex: 0 },
        s("title", { text: `${entry.type} ${entry.label}${aggregated ? ` ×${entry.count}` : ""}` }),
        s("rect", { width: W, height: H, rx: 6 }),
        s("text", { x: 8, y: 21, class: "node-type", text: TYPE_LETTERS[entry.type] || entry.type.charAt(0) }),
        s("text", { x: 24, y: 21, class: "node-label", text: label + (aggregated && entry.count > 1 ? ` ×${entry.count}` : "") }));
      g.addEventListener("click", () => { this.navigate(entry.first); this.renderGraph(); });
      svg.appendChild(g);
    }
    const wrap = h("div", { class: "graph-scroll" }, svg);
    if (truncated) wrap.appendChild(h("p", { class: "muted", text: `Only the first ${MAX} nodes are drawn.` }));
    if (drawn.length < edges.size) wrap.appendChild(h("p", { class: "muted", text: `Only the ${MAX_EDGES} most frequent of ${edges.size} edges are drawn.` }));
    return wrap;
  }
}

// ---------------------------------------------------------------- sessions

async function sessionsPage(token, query) {
  const page = Math.max(1, parseInt(query.get("page"), 10) || 1);
  const result = await api("/api/public/sessions", { page, limit: 50, environment: envParam() });
  if (!current(token)) return;
  const rows = result.data.map((sn) => {
    const row = h("tr", { class: "clickable", dataset: { sessionId: sn.id } },
      h("td", null, link(`#/sessions/${enc(sn.id)}`, sn.id)),
      h("td", { class: "nowrap", text: fmtTime(sn.createdAt) }),
      h("td", { class: "num", text: fmtDuration(sn.duration) }),
      h("td", null, (sn.userIds || []).map((u) => [link(`#/users/${enc(u)}`, u), " "])),
      h("td", { class: "num", text: fmtNumber(sn.traceCount) }),
      h("td", { class: "num", text: fmtNumber(sn.totalTokens) }),
      h("td", { class: "num", text: fmtCost(sn.totalCost) }),
      h("td", { text: sn.environment }),
      h("td", { class: "num", text: sn.errorCount ? fmtNumber(sn.errorCount) : "" }));
    row.addEventListener("click", () => { location.hash = `#/sessions/${enc(sn.id)}`; });
    return row;
  });
  const root = clear(main());
  root.appendChild(h("div", { class: "page-head" }, h("h1", { text: "Sessions" })));
  root.appendChild(h("div", { class: "table-wrap" }, h("table", { class: "grid", "data-testid": "sessions-table" },
    h("thead", null, h("tr", null, ["Session", "Created", "Duration", "Users", "Traces", "Tokens", "Cost", "Environment", "Errors"].map((c) => h("th", { text: c })))),
    h("tbody", null, rows))));
  if (!rows.length) root.appendChild(h("p", { class: "empty", text: "No sessions." }));
  root.appendChild(pager(result.meta, (p) => { location.hash = hashWith("/sessions", { page: p > 1 ? p : "" }); }));
  setReady("sessions");
}

async function sessionPage(token, id) {
  const [sn, scores] = await Promise.all([
    api(`/api/public/sessions/${enc(id)}`),
    api("/api/public/scores", { sessionId: id, limit: 100 }).catch(() => ({ data: [] })),
  ]);
  if (!current(token)) return;
  const root = clear(main());
  root.appendChild(h("div", { class: "page-head" }, h("h1", null, "Session ", h("code", { text: sn.id })), copyButton(sn.id, "copy id")));
  root.appendChild(h("div", { class: "facts" },
    [["Created", fmtTime(sn.createdAt)], ["Duration", fmtDuration(sn.duration)], ["Traces", fmtNumber(sn.traceCount)],
      ["Tokens", fmtNumber(sn.totalTokens)], ["Cost", fmtCost(sn.totalCost)], ["Environment", sn.environment]]
      .map(([k, v]) => h("span", { class: "fact" }, h("span", { class: "muted", text: `${k} ` }), v)),
    (sn.userIds || []).map((u) => h("span", { class: "fact" }, h("span", { class: "muted", text: "User " }), link(`#/users/${enc(u)}`, u)))));
  root.appendChild(section("Scores", "session-scores", scoreList(scores.data || [], "scores")));
  const list = h("div", { class: "conversation", "data-testid": "session-traces" }, (sn.traces || []).map((t) =>
    h("article", { class: "turn", dataset: { traceId: t.id } },
      h("div", { class: "turn-head" },
        h("a", { href: `#/traces/${enc(t.id)}`, text: t.name || t.id }), " ",
        h("span", { class: "muted", text: `${fmtTime(t.timestamp)} · ${fmtDuration(t.latency)} · ${fmtNumber(t.usage ? t.usage.total : 0)} tok · ${fmtCost(t.totalCost)}` }),
        t.level === "ERROR" || t.level === "WARNING" ? levelBadge(t.level) : null),
      h("div", { class: "bubble role-user" }, h("div", { class: "role", text: "input" }), renderValue(t.input)),
      h("div", { class: "bubble role-assistant" }, h("div", { class: "role", text: "output" }), renderValue(t.output)))));
  root.appendChild(h("section", { class: "block" }, h("h3", { text: "Conversation" }), list,
    sn.tracesTruncated ? h("p", { class: "muted", text: "Only the first 1000 traces are shown." }) : null));
  setReady("session");
}

// ---------------------------------------------------------------- users

async function usersPage(token, query) {
  const page = Math.max(1, parseInt(query.get("page"), 10) || 1);
  const result = await api("/api/public/users", { page, limit: 50, environment: envParam() });
  if (!current(token)) return;
  const rows = result.data.map((u) => {
    const row = h("tr", { class: "clickable", dataset: { userId: u.id } },
      h("td", null, link(`#/users/${enc(u.id)}`, u.id)),
      h("td", { class: "nowrap", text: fmtTime(u.firstSeen) }),
      h("td", { class: "nowrap", text: fmtTime(u.lastSeen) }),
      h("td", { class: "num", text: fmtNumber(u.traceCount) }),
      h("td", { class: "num", text: fmtNumber(u.sessionCount) }),
      h("td", { class: "num", text: fmtNumber(u.totalTokens) }),
      h("td", { class: "num", text: fmtCost(u.totalCost) }),
      h("td", { class: "num", text: u.errorCount ? fmtNumber(u.errorCount) : "" }));
    row.addEventListener("click", () => { location.hash = `#/users/${enc(u.id)}`; });
    return row;
  });
  const root = clear(main());
  root.appendChild(h("div", { class: "page-head" }, h("h1", { text: "Users" })));
  root.appendChild(h("div", { class: "table-wrap" }, h("table", { class: "grid", "data-testid": "users-table" },
    h("thead", null, h("tr", null, ["User", "First seen", "Last seen", "Traces", "Sessions", "Tokens", "Cost", "Errors"].map((c) => h("th", { text: c })))),
    h("tbody", null, rows))));
  if (!rows.length) root.appendChild(h("p", { class: "empty", text: "No users." }));
  root.appendChild(pager(result.meta, (p) => { location.hash = hashWith("/users", { page: p > 1 ? p : "" }); }));
  setReady("users");
}

async function userPage(token, id) {
  const u = await api(`/api/public/users/${enc(id)}`);
  if (!current(token)) return;
  const root = clear(main());
  const detail = h("div", { "data-testid": "user-detail", dataset: { userId: u.id } },
    h("div", { class: "page-head" }, h("h1", null, "User ", h("code", { text: u.id })), copyButton(u.id, "copy id")),
    h("div", { class: "facts" },
      [["First seen", fmtTime(u.firstSeen)], ["Last seen", fmtTime(u.lastSeen)], ["Traces", fmtNumber(u.traceCount)],
        ["Sessions", fmtNumber(u.sessionCount)], ["Tokens", fmtNumber(u.totalTokens)], ["Cost", fmtCost(u.totalCost)]]
        .map(([k, v]) => h("span", { class: "fact" }, h("span", { class: "muted", text: `${k} ` }), v))),
    h("section", { class: "block", "data-testid": "user-sessions" }, h("h3", { text: "Sessions" }),
      (u.sessionIds || []).length
        ? h("ul", { class: "inline-list" }, u.sessionIds.map((sid) => h("li", { dataset: { sessionId: sid } }, link(`#/sessions/${enc(sid)}`, sid))))
        : h("p", { class: "muted", text: "No sessions." })),
    h("section", { class: "block" }, h("h3", { text: "Traces" }), tracesTable(u.traces || [])));
  root.appendChild(detail);
  setReady("user");
}

// ---------------------------------------------------------------- dashboard

const RANGES = { "1h": 3600e3, "24h": 86400e3, "7d": 7 * 86400e3, "30d": 30 * 86400e3, "90d": 90 * 86400e3 };
const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#475569", "#ea580c"];

async function dashboardPage(token, query) {
  const range = query.get("range") || "24h";
  let to = query.get("to") ? new Date(query.get("to")) : new Date();
  let from = query.get("from") ? new Date(query.get("from")) : new Date(to.getTime() - (RANGES[range] || RANGES["24h"]));
  if (Number.isNaN(to.getTime())) to = new Date();
  if (Number.isNaN(from.getTime())) from = new Date(to.getTime() - RANGES["24h"]);
  const base = { fromTimestamp: from.toISOString(), toTimestamp: to.toISOString() };
  const envFilter = state.environment ? [{ column: "environment", operator: "=", value: state.environment }] : [];
  const metrics = (q) => api("/api/public/v2/metrics", { query: JSON.stringify({ ...base, ...q, filters: [...envFilter, ...(q.filters || [])] }) }).then((r) => r.data || []);
  const time = { timeDimension: { granularity: "auto" } };
  const percentiles = ["p50", "p90", "p95", "p99"].map((p) => ({ measure: "latency", aggregation: p }));
  const [traces, observations, models, traceLatency, generationLatency, users, releases] = await Promise.all([
    metrics({ view: "traces", metrics: [{ measure: "count", aggregation: "count" }], ...time }),
    metrics({ view: "observations", dimensions: [{ field: "type" }], metrics: [{ measure: "count", aggregation: "count" }], ...time }),
    metrics({ view: "observations", dimensions: [{ field: "providedModelName" }], metrics: [{ measure: "totalCost", aggregation: "sum" }, { measure: "totalTokens", aggregation: "sum" }], filters: [{ column: "type", operator: "=", value: "GENERATION" }], ...time }),
    metrics({ view: "traces", dimensions: [{ field: "name" }], metrics: percentiles }),
    metrics({ view: "observations", dimensions: [{ field: "name" }], metrics: percentiles, filters: [{ column: "type", operator: "=", value: "GENERATION" }] }),
    metrics({ view: "traces", dimensions: [{ field: "userId" }], metrics: [{ measure: "totalCost", aggregation: "sum" }, { measure: "count", aggregation: "count" }] }),
    metrics({ view: "traces", dimensions: [{ field: "release" }, { field: "version" }], metrics: [{ measure: "errorCount", aggregation: "sum" }, { measure: "count", aggregation: "count" }] }),
  ]);
  if (!current(token)) return;
  const go = (changes) => { location.hash = hashWith("/dashboard", { range, from: query.get("from") || "", to: query.get("to") || "", ...changes }); };
  const rangeSelect = h("select", { "data-testid": "range", onChange: (e) => go({ range: e.target.value, from: "", to: "" }) },
    Object.keys(RANGES).map((r) => h("option", { value: r, text: `last ${r}` })));
  rangeSelect.value = range;
  const localInput = (name, date) => h("input", { type: "datetime-local", name, value: toLocalInput(date), onChange: (e) => go({ [name]: toIso(e.target.value) || "" }) });
  const root = clear(main());
  const grid = h("div", { class: "charts" });
  const dash = h("div", { "data-testid": "dashboard", class: "dashboard" },
    h("div", { class: "page-head" }, h("h1", { text: "Dashboard" }), rangeSelect,
      h("label", { class: "inline" }, "From ", localInput("from", from)), h("label", { class: "inline" }, "To ", localInput("to", to))),
    grid);
  root.appendChild(dash);
  const card = (title, chart, note) => grid.appendChild(h("section", { class: "card" }, h("h3", { text: title }), chart, note ? h("p", { class: "muted", text: note }) : null));

  card("Traces over time", timeChart("traces", seriesBy(traces, () => "traces", "count_count"), { bars: true }),
    `${fmtNumber(traces.reduce((a, r) => a + (r.count_count || 0), 0))} traces`);
  card("Observations over time (by type)", timeChart("observations", seriesBy(observations, (r) => r.type || "?", "count_count"), { bars: true }));
  card("Cost by model over time", timeChart("cost-by-model", seriesBy(models, (r) => r.providedModelName || "(no model)", "sum_totalCost"), { format: fmtCost }));
  card("Tokens by model over time", timeChart("tokens-by-model", seriesBy(models, (r) => r.providedModelName || "(no model)", "sum_totalTokens"), { format: fmtNumber }));
  const latencyItems = (rows) => rows.map((r) => ({ label: r.name || "(unnamed)", values: ["p50", "p90", "p95", "p99"].map((p) => r[`${p}_latency`] || 0) }))
    .sort((a, b) => b.values[3] - a.values[3]).slice(0, 15);
  const msFormat = (v) => fmtDuration(v / 1000);
  card("Trace latency p50 / p90 / p95 / p99 by name", barChart("latency-by-trace-name", latencyItems(traceLatency), ["p50", "p90", "p95", "p99"], msFormat));
  card("Generation latency p50 / p90 / p95 / p99 by name", barChart("latency-by-generation-name", latencyItems(generationLatency), ["p50", "p90", "p95", "p99"], msFormat));
  const userItems = users.map((r) => ({ label: r.userId || "(no user)", values: [r.sum_totalCost || 0] })).sort((a, b) => b.values[0] - a.values[0]).slice(0, 15);
  card("Cost per user (top 15)", barChart("cost-by-user", userItems, ["cost"], fmtCost));
  const releaseItems = releases.map((r) => ({ label: `${r.release || "(no release)"} / ${r.version || "(no version)"}`, values: [r.count_count ? (r.sum_errorCount || 0) / r.count_count : 0], note: `${fmtNumber(r.sum_errorCount || 0)} of ${fmtNumber(r.count_count || 0)}` }))
    .sort((a, b) => b.values[0] - a.values[0]).slice(0, 15);
  card("Error rate by release / version", barChart("error-rate-by-release", releaseItems, ["error rate"], (v) => `${(v * 100).toFixed(1)}%`));
  setReady("dashboard");
}

function toLocalInput(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Groups metric rows into time series: {name, points: Map(time -> value)}. */
function seriesBy(rows, nameOf, field) {
  const series = new Map();
  for (const r of rows) {
    const name = nameOf(r);
    if (!series.has(name)) series.set(name, new Map());
    const t = Date.parse(r.time_dimension);
    series.get(name).set(t, (series.get(name).get(t) || 0) + (r[field] || 0));
  }
  return [...series.entries()].map(([name, points]) => ({ name, points }));
}

function legend(names) {
  return h("div", { class: "legend" }, names.map((name, i) => {
    const swatch = h("span", { class: "swatch" });
    swatch.style.background = PALETTE[i % PALETTE.length];
    return h("span", { class: "legend-item" }, swatch, name);
  }));
}

function emptyChart(name) {
  return h("div", null, s("svg", { "data-chart": name, class: "chart", width: 520, height: 60, viewBox: "0 0 520 60" },
    s("text", { x: 260, y: 34, class: "chart-empty", "text-anchor": "middle", text: "No data in this range" })));
}

/** A time-series chart: stacked bars (`bars`) or lines, one colour per series. */
function timeChart(name, series, { bars = false, format = fmtNumber } = {}) {
  const times = [...new Set(series.flatMap((sr) => [...sr.points.keys()]))].sort((a, b) => a - b);
  if (!times.length) return emptyChart(name);
  const W = 520, H = 220, L = 56, R = 10, T = 10, B = 34;
  const totals = times.map((t) => series.reduce((a, sr) => a + (sr.points.get(t) || 0), 0));
  const max = Math.max(1e-12, ...(bars ? totals : series.flatMap((sr) => [...sr.points.values()])));
  // Positioned by time (gaps stay visible); `i` indexes `times`.
  const t0 = times[0], t1 = times[times.length - 1];
  const step = times.reduce((m, t, i) => (i ? Math.min(m, t - times[i - 1]) : m), Infinity);
  const pad0 = bars && Number.isFinite(step) ? step / 2 : 0;
  const x = (i) => (t1 === t0 ? L + (W - L - R) / 2 : L + ((times[i] - t0 + pad0) / (t1 - t0 + 2 * pad0)) * (W - L - R));
  const y = (v) => T + (H - T - B) * (1 - v / max);
  const svg = s("svg", { "data-chart": name, class: "chart", width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img" });
  for (const f of [0, 0.5, 1]) {
    svg.appendChild(s("line", { x1: L, x2: W - R, y1: y(max * f), y2: y(max * f), class: "gridline" }));
    svg.appendChild(s("text", { x: L - 4, y: y(max * f) + 4, "text-anchor": "end", class: "axis-label", text: format(max * f) }));
  }
  const label = (t) => { const d = new Date(t); return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`; };
  const ticks = Math.min(times.length, 4);
  for (let k = 0; k < ticks; k++) {
    const i = ticks === 1 ? 0 : Math.round((k * (times.length - 1)) / (ticks - 1));
    svg.appendChild(s("text", { x: x(i), y: H - 12, "text-anchor": "middle", class: "axis-label", text: label(times[i]) }));
  }
  if (bars) {
    const slot = t1 === t0 ? (W - L - R) / 3 : ((W - L - R) * step) / (t1 - t0 + 2 * pad0);
    const bw = Math.max(1, Math.min(30, slot * 0.8));
    times.forEach((t, i) => {
      let acc = 0;
      series.forEach((sr, j) => {
        const v = sr.points.get(t) || 0;
        if (!v) return;
        const rect = s("rect", { x: x(i) - bw / 2, y: y(acc + v), width: bw, height: Math.max(0.5, y(acc) - y(acc + v)), fill: PALETTE[j % PALETTE.length], class: "bar-rect" },
          s("title", { text: `${label(t)} ${sr.name}: ${format(v)}` }));
        svg.appendChild(rect);
        acc += v;
      });
    });
  } else {
    series.forEach((sr, j) => {
      const pts = times.map((t, i) => `${x(i)},${y(sr.points.get(t) || 0)}`).join(" ");
      svg.appendChild(s("polyline", { points: pts, fill: "none", stroke: PALETTE[j % PALETTE.length], "stroke-width": 2, class: "series" }, s("title", { text: sr.name })));
      times.forEach((t, i) => {
        const v = sr.points.get(t);
        if (v) svg.appendChild(s("circle", { cx: x(i), cy: y(v), r: 2.5, fill: PALETTE[j % PALETTE.length] }, s("title", { text: `${label(t)} ${sr.name}: ${format(v)}` })));
      });
    });
  }
  return h("div", null, svg, series.length > 1 || !bars ? legend(series.map((sr) => sr.name)) : null);
}

/** Horizontal grouped bars: items [{label, values[]}] with one colour per key. */
function barChart(name, items, keys, format) {
  if (!items.length) return emptyChart(name);
  const W = 520, L = 150, R = 70, rowH = 6 + keys.length * 9;
  const H = 10 + items.length * (rowH + 6);
  const max = Math.max(1e-12, ...items.flatMap((it) => it.values));
  const svg = s("svg", { "data-chart": name, class: "chart", width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: "img" });
  items.forEach((it, i) => {
    const top = 6 + i * (rowH + 6);
    const text = it.label.length > 22 ? `${it.label.slice(0, 21)}…` : it.label;
    svg.appendChild(s("text", { x: L - 6, y: top + rowH / 2 + 4, "text-anchor": "end", class: "axis-label", text }, s("title", { text: it.label })));
    it.values.forEach((v, k) => {
      const width = Math.max(1, ((W - L - R) * v) / max);
      svg.appendChild(s("rect", { x: L, y: top + 3 + k * 9, width, height: 8, fill: PALETTE[k % PALETTE.length] },
        s("title", { text: `${it.label} ${keys[k]}: ${format(v)}${it.note ? ` (${it.note})` : ""}` })));
      if (k === it.values.length - 1) svg.appendChild(s("text", { x: L + width + 4, y: top + 3 + k * 9 + 8, class: "axis-label", text: format(v) }));
    });
  });
  return h("div", null, svg, keys.length > 1 ? legend(keys) : null);
}

// ---------------------------------------------------------------- start

function start() {
  document.querySelector("select[data-testid=environment]").addEventListener("change", (event) => {
    state.environment = event.target.value;
    if (state.environment) sessionStorage.setItem(ENV_KEY, state.environment); else sessionStorage.removeItem(ENV_KEY);
    // Reload the page with the new environment (list pages back to page 1).
    const { parts } = parseHash();
    const page = parts[0] || "traces";
    const target = parts.length === 1 && page !== "dashboard" ? `#/${page}` : location.hash;
    if (target !== location.hash) location.hash = target;
    else route();
  });
  window.addEventListener("hashchange", route);
  if (!location.hash || location.hash === "#" || location.hash === "#/") {
    history.replaceState(null, "", credentials() ? "#/traces" : "#/signin");
  }
  route();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
