// Chat messages in the normal form the collector stores for every convention (OpenAI's
// chat-completions message: docs/wire-format.md, "Normal form of messages") rendered as
// a conversation: system instructions first, text parts as text, media references
// inline (images, audio, files through the media component), tool calls and tool
// results as labelled blocks with their arguments as pretty JSON. A value in any other
// shape is not a conversation (`normalMessages` answers null) and is left to `renderValue`.
// `renderTurn` shows one turn of a session the same way: the input's last message, the
// output's messages, a list's cut preview as the bubble of the last message it names.

import { contained, h } from "../dom.js";
import { chatMessages, cutPreview, fmtNumber } from "../format.js";
import { jsonTree, renderValue, textWithMedia } from "./values.js";

const ROLES = new Set(["system", "user", "assistant", "tool"]);
const PART_TYPES = new Set(["text", "image_url", "input_audio", "file"]);

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function isPart(part) {
  return isObject(part) && PART_TYPES.has(part.type);
}

function isToolCall(call) {
  return isObject(call) && isObject(call.function) && typeof call.function.name === "string";
}

/** Whether `m` is one message of the normal form. */
function isMessage(m) {
  if (!isObject(m) || !ROLES.has(m.role)) return false;
  const content = m.content;
  const contentOk = content === null || content === undefined || typeof content === "string"
    || (Array.isArray(content) && content.every(isPart));
  const callsOk = m.tool_calls === undefined || (Array.isArray(m.tool_calls) && m.tool_calls.every(isToolCall));
  return contentOk && callsOk && (content !== undefined || m.tool_calls !== undefined);
}

/** The messages of a normal-form input (an array) or output (one message, or one per choice); null otherwise. */
export function normalMessages(value) {
  const list = Array.isArray(value) ? value : [value];
  return list.length && list.every(isMessage) ? list : null;
}

/** A value as a conversation when it is in the normal form, else as `renderValue` shows it. */
export function renderMessages(value) {
  return contained(() => {
    const messages = normalMessages(value);
    return messages ? conversation(messages, value) : renderValue(value);
  });
}

/**
 * One side of a session's turn (`side` "input" or "output", a list's preview of the
 * trace's value) as chat bubbles whatever the convention: of an input its last message,
 * of an output every message; a plain string as a bubble of the side's role; a cut
 * preview as the bubble of the last message it names (other cut values as their start),
 * with the whole value's size; any other value as `renderValue` shows it.
 */
export function renderTurn(value, side) {
  return contained(() => {
    const role = side === "input" ? "user" : "assistant";
    const cut = cutPreview(value);
    if (cut) {
      const shown = cut.role && ROLES.has(cut.role) ? messageView({ role: cut.role, content: cut.text }) : textWithMedia(cut.text);
      const note = cut.role ? `last of ${fmtNumber(cut.messages)} message${cut.messages === 1 ? "" : "s"}, ` : "the start, ";
      return h("div", { class: "chat" }, shown,
        h("div", { class: "muted", "data-testid": "cut-note", text: `${note}${fmtNumber(cut.chars)} characters in all: the trace has the whole value` }));
    }
    if (typeof value === "string" && value) return h("div", { class: "chat" }, messageView({ role, content: value }));
    const all = chatMessages(value) || chatMessages([value]);
    if (!all) return renderValue(value);
    const shown = side === "input" ? all.slice(-1) : all;
    return normalMessages(shown) ? chatBubbles(shown) : renderValue(shown);
  });
}

function conversation(messages, raw) {
  return h("div", { class: "conversation", "data-testid": "conversation" }, chatBubbles(messages),
    h("details", { class: "raw-json" }, h("summary", { class: "muted", text: "JSON" }), jsonTree(raw, 2)));
}

/** Messages as bubbles, system instructions first, the rest in their order. */
function chatBubbles(messages) {
  const ordered = [...messages.filter((m) => m.role === "system"), ...messages.filter((m) => m.role !== "system")];
  return h("div", { class: "chat" }, ordered.map((m) => contained(() => messageView(m))));
}

function messageView(m) {
  const label = m.role === "tool" ? "tool result" : m.role;
  return h("div", { class: `bubble role-${m.role}`, "data-testid": "message", dataset: { role: m.role } },
    h("div", { class: "role" }, label, m.name ? ` (${String(m.name)})` : null,
      m.tool_call_id ? h("code", { class: "call-id", text: String(m.tool_call_id) }) : null),
    contentView(m.content, m.role === "tool"),
    (m.tool_calls || []).map((call) => contained(() => toolCallView(call))));
}

function contentView(content, isToolResult) {
  if (content === null || content === undefined || content === "") return null;
  if (typeof content === "string") return isToolResult ? jsonOrText(content) : textWithMedia(content);
  return h("div", { class: "parts" }, content.map((part) => contained(() => partView(part))));
}

function partView(part) {
  switch (part.type) {
    case "text":
      return textWithMedia(String(part.text ?? ""));
    case "image_url":
      return imageView(isObject(part.image_url) ? part.image_url.url : part.image_url);
    case "input_audio":
      return mediaOrLabel(isObject(part.input_audio) ? part.input_audio.data : null, `audio ${part.input_audio?.format ?? ""}`);
    case "file": {
      const file = isObject(part.file) ? part.file : {};
      return mediaOrLabel(file.file_data ?? file.url, `file ${file.filename ?? ""}`);
    }
    default:
      return jsonTree(part, 1);
  }
}

/** An image part: a media reference or data URI inline, a web URL as a link (the page loads nothing from another host). */
function imageView(url) {
  if (typeof url !== "string") return h("div", { class: "muted", text: "[image]" });
  if (url.startsWith("@@@langfuseMedia:")) return textWithMedia(url);
  if (/^data:image\/(png|jpeg|gif|webp);base64,/.test(url)) return h("img", { src: url, class: "media-img", alt: "image" });
  return urlView(url, "image");
}

/** A media reference inline, a web URL as a link, anything else as a label (inline bytes are never shown raw). */
function mediaOrLabel(data, label) {
  if (typeof data === "string" && data.startsWith("@@@langfuseMedia:")) return textWithMedia(data);
  if (typeof data === "string" && /^https?:\/\//.test(data)) return urlView(data, label);
  const size = typeof data === "string" ? `, ${data.length} characters` : "";
  return h("div", { class: "muted", text: `[${label.trim()}${size}]` });
}

function urlView(url, label) {
  if (!/^https?:\/\//.test(url)) return h("div", { class: "muted", text: `[${label}]` });
  return h("div", null, h("span", { class: "muted", text: `${label}: ` }), h("a", { href: url, text: url, target: "_blank", rel: "noopener noreferrer" }));
}

function toolCallView(call) {
  return h("div", { class: "tool-block", "data-testid": "tool-call", dataset: { tool: call.function.name } },
    h("div", { class: "tool-label" }, h("span", { class: "muted", text: "tool call " }), h("strong", { text: call.function.name }),
      call.id ? h("code", { class: "call-id", text: String(call.id) }) : null),
    jsonOrText(call.function.arguments));
}

/** JSON text (or a JSON value) pretty-printed; other text as text. */
function jsonOrText(value) {
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return textWithMedia(value);
    }
  }
  if (parsed === null || typeof parsed !== "object") return textWithMedia(typeof value === "string" ? value : String(value));
  return h("pre", { class: "json-pretty", text: JSON.stringify(parsed, null, 2) });
}
