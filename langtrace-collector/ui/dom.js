// DOM construction: elements (`h`) and SVG elements (`s`) from props and children,
// child management, the page's content root, the few generic widgets every page uses
// (link, copy button, titled section), and `contained`, which keeps one failing row or
// panel from taking its page down.
// Security: every traced value is untrusted. Elements are built with createElement,
// textContent and setAttribute only; never innerHTML or eval.

const SVG_NS = "http://www.w3.org/2000/svg";

/** Builds an element: props `class`, `text`, `on<Event>` (functions), `dataset`, others as attributes. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

/** Builds an SVG element. */
export function s(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  applyProps(el, props);
  append(el, children);
  return el;
}

function applyProps(el, props) {
  if (!props) return;
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") for (const [k, v] of Object.entries(value)) { if (v !== undefined && v !== null) el.dataset[k] = String(v); }
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === "value" && "value" in el) el.value = value;
    else if (key === "checked" || key === "disabled" || key === "selected" || key === "open") el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
}

/** Appends children (nested arrays flattened; null, undefined and false skipped; others as text). */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Removes every child of `el`; `el`. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** The element pages render into. */
export function pageRoot() {
  return document.getElementById("main");
}

/** A link that does not also trigger the click handler of the row it sits in. */
export function link(href, text, props = {}) {
  return h("a", { href, text, ...props, onClick: (e) => e.stopPropagation() });
}

/**
 * What `render()` returns, or when it throws, what `placeholder(error)` returns (by
 * default a muted "cannot be shown" note): one odd row or panel never takes its page
 * down. The error goes to the console.
 */
export function contained(render, placeholder = () => h("div", { class: "muted placeholder", "data-testid": "unrenderable", text: "(this value cannot be shown)" })) {
  try {
    return render();
  } catch (error) {
    console.error("render failed:", error);
    return placeholder(error);
  }
}

/** A titled block of a detail page. */
export function section(title, testid, content, extra) {
  return h("section", { class: "block", "data-testid": testid }, h("h3", null, title, extra || null), content);
}

/** A button that copies `text` to the clipboard. */
export function copyButton(text, label = "copy") {
  const button = h("button", { type: "button", class: "copy", title: `Copy ${text}`, text: label });
  button.addEventListener("click", (event) => {
    event.stopPropagation();
    const done = () => { button.textContent = "copied"; setTimeout(() => { button.textContent = label; }, 1200); };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
    else fallbackCopy(text, done);
  });
  return button;
}

function fallbackCopy(text, done) {
  const area = h("textarea", { class: "offscreen" });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  try { document.execCommand("copy"); done(); } catch { /* ignore */ }
  area.remove();
}
