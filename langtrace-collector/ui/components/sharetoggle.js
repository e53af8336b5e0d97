// The trace page's share toggle: makes the trace public or private
// (`PATCH /api/public/traces/{id}` with `public`) and, while it is public, shows its share
// link (`/share/traces/<id>`, readable without keys) with a copy button.

import { append, clear, copyButton, h } from "../dom.js";
import { enc } from "../format.js";
import { sendJson, Unauthorized } from "../api.js";

/** The share toggle and link of `trace` (as the API returns it). */
export function shareToggle(trace) {
  let on = Boolean(trace.public);
  const url = `${location.origin}/share/traces/${enc(trace.id)}`;
  const button = h("button", { type: "button", "data-testid": "share-toggle" });
  const linkBox = h("span", { class: "share-link" });
  const show = () => {
    button.textContent = on ? "Shared · stop sharing" : "Share";
    button.setAttribute("aria-pressed", String(on));
    clear(linkBox);
    if (on) append(linkBox, [h("a", { href: url, target: "_blank", rel: "noopener noreferrer", "data-testid": "share-link", text: url }), copyButton(url, "copy link")]);
  };
  show();
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const saved = await sendJson("PATCH", `/api/public/traces/${enc(trace.id)}`, { public: !on });
      on = Boolean(saved.public);
      show();
    } catch (error) {
      if (!(error instanceof Unauthorized)) button.title = `Error: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  return h("span", { class: "share" }, button, linkBox);
}
