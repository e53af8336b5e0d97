// Traced values (input, output, metadata) rendered: chat messages as bubbles (content
// strings, OpenAI content parts, GenAI `parts`: text, tool calls and responses, blobs,
// URIs), JSON as a collapsible tree filled lazily, strings as text with media references
// inline. Any value renders: what cannot is shown as a placeholder (`contained`).

import { clear, contained, h } from "../dom.js";
import { chatMessages, fmtNumber } from "../format.js";
import { MEDIA_RE, mediaElement } from "./media.js";

/** Renders input/output/metadata of any shape: chat, JSON tree or text; a placeholder for what cannot be shown. */
export function renderValue(value) {
  return contained(() => valueView(value));
}

function valueView(value) {
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

/** Text with Langfuse media references rendered inline (the first `limit` characters, then on demand). */
export function textWithMedia(text, limit = 20000) {
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
export function jsonTree(value, depth = 0, key) {
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

/** One part of a message's `content` list (OpenAI) or `parts` list (GenAI). */
function partView(part) {
  if (part === null || typeof part !== "object") return jsonTree(part, 1);
  if (typeof part.text === "string") return textWithMedia(part.text);
  if (part.type === "text" && typeof part.content === "string") return textWithMedia(part.content);
  if (part.type === "tool_call") {
    return h("div", { class: "tool-calls" }, h("div", { class: "muted", text: `tool call ${part.name ?? ""}` }), jsonTree(part.arguments ?? null, 1));
  }
  if (part.type === "tool_call_response") {
    return h("div", { class: "tool-calls" }, h("div", { class: "muted", text: "tool response" }), jsonTree(part.response ?? part.result ?? null, 1));
  }
  if (part.type === "uri" && typeof part.uri === "string") return h("div", { class: "muted", text: `${part.mime_type || part.modality || "uri"}: ${part.uri}` });
  if (part.type === "blob") return h("div", { class: "muted", text: `[${part.mime_type || part.modality || "blob"}${typeof part.content === "string" ? `, ${fmtNumber(part.content.length)} characters` : ""}]` });
  const url = part.image_url && (part.image_url.url || part.image_url);
  if (typeof url === "string" && url.startsWith("@@@langfuseMedia")) return textWithMedia(url);
  if (typeof url === "string" && /^data:image\/(png|jpeg|gif|webp);base64,/.test(url)) return h("img", { src: url, class: "media-img", alt: "image" });
  return jsonTree(part, 1);
}

function messageContent(content) {
  if (content === null || content === undefined) return null;
  if (typeof content === "string") return textWithMedia(content);
  if (Array.isArray(content)) return h("div", null, content.map((part) => contained(() => partView(part))));
  return jsonTree(content, 1);
}

function chatView(messages) {
  return h("div", { class: "chat" }, messages.map((m) => contained(() => {
    const role = String(m.role || "unknown");
    const body = m.content !== undefined && m.content !== null ? m.content : m.parts;
    return h("div", { class: `bubble role-${role.replace(/[^a-z_-]/gi, "")}` },
      h("div", { class: "role", text: role + (m.name ? ` (${String(m.name)})` : "") }),
      messageContent(body),
      m.tool_calls ? h("div", { class: "tool-calls" }, h("div", { class: "muted", text: "tool calls" }), jsonTree(m.tool_calls, 1)) : null);
  })));
}
