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

export function safeStringify(value, indent) {
  try {
    return JSON.stringify(value, null, indent);
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

/** One line of at most `max` characters for a traced value (a chat's last message). */
export function preview(value, max = 120) {
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
