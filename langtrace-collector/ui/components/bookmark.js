// The star that bookmarks a trace (`PATCH /api/public/traces/{id}` with `bookmarked`),
// in the traces table and on the trace page; `aria-pressed` says what the server stored.

import { h } from "../dom.js";
import { enc } from "../format.js";
import { sendJson, Unauthorized } from "../api.js";

/** The star of `trace` (as the API lists it). */
export function bookmarkButton(trace) {
  let on = Boolean(trace.bookmarked);
  const button = h("button", { type: "button", class: "star", "data-testid": "bookmark" });
  const show = () => {
    button.textContent = on ? "★" : "☆";
    button.setAttribute("aria-pressed", String(on));
    button.title = on ? "Remove the bookmark" : "Bookmark this trace";
  };
  show();
  button.addEventListener("click", async (event) => {
    event.stopPropagation();
    button.disabled = true;
    try {
      const saved = await sendJson("PATCH", `/api/public/traces/${enc(trace.id)}`, { bookmarked: !on });
      on = Boolean(saved.bookmarked);
      show();
    } catch (error) {
      if (!(error instanceof Unauthorized)) button.title = `Error: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
