// A playground run on the wire: `POST /api/playground/chat` with the project's keys, and
// its answer read as it arrives. The streamed answer is `text/event-stream`, read with
// `fetch` and the body's `ReadableStream` (an `EventSource` can neither POST nor send the
// Basic header), so its lines are parsed here by hand, as the SSE format says: `event:`
// and `data:` fields, `:` comments, a blank line ending an event, data lines joined.

import { request } from "../api.js";

/** The route every playground run posts to. */
const CHAT_PATH = "/api/playground/chat";

/**
 * Reads the server-sent events of `body` (a `ReadableStream` of bytes), calling
 * `onEvent(name, data)` for each complete event (`name` "message" when unnamed, `data`
 * its data lines joined by newlines), until the stream ends.
 */
export async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let name = "";
  let data = [];
  const line = (text) => {
    if (text === "") {
      if (data.length) onEvent(name || "message", data.join("\n"));
      name = "";
      data = [];
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    // A line ends at \n, \r\n or \r; a \r last in the buffer may be the start of \r\n.
    let match;
    while ((match = /\r\n|\n|\r(?!$)/.exec(buffer))) {
      line(buffer.slice(0, match.index));
      buffer = buffer.slice(match.index + match[0].length);
    }
  }
  // An event not ended by a blank line when the stream ends is dropped, as the format says.
}

/** The JSON of an event's data, or an error naming the event when it is not JSON. */
function parseData(name, data) {
  try {
    return JSON.parse(data);
  } catch {
    throw new Error(`the server sent a ${name} event that is not JSON`);
  }
}

/**
 * Runs one chat of the playground (`body` as the route takes it) and reports what
 * arrives: `onDelta(text)` for each streamed piece, `onToolCall({id, name, arguments})`
 * for each complete tool call, and once `onDone(facts)` (traceId, observationId, model,
 * usage, costUsd, latencyMs, timeToFirstTokenMs, finishReason, and `content` when not
 * streamed) or `onError(message, status)`. `signal` aborts the run.
 */
export async function runChat(body, { onDelta, onToolCall, onDone, onError }, signal) {
  let finished = false;
  const fail = (message, status) => { finished = true; onError(message, status); };
  try {
    const response = await request(CHAT_PATH, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal });
    const type = response.headers.get("content-type") || "";
    if (!response.ok || !type.startsWith("text/event-stream")) {
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) return fail(answer.message || `${response.status} ${response.statusText}`, response.status);
      if (answer.content) onDelta(String(answer.content));
      for (const call of answer.toolCalls || []) onToolCall(call);
      finished = true;
      return onDone(answer);
    }
    await readEvents(response.body, (name, data) => {
      if (finished) return;
      const event = parseData(name, data);
      if (name === "delta") onDelta(String(event.text ?? ""));
      else if (name === "tool_call") onToolCall(event);
      else if (name === "done") { finished = true; onDone(event); }
      else if (name === "error") fail(event.message || "the provider failed", event.status);
    });
    if (!finished) fail("the stream ended without a result", 502);
  } catch (error) {
    if (error.name === "AbortError") return fail("stopped", 0);
    if (!finished) fail(error.message, 0);
    else throw error;
  }
}
