// Comments on a trace, an observation or a session: the list (newest first, each shown
// as text) and the form that adds one, over Langfuse's comments API.

import { clear, h } from "../dom.js";
import { fmtTime } from "../format.js";
import { api, sendJson, Unauthorized } from "../api.js";

/** Characters a comment holds at most (the server's limit). */
const MAX_CHARS = 3000;
/** Comments shown at most (the newest). */
const SHOWN = 100;

/** A block (`data-testid` `testid`) listing the comments on `objectType` `objectId`, with a form adding one. */
export function commentsBlock(objectType, objectId, testid) {
  const list = h("ul", { class: "comments", "data-testid": `${testid}-list` }, h("li", { class: "muted", text: "Loading…" }));
  const status = h("span", { class: "form-status" });
  const text = h("textarea", { name: "content", rows: 2, maxlength: MAX_CHARS, placeholder: "Add a comment" });
  const form = h("form", { class: "comment-form", "data-testid": `${testid}-form` },
    text, h("button", { type: "submit", class: "primary", text: "Comment" }), status);
  const load = async () => {
    try {
      const page = await api("/api/public/comments", { objectType, objectId, limit: SHOWN });
      show(list, page.data || []);
    } catch (error) {
      if (error instanceof Unauthorized) return;
      clear(list).appendChild(h("li", { class: "error-text", text: `Comments cannot be loaded: ${error.message}` }));
    }
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) { status.textContent = "Write something first."; return; }
    status.textContent = "Saving…";
    try {
      await sendJson("POST", "/api/public/comments", { objectType, objectId, content: text.value });
      text.value = "";
      status.textContent = "";
      await load();
    } catch (error) {
      if (!(error instanceof Unauthorized)) status.textContent = `Error: ${error.message}`;
    }
  });
  load();
  return h("section", { class: "block comments-block", "data-testid": testid }, h("h3", { text: "Comments" }), list, form);
}

/** Fills `list` with `comments`; marks it loaded with their count. */
function show(list, comments) {
  clear(list);
  list.dataset.count = String(comments.length);
  if (!comments.length) list.appendChild(h("li", { class: "muted", text: "No comments." }));
  for (const c of comments) {
    list.appendChild(h("li", { class: "comment", dataset: { commentId: c.id } },
      h("div", { class: "muted comment-head", text: `${c.authorUserId || "anonymous"} · ${fmtTime(c.createdAt)}` }),
      h("div", { class: "comment-content", text: c.content })));
  }
}
