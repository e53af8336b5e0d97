// Pure formatting of values for display: times, durations, costs, numbers, one-line
// previews of traced values, the observation levels and type letters, and the date
// conversions of the datetime inputs. No DOM, no state.

export const pad = (n, w = 2) => String(n).padStart(w, "0");

/** `encodeURIComponent`, short: for ids in routes and API paths. */
export const enc = encodeURIComponent;

/** Milliseconds since the epoch of an ISO time; NaN when absent. */
export const ms = (iso) => (iso ? Date.parse(iso) : NaN);

export const LEVELS = ["DEBUG", "DEFAULT", "WARNING", "ERROR"];

/** The one-letter badge of each observation type. */
export const TYPE_LETTERS = {
  GENERATION: "G", SPAN: "S", EVENT: "E", AGENT: "A", TOOL: "T", CHAIN: "C",
  RETRIEVER: "R", EVALUATOR: "V", EMBEDDING: "M", GUARDRAIL: "U",
};

export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "";
  if (seconds < 0.001) return `${(seconds * 1e6).toFixed(0)}µs`;
  if (seconds < 1) return `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 0)}ms`;
  if (seconds < 60) return `${seconds.toFixed(2)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${Math.round(seconds % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function fmtCost(cost) {
  if (cost === null || cost === undefined || cost === 0) return cost === 0 ? "$0" : "";
  if (cost < 0.01) return `$${Number(cost).toPrecision(3)}`;
  return `$${Number(cost).toFixed(cost < 10 ? 4 : 2)}`;
}

export function fmtNumber(n) {
  if (n === null || n === undefined) return "";
  return Number(n).toLocaleString("en-US");
}

/** JSON text of `value` (its String when it has none: undefined, functions, cycles); never throws. */
export function safeStringify(value, indent) {
  try {
    const text = JSON.stringify(value, null, indent);
    return text === undefined ? String(value) : text;
  } catch {
    return String(value);
  }
}

/** Chat messages in `value` (an array of {role, content} or {messages: [...]}), else null. */
export function chatMessages(value) {
  let list = value;
  if (list && !Array.isArray(list) && typeof list === "object" && Array.isArray(list.messages)) list = list.messages;
  if (!Array.isArray(list) || !list.length) return null;
  const ok = list.every((m) => m && typeof m === "object" && !Array.isArray(m) && typeof m.role === "string" && ("content" in m || "tool_calls" in m || "parts" in m));
  return ok ? list : null;
}

/** The text of one message part: OpenAI `{type: "text", text}`, GenAI `{type: "text", content}`, tool calls and their responses, blobs and URIs; JSON otherwise. */
export function partText(part) {
  if (part === null || part === undefined) return "";
  if (typeof part !== "object") return String(part);
  if (part.type === "tool_call") return `${part.name ?? "tool"}(${safeStringify(part.arguments ?? "")})`;
  if (part.type === "tool_call_response") return safeStringify(part.response ?? part.result ?? "");
  if (part.type === "blob") return `[${part.mime_type || part.modality || "blob"}]`;
  if (part.type === "uri") return String(part.uri ?? "[uri]");
  if (part.type === "image_url") return "[image]";
  if (part.type === "input_audio") return "[audio]";
  if (part.type === "file") return "[file]";
  if (typeof part.text === "string") return part.text;
  if (typeof part.content === "string") return part.content;
  return safeStringify(part);
}

/** The text of a chat message: its `content` (a string or a list of parts), else its `parts`, else its tool calls as `name(arguments)`. */
export function messageText(message) {
  const body = message.content !== undefined && message.content !== null ? message.content : message.parts;
  if (typeof body === "string") return body;
  if (Array.isArray(body)) return body.map(partText).join(" ");
  if (body !== undefined && body !== null) return safeStringify(body);
  if (!Array.isArray(message.tool_calls)) return message.tool_calls !== undefined ? safeStringify(message.tool_calls) : "";
  return message.tool_calls.map((call) => `${call?.function?.name ?? "tool"}(${call?.function?.arguments ?? ""})`).join(" ");
}

/** What precedes the marker of a list's preview of a cut value (docs/collector.md, "Previews"). */
const CUT_MARKER = "…[truncated: ";

/**
 * A list's preview of a cut value split: `text` (before the marker), `chars` (the whole
 * value's length) and, for a conversation, the last message's `role` and the `messages`
 * count; null for a value that is not such a preview.
 */
export function cutPreview(value) {
  if (typeof value !== "string") return null;
  const at = value.lastIndexOf(CUT_MARKER);
  if (at < 0) return null;
  const marker = value.slice(at + CUT_MARKER.length);
  const last = /; the last of (\d+) messages?, role (\w+);/.exec(marker);
  return { text: value.slice(0, at), chars: parseInt(marker, 10) || 0, messages: last ? Number(last[1]) : 0, role: last ? last[2] : null };
}

/** One line of at most `max` characters for a traced value of any shape (a chat's last message); never throws. */
export function preview(value, max = 120) {
  if (value === null || value === undefined) return "";
  let text;
  try {
    const cut = cutPreview(value);
    if (cut) text = `${cut.text}…`;
    else if (typeof value === "string") text = value;
    else {
      // A list of messages, or one message (an output in the normal form).
      const messages = chatMessages(value) || chatMessages([value]);
      text = messages ? messageText(messages[messages.length - 1]) : safeStringify(value);
    }
  } catch {
    text = "";
  }
  text = String(text ?? "").replace(/\s+/g, " ");
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A `datetime-local` input's value as an ISO time; undefined when empty or invalid. */
export function toIso(local) {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** A date as a `datetime-local` input's value. */
export function toLocalInput(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
