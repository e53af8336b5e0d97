// The page of a shared trace (`/share/traces/<id>`, served without keys): the trace
// page's view in read-only mode over the keyless share path (its media too). The state
// turns shared before anything loads, so no key is read or sent from this document;
// users and sessions show as text, and there is no form, so no other route is reachable
// from it.

import { clear, h, pageRoot } from "./dom.js";
import { enc } from "./format.js";
import { publicApi } from "./api.js";
import { setReady } from "./router.js";
import { beginNavigation, enterShared } from "./state.js";
import { showTrace, TRACE_OBSERVATION_LIMIT } from "./pages/trace.js";

/** The trace id of the page's path. */
function sharedId() {
  const raw = location.pathname.replace(/^\/share\/traces\//, "");
  try { return decodeURIComponent(raw); } catch { return raw; }
}

async function start() {
  const id = sharedId();
  enterShared(id);
  const token = beginNavigation();
  const base = `/api/public/share/traces/${enc(id)}`;
  const source = {
    readOnly: true,
    trace: () => publicApi(base, { observationLimit: TRACE_OBSERVATION_LIMIT, observationIo: "preview" }),
    observation: (id) => publicApi(`${base}/observations/${enc(id)}`),
    hash: (_traceId, observationId) => (observationId ? `#observation=${enc(observationId)}` : location.pathname),
  };
  try {
    const trace = await source.trace();
    showTrace(trace, token, source, new URLSearchParams(location.hash.slice(1)).get("observation"));
  } catch (error) {
    clear(pageRoot()).appendChild(h("div", { class: "error", "data-testid": "share-error", text: `This trace is not shared: ${error.message}` }));
    setReady("error");
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
