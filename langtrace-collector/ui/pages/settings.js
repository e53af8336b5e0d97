// The settings page: the project's retention (days, or keep forever; saving prunes at
// once), and what it holds: traces, observations, scores, media and the database's size.

import { clear, h, pageRoot } from "../dom.js";
import { enc, fmtNumber } from "../format.js";
import { api, sendJson } from "../api.js";
import { route, setReady } from "../router.js";
import { isCurrent } from "../state.js";

/** Bytes in words (KiB, MiB, GiB). */
function fmtBytes(bytes) {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = Number(bytes) || 0;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return unit ? `${value.toFixed(1)} ${units[unit]}` : `${value} bytes`;
}

// What the last save answered, shown once by the page it re-renders.
let lastSaved = "";

export async function settingsPage(token) {
  const result = await api("/api/public/projects", { usage: "true" });
  if (!isCurrent(token)) return;
  const project = result.data[0];
  const usage = project.usage || {};
  const retentionPath = `/api/public/projects/${enc(project.id)}/retention`;
  const message = h("p", { class: "muted", "data-testid": "retention-message", text: lastSaved });
  lastSaved = "";
  const days = h("input", { type: "number", min: "1", step: "1", name: "retentionDays", "data-testid": "retention-days",
    value: project.retentionDays == null ? "" : String(project.retentionDays), placeholder: "days" });
  const save = async (retentionDays) => {
    message.textContent = "Saving and pruning…";
    try {
      const answer = await sendJson("PUT", retentionPath, { retentionDays });
      lastSaved = answer.retentionDays == null ? "Traces are kept forever."
        : `Traces are kept ${answer.retentionDays} days; ${fmtNumber(answer.prunedTraces || 0)} older traces were deleted.`;
      route();
    } catch (failure) {
      message.textContent = failure.message;
    }
  };
  const form = h("form", { class: "filters", "data-testid": "retention-form" },
    h("label", { class: "inline" }, "Keep traces for ", days, " days"),
    h("button", { type: "submit", text: "Save" }),
    h("button", { type: "button", class: "link", "data-testid": "keep-forever", text: "Keep forever", onClick: () => save(null) }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = Number(days.value);
    save(days.value === "" ? null : value);
  });
  const row = (label, value, testid) => h("tr", null, h("th", { text: label }), h("td", { class: "num", "data-testid": testid, text: value }));
  const root = clear(pageRoot());
  root.appendChild(h("div", { class: "page-head" }, h("h1", { text: `Settings of ${project.name}` })));
  root.appendChild(h("h2", { text: "Retention" }));
  root.appendChild(h("p", { class: "muted", text: project.retentionDays == null ? "Traces are kept forever."
    : `Traces older than ${project.retentionDays} days are deleted by the pruner.` }));
  root.appendChild(form);
  root.appendChild(message);
  root.appendChild(h("h2", { text: "Disk and counts" }));
  root.appendChild(h("table", { class: "grid", "data-testid": "usage" }, h("tbody", null,
    row("Traces", fmtNumber(usage.traces || 0), "usage-traces"),
    row("Observations", fmtNumber(usage.observations || 0), "usage-observations"),
    row("Scores", fmtNumber(usage.scores || 0), "usage-scores"),
    row("Media files", `${fmtNumber(usage.mediaFiles || 0)} (${fmtBytes(usage.mediaBytes)})`, "usage-media"),
    row("Database (every project)", fmtBytes(usage.databaseBytes), "usage-database"))));
  setReady("settings");
}
