// Small inline labels: an observation's level, its type letter, and a list of tags.

import { h } from "../dom.js";
import { TYPE_LETTERS } from "../format.js";

export function levelBadge(level) {
  return h("span", { class: `badge level level-${level || "DEFAULT"}`, text: level || "DEFAULT" });
}

export function typeBadge(type) {
  const t = String(type || "SPAN").toUpperCase();
  return h("span", { class: `type type-${t}`, title: t, text: TYPE_LETTERS[t] || t.charAt(0) });
}

export function tagList(tags) {
  if (!Array.isArray(tags) || !tags.length) return null;
  return h("span", { class: "tags" }, tags.map((t) => h("span", { class: "tag", text: String(t) })));
}
