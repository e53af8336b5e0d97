// One prompt (`#/prompts/<name>?version=N&compare=M`): its versions as a timeline
// (labels, commit message, who and when), the selected version rendered (messages and
// placeholders, variables, config; a composed one also resolved) with its label controls
// and a form for a new version from it, a line diff against any other version, the
// per-version metrics of the generations linked to it (with `generations=1`, the
// selected version's generations listed), and the label history.

import { clear, contained, copyButton, h, pageRoot, section } from "../dom.js";
import { enc, fmtNumber, fmtTime } from "../format.js";
import { api } from "../api.js";
import { hashWith, route, setReady } from "../router.js";
import { isCurrent } from "../state.js";
import { tagList } from "../components/badges.js";
import { diffView } from "../components/diff.js";
import { newVersionForm } from "../components/promptform.js";
import { loadVersionGenerations, versionGenerationsView } from "../components/promptgenerations.js";
import { labelControls, labelHistory, labelList } from "../components/promptlabels.js";
import { loadPromptMetrics, promptMetricsTable } from "../components/promptmetrics.js";
import { promptPlaygroundHref } from "../components/playgroundopen.js";
import { configView, dependenciesOf, inputsView, templateView, versionText } from "../components/template.js";

/** Versions a prompt page loads at most (the newest); older ones are counted, not shown. */
const MAX_VERSIONS = 50;

const promptPath = (name) => `/api/public/v2/prompts/${enc(name)}`;

/** The address of version `version` of prompt `name`, with `extra` query parameters. */
export function promptHref(name, version, extra = {}) {
  return hashWith(`/prompts/${enc(name)}`, { version, ...extra });
}

/** The versions of prompt `name` (the newest `MAX_VERSIONS`, newest first, unresolved) and how many there are. */
async function loadVersions(name) {
  const listed = await api("/api/public/v2/prompts", { name, limit: 1 });
  const meta = (listed.data || []).find((p) => p.name === name);
  if (!meta) throw new Error(`Prompt not found: ${name}`);
  const numbers = [...(meta.versions || [])].map(Number).sort((a, b) => b - a);
  const shown = numbers.slice(0, MAX_VERSIONS);
  const versions = await Promise.all(shown.map((version) => api(promptPath(name), { version, resolve: "false" })));
  return { meta, versions, total: numbers.length };
}

/** The version the address asks for: `version=N`, else `label=L`, else `production`, else the newest. */
function chooseVersion(versions, query) {
  const asked = Number(query.get("version"));
  const label = query.get("label");
  return versions.find((v) => v.version === asked)
    || (label && versions.find((v) => (v.labels || []).includes(label)))
    || versions.find((v) => (v.labels || []).includes("production"))
    || versions[0];
}

export async function promptPage(token, name, query) {
  const [{ meta, versions, total }, history, metrics] = await Promise.all([
    loadVersions(name),
    api(`${promptPath(name)}/labels/history`).then((r) => r.data || [], () => null),
    loadPromptMetrics(name).catch(() => null),
  ]);
  if (!isCurrent(token)) return;
  const selected = chooseVersion(versions, query);
  // A composed version is also shown resolved, as clients receive it.
  const [generations, resolved] = await Promise.all([
    query.get("generations") ? loadVersionGenerations(name, selected.version) : null,
    dependenciesOf(selected).length ? api(promptPath(name), { version: selected.version }) : null,
  ]);
  if (!isCurrent(token)) return;
  const others = versions.filter((v) => v !== selected);
  const comparedNumber = Number(query.get("compare"));
  const compared = others.find((v) => v.version === comparedNumber) || others.find((v) => v.version < selected.version) || others[0];
  const production = versions.find((v) => (v.labels || []).includes("production"));
  const reload = () => route();

  const root = clear(pageRoot());
  root.appendChild(h("div", { class: "page-head" },
    h("h1", null, "Prompt ", h("code", { "data-testid": "prompt-name", text: name })), copyButton(name, "copy name"),
    h("span", { class: "badge", text: meta.type || selected.type || "" }), tagList(meta.tags)));
  root.appendChild(h("p", { class: "muted" },
    h("a", { href: "#/prompts", text: "← all prompts" }),
    ` · ${fmtNumber(total)} version${total === 1 ? "" : "s"}${total > versions.length ? `, the newest ${versions.length} shown` : ""}`));

  const timeline = h("ol", { class: "prompt-timeline", "data-testid": "prompt-versions" }, versions.map((v) => contained(() =>
    h("li", { class: `version-item${v === selected ? " selected" : ""}`, dataset: { version: v.version } },
      h("a", { href: promptHref(name, v.version), class: "version-number", text: `v${v.version}` }), " ",
      labelList(v.labels),
      h("div", { class: "commit-message", text: v.commitMessage || "(no commit message)" }),
      h("div", { class: "muted", text: `${v.createdBy || "?"} · ${fmtTime(v.createdAt)}` })))));

  const compareSelect = h("select", { "data-testid": "compare-version", onChange: (e) => { location.hash = promptHref(name, selected.version, { compare: e.target.value }); } },
    others.map((v) => h("option", { value: v.version, text: `v${v.version}`, selected: v === compared })));
  const diff = compared
    ? h("div", null, h("label", { class: "inline" }, `Changes from `, compareSelect, ` to v${selected.version}`), diffView(versionText(compared), versionText(selected)))
    : h("p", { class: "muted", text: "The only version: nothing to compare." });

  const formSlot = h("div");
  const newVersion = h("button", { type: "button", "data-testid": "new-version", text: `New version from v${selected.version}`, onClick: () => {
    clear(formSlot).appendChild(newVersionForm(name, selected, (created) => { location.hash = promptHref(name, created.version); }));
    newVersion.disabled = true;
  } });

  const detail = h("div", { class: "prompt-detail", "data-testid": "prompt-version", dataset: { version: selected.version } },
    h("div", { class: "panel-head" }, h("h2", { text: `Version ${selected.version}` }), labelList(selected.labels)),
    h("div", { class: "commit-message", text: selected.commitMessage || "" }),
    h("div", { class: "muted", text: `${selected.createdBy || "?"} · ${fmtTime(selected.createdAt)}` }),
    h("div", { class: "edit-actions" }, labelControls(name, selected, production && production.version, reload), newVersion,
      h("a", { class: "button", href: promptPlaygroundHref(name, selected.version), "data-testid": "open-in-playground", text: "Open in playground" })),
    formSlot,
    contained(() => inputsView(selected)),
    section("Prompt", "prompt-body", contained(() => templateView(selected))),
    resolved ? section("Resolved (as clients receive it)", "prompt-resolved", contained(() => templateView(resolved))) : null,
    section("Config", "prompt-config", contained(() => configView(selected.config))),
    section("Diff", "prompt-diff-block", contained(() => diff)));

  root.appendChild(h("div", { class: "prompt-body-grid" },
    section("Versions", "prompt-timeline", timeline),
    detail));
  root.appendChild(section("Generations by version (all environments)", "prompt-metrics-block", metrics
    ? contained(() => promptMetricsTable(metrics, selected.version, (v) => generationsHref(name, v)))
    : h("p", { class: "muted", text: "Metrics are not available." })));
  if (generations) {
    const block = section(`Generations of v${selected.version}`, "prompt-generations-block", contained(() => versionGenerationsView(name, selected.version, generations)));
    root.appendChild(block);
    block.scrollIntoView();
  }
  root.appendChild(section("Label history", "label-history-block", history
    ? contained(() => labelHistory(history))
    : h("p", { class: "muted", text: "The label history is not available." })));
  setReady("prompt");
}

/** Where the generations of version `version` of prompt `name` are listed. */
function generationsHref(name, version) {
  return promptHref(name, version, { generations: 1 });
}
