// A prompt's labels: badges, the control that sets a label on a version (promote, roll back:
// Langfuse moves the label off whichever version had it), and the label history (who
// moved which label from which version to which, when).

import { h } from "../dom.js";
import { enc, fmtTime } from "../format.js";
import { sendJson } from "../api.js";

/** Langfuse's label rule (the server checks it too). */
const LABEL_RE = /^[a-z0-9_\-.]+$/;

/** A label as a badge (`production` stands out). */
export function labelBadge(label) {
  const text = String(label ?? "");
  return h("span", { class: `prompt-label${text === "production" ? " production" : ""}`, text });
}

/** Labels as badges, `production` first. */
export function labelList(labels) {
  const sorted = [...(labels || [])].map(String).sort((a, b) => (b === "production") - (a === "production") || a.localeCompare(b));
  return h("span", { class: "tags" }, sorted.map(labelBadge));
}

/** Sets `label` on version `version` of prompt `name`; the updated version. */
export function setLabel(name, version, label) {
  return sendJson("PATCH", `/api/public/v2/prompts/${enc(name)}/versions/${enc(version)}`, { newLabels: [label] });
}

/**
 * The label controls of `version` (a version as the API gives it) of prompt `name`:
 * promote to (or roll back) `production` in one click, or set any label; `onDone()` once
 * the server has moved it. `productionVersion` is the version holding `production`, if any.
 */
export function labelControls(name, version, productionVersion, onDone) {
  const status = h("span", { class: "form-status", "data-testid": "label-status" });
  const run = async (label, button) => {
    button.disabled = true;
    status.classList.remove("error-text");
    status.textContent = "saving…";
    try {
      await setLabel(name, version.version, label);
      status.textContent = `${label} → version ${version.version}`;
      onDone();
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error-text");
      button.disabled = false;
    }
  };
  const isProduction = (version.labels || []).includes("production");
  const rollback = productionVersion !== undefined && productionVersion > version.version;
  const promote = isProduction ? null : h("button", {
    type: "button", class: "primary", "data-testid": "promote",
    text: rollback ? `Roll back production to v${version.version}` : `Promote v${version.version} to production`,
    onClick: (event) => run("production", event.target),
  });
  const input = h("input", { name: "label", placeholder: "label", maxlength: 36, "data-testid": "label-input", class: "label-input" });
  const form = h("form", { class: "label-form" }, input, h("button", { type: "submit", text: "Set label", "data-testid": "set-label" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const label = input.value.trim();
    if (!LABEL_RE.test(label) || label.length > 36) {
      status.textContent = "a label is 1-36 of a-z 0-9 _ - .";
      status.classList.add("error-text");
      return;
    }
    if (label === "latest") {
      status.textContent = "latest always marks the newest version";
      status.classList.add("error-text");
      return;
    }
    run(label, form.querySelector("button"));
  });
  return h("div", { class: "label-controls", "data-testid": "label-controls" }, promote, form, status);
}

/** The label history (`entries` as the API lists them, newest first) as a table. */
export function labelHistory(entries) {
  if (!entries.length) return h("p", { class: "muted", "data-testid": "label-history", text: "No label has moved yet." });
  const version = (v) => (v === null || v === undefined ? "—" : `v${v}`);
  return h("div", { class: "table-wrap" }, h("table", { class: "grid", "data-testid": "label-history" },
    h("thead", null, h("tr", null, ["When", "Label", "From", "To", "By (public key)"].map((c) => h("th", { text: c })))),
    h("tbody", null, entries.map((e) => h("tr", { dataset: { label: e.label } },
      h("td", { class: "nowrap", text: fmtTime(e.timestamp) }),
      h("td", null, labelBadge(e.label)),
      h("td", { text: version(e.fromVersion) }),
      h("td", { text: version(e.toVersion) }),
      h("td", null, h("code", { text: String(e.publicKey ?? "") })))))));
}
