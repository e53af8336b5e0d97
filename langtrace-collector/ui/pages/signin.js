// The sign-in page: a project's key pair, checked against the server, then the traces.
// Signed in already, it adds another project to the tab (`#/signin?add=1`).

import { clear, h, pageRoot } from "../dom.js";
import { basicAuth, projectsOf } from "../api.js";
import { setReady } from "../router.js";
import { signIn } from "../state.js";

export function signInPage() {
  document.getElementById("header").classList.add("hidden");
  const error = h("div", { class: "error hidden" });
  const form = h("form", { id: "signin", class: "signin", autocomplete: "off" },
    h("h1", { text: "langtrace" }),
    h("p", { class: "muted", text: "Sign in with a project's API keys." }),
    h("label", null, "Public key", h("input", { name: "publicKey", required: true, autocomplete: "username", placeholder: "pk-..." })),
    h("label", null, "Secret key", h("input", { name: "secretKey", type: "password", required: true, autocomplete: "current-password", placeholder: "sk-..." })),
    error,
    h("button", { type: "submit", class: "primary", text: "Sign in" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const pk = form.elements.publicKey.value.trim();
    const sk = form.elements.secretKey.value.trim();
    const auth = basicAuth(pk, sk);
    error.classList.add("hidden");
    const response = await projectsOf(auth);
    if (!response || !response.ok) {
      error.textContent = response && response.status === 401 ? "Invalid keys." : "Cannot reach the server.";
      error.classList.remove("hidden");
      return;
    }
    const projects = await response.json().catch(() => ({}));
    signIn((projects.data && projects.data[0] && projects.data[0].name) || pk, auth);
    location.hash = "#/traces";
  });
  clear(pageRoot()).appendChild(form);
  setReady("signin");
}
