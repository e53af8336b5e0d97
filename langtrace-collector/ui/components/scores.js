// Scores: the list of a trace's, observation's or session's scores, and the form that
// adds one (numeric or categorical) to a trace or its selected observation.

import { h } from "../dom.js";

function scoreValue(score) {
  if (score.dataType === "NUMERIC") return typeof score.value === "number" ? String(Math.round(score.value * 10000) / 10000) : String(score.value);
  return score.stringValue !== undefined && score.stringValue !== null ? String(score.stringValue) : String(score.value);
}

/** A list (`data-testid` `testid`) of `scores`; `describeTarget(score)` may add what each is on. */
export function scoreList(scores, testid, describeTarget) {
  return h("ul", { class: "scores", "data-testid": testid },
    scores.length ? scores.map((sc) => h("li", { class: "score", dataset: { scoreName: sc.name, scoreId: sc.id } },
      h("span", { class: "score-name", text: sc.name }),
      h("span", { class: "score-value", text: scoreValue(sc) }),
      h("span", { class: "muted", text: ` ${sc.dataType || ""} · ${sc.source || ""}` }),
      describeTarget ? describeTarget(sc) : null,
      sc.comment ? h("div", { class: "score-comment", text: sc.comment }) : null))
      : h("li", { class: "muted", text: "No scores." }));
}

/**
 * The form adding a score to `trace`, or to the observation `selected()` returns (null:
 * none). On submit it calls `save(score, report)`, where `report(message)` shows how it went.
 */
export function scoreForm(trace, selected, save) {
  const status = h("span", { class: "form-status" });
  const targetSelect = h("select", { name: "target" },
    h("option", { value: "trace", text: "the trace" }),
    h("option", { value: "observation", text: "the selected observation" }));
  const form = h("form", { class: "score-form", "data-testid": "score-form" },
    h("input", { name: "name", placeholder: "name", required: true }),
    h("input", { name: "value", placeholder: "value (number or category)", required: true }),
    h("input", { name: "comment", placeholder: "comment (optional)" }),
    h("label", { class: "inline" }, "on ", targetSelect),
    h("button", { type: "submit", class: "primary", text: "Add score" }), status);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const raw = form.elements.value.value.trim();
    const number = Number(raw);
    const score = { traceId: trace.id, name: form.elements.name.value.trim(), environment: trace.environment };
    if (raw !== "" && Number.isFinite(number)) { score.value = number; score.dataType = "NUMERIC"; } else { score.value = raw; score.dataType = "CATEGORICAL"; }
    const comment = form.elements.comment.value.trim();
    if (comment) score.comment = comment;
    if (targetSelect.value === "observation") {
      const observation = selected();
      if (!observation) { status.textContent = "Select an observation first."; return; }
      score.observationId = observation;
    }
    status.textContent = "Saving…";
    save(score, (message) => { status.textContent = message; });
  });
  return form;
}
