// One prompt version rendered: a text prompt as text, a chat prompt as its messages and
// placeholders, with `{{variables}}` marked and `@@@langfusePrompt:...@@@` composition
// tags shown as links to the prompt they include; the variables and placeholders it
// takes; its config as JSON. Also the plain-text form of a version that the diff
// compares. Prompt text is data: built with textContent only.

import { h } from "../dom.js";
import { enc, safeStringify } from "../format.js";
import { jsonTree } from "./values.js";

// Langfuse's variable rule: `{{name}}`, name a letter then letters, digits or `_`.
const VARIABLE_RE = /\{\{([^{}]*)\}\}/g;
const VARIABLE_NAME_RE = /^\p{L}[\p{L}\p{N}_]*$/u;
// A composition tag: `name=X|label=L` or `name=X|version=N`.
const TAG_RE = /@@@langfusePrompt:(.*?)@@@/g;

/** The prompt a composition tag's body names: {name, label} or {name, version}; null when malformed. */
export function parseTag(body) {
  const parts = body.split("|");
  if (parts.length !== 2 || !parts[0].startsWith("name=")) return null;
  const name = parts[0].slice(5);
  if (!name) return null;
  if (parts[1].startsWith("label=")) return { name, label: parts[1].slice(6) };
  if (/^version=\d+$/.test(parts[1])) return { name, version: Number(parts[1].slice(8)) };
  return null;
}

/** The messages of a chat prompt, or null for a text prompt. */
function messagesOf(version) {
  return version.type === "chat" && Array.isArray(version.prompt) ? version.prompt : null;
}

const isPlaceholder = (m) => m && m.type === "placeholder";

/** Every text of a version: the text prompt, or each chat message's content. */
function textsOf(version) {
  const messages = messagesOf(version);
  if (!messages) return [typeof version.prompt === "string" ? version.prompt : safeStringify(version.prompt)];
  return messages.filter((m) => !isPlaceholder(m)).map((m) => (typeof m.content === "string" ? m.content : safeStringify(m.content)));
}

/** The variables a version takes (in order of first use) and its placeholders' names. */
export function inputsOf(version) {
  const variables = [];
  for (const text of textsOf(version)) {
    for (const match of text.matchAll(VARIABLE_RE)) {
      const name = match[1].trim();
      if (VARIABLE_NAME_RE.test(name) && !variables.includes(name)) variables.push(name);
    }
  }
  const placeholders = (messagesOf(version) || []).filter(isPlaceholder).map((m) => String(m.name));
  return { variables, placeholders };
}

/** The prompts a version includes through composition tags. */
export function dependenciesOf(version) {
  const found = [];
  for (const text of textsOf(version)) {
    for (const match of text.matchAll(TAG_RE)) {
      const tag = parseTag(match[1]);
      if (tag && !found.some((t) => t.name === tag.name && t.label === tag.label && t.version === tag.version)) found.push(tag);
    }
  }
  return found;
}

/** A version as plain text, for the diff: the text or the messages (`role: content`, placeholders), then the config. */
export function versionText(version) {
  const messages = messagesOf(version);
  const body = messages
    ? messages.map((m) => (isPlaceholder(m) ? `[placeholder: ${m.name}]` : `${m.role}: ${typeof m.content === "string" ? m.content : safeStringify(m.content)}`)).join("\n")
    : textsOf(version)[0];
  const config = version.config && typeof version.config === "object" && Object.keys(version.config).length ? version.config : null;
  return config ? `${body}\n\nconfig: ${safeStringify(config, 2)}` : body;
}

/** The address of the prompt a composition tag names. */
export function tagHref(tag) {
  const query = tag.version !== undefined ? `version=${tag.version}` : `label=${enc(tag.label)}`;
  return `#/prompts/${enc(tag.name)}?${query}`;
}

/** `text` with its variables marked and its composition tags as links. */
function markedText(text) {
  const box = h("div", { class: "text prompt-text" });
  const pattern = new RegExp(`${VARIABLE_RE.source}|${TAG_RE.source}`, "g");
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) box.appendChild(document.createTextNode(text.slice(last, match.index)));
    const tag = match[2] !== undefined ? parseTag(match[2]) : null;
    if (tag) box.appendChild(h("a", { class: "prompt-tag", href: tagHref(tag), "data-testid": "prompt-dependency", text: match[0] }));
    else if (match[1] !== undefined && VARIABLE_NAME_RE.test(match[1].trim())) box.appendChild(h("span", { class: "prompt-var", text: match[0] }));
    else box.appendChild(document.createTextNode(match[0]));
    last = match.index + match[0].length;
  }
  if (last < text.length) box.appendChild(document.createTextNode(text.slice(last)));
  return box;
}

/** A version's body: its text, or its messages and placeholders (`data-testid` `prompt-content`). */
export function templateView(version) {
  const messages = messagesOf(version);
  if (!messages) return h("div", { "data-testid": "prompt-content" }, markedText(textsOf(version)[0]));
  return h("div", { class: "chat", "data-testid": "prompt-content" }, messages.map((m) => {
    if (isPlaceholder(m)) {
      return h("div", { class: "bubble placeholder-message", "data-testid": "prompt-placeholder" },
        h("div", { class: "role", text: "placeholder" }), h("code", { text: `{{${String(m.name)}}}` }),
        h("span", { class: "muted", text: " a list of messages, given at compile time" }));
    }
    const role = String(m.role ?? "unknown");
    return h("div", { class: `bubble role-${role.replace(/[^a-z_-]/gi, "")}`, "data-testid": "prompt-message" },
      h("div", { class: "role", text: role }),
      markedText(typeof m.content === "string" ? m.content : safeStringify(m.content)));
  }));
}

/** What a version takes and includes: variables, placeholders, composed prompts. */
export function inputsView(version) {
  const { variables, placeholders } = inputsOf(version);
  const dependencies = dependenciesOf(version);
  const list = (label, testid, items) => h("div", { class: "fact" }, h("span", { class: "muted", text: `${label} ` }),
    items.length ? h("span", { class: "inline-list", "data-testid": testid }, items) : h("span", { class: "muted", text: "none" }));
  return h("div", { class: "facts" },
    list("Variables", "prompt-variables", variables.map((v) => h("code", { class: "prompt-var", text: v }))),
    messagesOf(version) ? list("Placeholders", "prompt-placeholders", placeholders.map((p) => h("code", { text: p }))) : null,
    dependencies.length ? list("Includes", "prompt-includes", dependencies.map((t) => h("a", { href: tagHref(t), text: `${t.name} (${t.version !== undefined ? `v${t.version}` : t.label})` }))) : null);
}

/** A version's config as a JSON tree. */
export function configView(config) {
  if (!config || typeof config !== "object" || !Object.keys(config).length) return h("div", { class: "muted", text: "{}" });
  return jsonTree(config, 0);
}
