// Row selection on the traces table and the deletion of the selected traces: a checkbox
// per row and one for the page, a "Delete selected" button, and a confirmation panel
// that names how many traces go before anything is deleted (through
// `DELETE /api/public/traces`, which answers once the deletion is durable).

import { h } from "../dom.js";
import { sendJson } from "../api.js";

/** Adds selection and deletion to `tableWrap` (a traces table); `onDeleted()` runs after a deletion. */
export function withSelection(tableWrap, onDeleted) {
  const selected = new Set();
  const rows = [...tableWrap.querySelectorAll("tbody tr[data-trace-id]")];
  const status = h("span", { class: "muted", "data-testid": "selection-status" });
  const confirmPanel = h("div", { class: "confirm hidden", "data-testid": "delete-confirm", role: "alertdialog" });
  const deleteButton = h("button", { type: "button", "data-testid": "delete-selected", disabled: true, text: "Delete selected" });
  const refresh = () => {
    deleteButton.disabled = selected.size === 0;
    status.textContent = selected.size ? `${selected.size} selected` : "";
    all.checked = rows.length > 0 && selected.size === rows.length;
  };
  const checkbox = (id) => h("input", {
    type: "checkbox", "aria-label": "Select trace", "data-testid": "select-trace",
    onClick: (e) => e.stopPropagation(),
    onChange: (e) => { if (e.target.checked) selected.add(id); else selected.delete(id); refresh(); },
  });
  const all = h("input", {
    type: "checkbox", "aria-label": "Select every trace of this page", "data-testid": "select-all",
    onChange: (e) => {
      for (const box of tableWrap.querySelectorAll("input[data-testid=select-trace]")) {
        box.checked = e.target.checked;
        box.dispatchEvent(new Event("change"));
      }
    },
  });
  const headRow = tableWrap.querySelector("thead tr");
  if (headRow) headRow.insertBefore(h("th", null, all), headRow.firstChild);
  for (const row of rows) row.insertBefore(h("td", { onClick: (e) => e.stopPropagation() }, checkbox(row.dataset.traceId)), row.firstChild);

  deleteButton.addEventListener("click", () => {
    const ids = [...selected];
    const error = h("span", { class: "error-text", "data-testid": "delete-error" });
    confirmPanel.replaceChildren(
      h("span", { text: `Delete ${ids.length} trace${ids.length === 1 ? "" : "s"} with their observations, scores and media? This cannot be undone.` }),
      h("button", { type: "button", class: "danger", "data-testid": "confirm-delete", text: "Delete", onClick: async (e) => {
        e.target.disabled = true;
        try {
          await sendJson("DELETE", "/api/public/traces", { traceIds: ids });
          onDeleted();
        } catch (failure) {
          error.textContent = failure.message;
          e.target.disabled = false;
        }
      } }),
      h("button", { type: "button", class: "link", "data-testid": "cancel-delete", text: "Cancel", onClick: () => confirmPanel.classList.add("hidden") }),
      error);
    confirmPanel.classList.remove("hidden");
  });
  refresh();
  return h("div", { class: "selectable" }, h("div", { class: "selection-bar" }, deleteButton, status), confirmPanel, tableWrap);
}
