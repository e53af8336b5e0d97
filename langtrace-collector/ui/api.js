// The collector's HTTP API as the UI uses it: authenticated requests (a 401 signs out;
// none at all on a shared trace's page), JSON GETs with query parameters, keyless GETs of
// the share path, checking a key pair, posting a score, sending JSON
// (prompt versions and labels), and fetching media into blob URLs (cached per project by
// the state).

import { enc } from "./format.js";
import { cachedMedia, credentials, signOut, state } from "./state.js";

/** Thrown by requests the server refused for the keys; the UI has signed out already. */
export class Unauthorized extends Error {}

/** The `Authorization: Basic` value of a key pair. */
export function basicAuth(publicKey, secretKey) {
  const bytes = new TextEncoder().encode(`${publicKey}:${secretKey}`);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** A request with the current keys; on 401 signs out (to the sign-in page) and throws `Unauthorized`. Refused on a shared trace's page. */
export async function request(path, options = {}) {
  if (state.shared !== null) throw new Error("not available on a shared trace");
  const auth = credentials();
  const headers = { ...(options.headers || {}) };
  if (auth) headers.Authorization = `Basic ${auth}`;
  const response = await fetch(path, { ...options, headers, credentials: "omit", cache: "no-store" });
  if (response.status === 401) {
    signOut();
    location.hash = "#/signin";
    throw new Unauthorized("unauthorized");
  }
  return response;
}

/** `path` with the query of `params` (empty ones left out, arrays repeated). */
function withParams(path, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) v.forEach((item) => query.append(k, item));
    else query.set(k, v);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** The JSON body of `response`; throws with the server's message when it is not OK. */
async function jsonOf(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || `${response.status} ${response.statusText}`);
  return body;
}

/** GETs `path` with `params` (empty ones left out, arrays repeated); the JSON body. */
export async function api(path, params) {
  return jsonOf(await request(withParams(path, params)));
}

/** GETs `path` with `params` without any key (the share path); the JSON body. */
export async function publicApi(path, params) {
  return jsonOf(await fetch(withParams(path, params), { credentials: "omit", cache: "no-store" }));
}

/** Lists the projects of the key pair `auth` (not the current one); the response, or null when unreachable. */
export function projectsOf(auth) {
  return fetch("/api/public/projects", { headers: { Authorization: `Basic ${auth}` }, credentials: "omit" }).catch(() => null);
}

/** Stores a score; throws with the server's message when refused. */
export async function postScore(score) {
  const response = await request("/api/public/scores", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(score) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.message || response.statusText);
}

/** The media `id` as a blob URL with its type and size (once per project; on a shared trace's page, through the share path). */
export function mediaUrl(id) {
  return cachedMedia(id, async () => {
    if (state.shared !== null) {
      const response = await fetch(`/api/public/share/traces/${enc(state.shared)}/media/${enc(id)}`, { credentials: "omit", cache: "no-store" });
      return blobUrl(response, null);
    }
    const info = await api(`/api/public/media/${enc(id)}`);
    let path = `/api/public/media/${enc(id)}/content`;
    if (info.url) {
      try { const u = new URL(info.url, location.href); path = u.pathname + u.search; } catch { /* keep default */ }
    }
    return blobUrl(await request(path), info.contentLength);
  });
}

/** The media bytes `response` carries as {url (a blob: URL), type, size (`size`, else the bytes')}. */
async function blobUrl(response, size) {
  if (!response.ok) throw new Error(`media ${response.status}`);
  const blob = await response.blob();
  // Shown inline only as what the server served it as; anything else is a download, typed so no browser renders it.
  const inline = /^(image|audio|video)\//.test(blob.type);
  return { url: URL.createObjectURL(inline ? blob : blob.slice(0, blob.size, "application/octet-stream")), type: blob.type, size: size ?? blob.size };
}

/** Sends `body` as JSON with `method` to `path`; the JSON answer, or throws with the server's message when refused. */
export async function sendJson(method, path, body) {
  const response = await request(path, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.message || `${response.status} ${response.statusText}`);
  return answer;
}

/** Runs `task(item, index)` over `items`, at most `limit` at a time; the results in order (each `{value}` or `{error}`). */
export async function mapConcurrently(items, limit, task) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      try {
        results[index] = { value: await task(items[index], index) };
      } catch (error) {
        if (error instanceof Unauthorized) throw error;
        results[index] = { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
