// The UI's entry point: wires the header's selectors and every page into the router,
// then shows the page of the current hash.
// langtrace web UI: a single-page app of plain ES modules, without build step or
// dependencies. Security: every traced value is untrusted (see dom.js).

import { loadHeader, watchEnvironment } from "./components/header.js";
import { startRouter } from "./router.js";
import { dashboardPage } from "./pages/dashboard.js";
import { sessionPage, sessionsPage } from "./pages/sessions.js";
import { signInPage } from "./pages/signin.js";
import { traceDetailPage } from "./pages/trace.js";
import { tracesPage } from "./pages/traces.js";
import { userPage, usersPage } from "./pages/users.js";
import { promptPage } from "./pages/prompt.js";
import { promptsPage } from "./pages/prompts.js";
import { generationsPage } from "./pages/generations.js";

function start() {
  watchEnvironment();
  startRouter({
    signIn: signInPage,
    header: loadHeader,
    pages: {
      traces: { list: tracesPage, detail: traceDetailPage },
      sessions: { list: sessionsPage, detail: sessionPage },
      users: { list: usersPage, detail: userPage },
      dashboard: { list: dashboardPage },
      prompts: { list: promptsPage, detail: promptPage },
      generations: { list: generationsPage },
    },
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
