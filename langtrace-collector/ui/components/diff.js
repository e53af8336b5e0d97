// A line diff of two texts: the longest common subsequence of their lines (after the
// common head and tail are set aside), shown as unchanged, removed and added lines with
// their line numbers. Prompt texts are small; inputs beyond the caps below are refused
// with a note instead of diffed, so the table stays bounded.

import { h } from "../dom.js";
import { fmtNumber } from "../format.js";

/** Lines each side may have at most. */
export const MAX_DIFF_LINES = 5000;
/** Cells of the LCS table (changed lines of one side times the other's) at most. */
export const MAX_DIFF_CELLS = 4_000_000;

/**
 * The line diff of `before` and `after`: [{op: "same" | "del" | "add", text, old, new}]
 * (`old`/`new` are 1-based line numbers, absent on the side a line is not in), or null
 * when the texts exceed the caps.
 */
export function diffLines(before, after) {
  const a = String(before).split("\n");
  const b = String(after).split("\n");
  if (a.length > MAX_DIFF_LINES || b.length > MAX_DIFF_LINES) return null;
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail += 1;
  const n = a.length - head - tail;
  const m = b.length - head - tail;
  if (n * m > MAX_DIFF_CELLS) return null;
  // lcs[i * (m + 1) + j]: the LCS length of a's changed lines from i and b's from j.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i * (m + 1) + j] = a[head + i] === b[head + j]
        ? lcs[(i + 1) * (m + 1) + j + 1] + 1
        : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
    }
  }
  const out = [];
  const same = (i, j) => out.push({ op: "same", text: a[i], old: i + 1, new: j + 1 });
  for (let k = 0; k < head; k += 1) same(k, k);
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[head + i] === b[head + j]) {
      same(head + i, head + j);
      i += 1;
      j += 1;
    } else if (i < n && (j === m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1])) {
      out.push({ op: "del", text: a[head + i], old: head + i + 1 });
      i += 1;
    } else {
      out.push({ op: "add", text: b[head + j], new: head + j + 1 });
      j += 1;
    }
  }
  for (let k = 0; k < tail; k += 1) same(a.length - tail + k, b.length - tail + k);
  return out;
}

const SIGNS = { same: " ", del: "-", add: "+" };

/** The diff of `before` and `after` as a table (`data-testid` `prompt-diff`), with counts of added and removed lines. */
export function diffView(before, after) {
  const lines = diffLines(before, after);
  if (!lines) {
    return h("p", { class: "muted", "data-testid": "prompt-diff", text: `Too large to compare here (at most ${fmtNumber(MAX_DIFF_LINES)} lines a side and ${fmtNumber(MAX_DIFF_CELLS)} changed-line pairs).` });
  }
  const added = lines.filter((l) => l.op === "add").length;
  const removed = lines.filter((l) => l.op === "del").length;
  return h("div", { class: "diff", "data-testid": "prompt-diff" },
    h("div", { class: "muted", "data-testid": "diff-summary", text: added || removed ? `+${added} −${removed} lines` : "no difference" }),
    h("table", { class: "diff-table" }, h("tbody", null, lines.map((l) => h("tr", { class: `diff-${l.op}`, dataset: { op: l.op } },
      h("td", { class: "diff-num", text: l.old ?? "" }),
      h("td", { class: "diff-num", text: l.new ?? "" }),
      h("td", { class: "diff-sign", text: SIGNS[l.op] }),
      h("td", { class: "diff-text", text: l.text }))))));
}
