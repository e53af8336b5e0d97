//! The browser UI, served by the collector itself: a single-page app of plain ES modules
//! (vanilla JavaScript, no build step) embedded in the binary, so it works offline and
//! reads no file at run time. Every asset is one row of [`ASSETS`]; `index.html` loads
//! `main.js` as a module and preloads every module so the browser fetches them in
//! parallel. It talks to the `/api/public` routes with the project's keys (kept in the
//! browser's session storage). Every UI response carries a strict
//! `Content-Security-Policy` (no inline script or style, same-origin connections only),
//! `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer`.

use std::sync::LazyLock;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};

use crate::app::AppState;

/// The policy on every UI response.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
    frame-ancestors 'none'";

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Every UI asset: its URL path, its body (embedded at build time) and its content type;
/// each row is one route. A module added under `ui/` needs its row here and its
/// `modulepreload` line in `index.html` (the tests below check both).
const ASSETS: &[(&str, &str, &str)] = &[
    ("/", include_str!("../ui/index.html"), HTML),
    ("/index.html", include_str!("../ui/index.html"), HTML),
    ("/ui/app.css", include_str!("../ui/app.css"), CSS),
    ("/ui/favicon.svg", include_str!("../ui/favicon.svg"), SVG),
    ("/favicon.ico", include_str!("../ui/favicon.svg"), SVG),
    ("/ui/main.js", include_str!("../ui/main.js"), JS),
    ("/ui/router.js", include_str!("../ui/router.js"), JS),
    ("/ui/state.js", include_str!("../ui/state.js"), JS),
    ("/ui/api.js", include_str!("../ui/api.js"), JS),
    ("/ui/dom.js", include_str!("../ui/dom.js"), JS),
    ("/ui/format.js", include_str!("../ui/format.js"), JS),
    ("/ui/pages/dashboard.js", include_str!("../ui/pages/dashboard.js"), JS),
    ("/ui/pages/sessions.js", include_str!("../ui/pages/sessions.js"), JS),
    ("/ui/pages/signin.js", include_str!("../ui/pages/signin.js"), JS),
    ("/ui/pages/trace.js", include_str!("../ui/pages/trace.js"), JS),
    ("/ui/pages/traces.js", include_str!("../ui/pages/traces.js"), JS),
    ("/ui/pages/users.js", include_str!("../ui/pages/users.js"), JS),
    ("/ui/components/badges.js", include_str!("../ui/components/badges.js"), JS),
    ("/ui/components/charts.js", include_str!("../ui/components/charts.js"), JS),
    ("/ui/components/conversation.js", include_str!("../ui/components/conversation.js"), JS),
    ("/ui/components/graph.js", include_str!("../ui/components/graph.js"), JS),
    ("/ui/components/header.js", include_str!("../ui/components/header.js"), JS),
    ("/ui/components/media.js", include_str!("../ui/components/media.js"), JS),
    ("/ui/components/scores.js", include_str!("../ui/components/scores.js"), JS),
    ("/ui/components/tables.js", include_str!("../ui/components/tables.js"), JS),
    ("/ui/components/tree.js", include_str!("../ui/components/tree.js"), JS),
    ("/ui/components/values.js", include_str!("../ui/components/values.js"), JS),
    ("/ui/pages/prompt.js", include_str!("../ui/pages/prompt.js"), JS),
    ("/ui/pages/prompts.js", include_str!("../ui/pages/prompts.js"), JS),
    ("/ui/components/diff.js", include_str!("../ui/components/diff.js"), JS),
    ("/ui/components/promptform.js", include_str!("../ui/components/promptform.js"), JS),
    ("/ui/components/promptgenerations.js", include_str!("../ui/components/promptgenerations.js"), JS),
    ("/ui/components/promptlabels.js", include_str!("../ui/components/promptlabels.js"), JS),
    ("/ui/components/promptmetrics.js", include_str!("../ui/components/promptmetrics.js"), JS),
    ("/ui/components/template.js", include_str!("../ui/components/template.js"), JS),
    ("/ui/components/export.js", include_str!("../ui/components/export.js"), JS),
    ("/ui/pages/generations.js", include_str!("../ui/pages/generations.js"), JS),
];

/// How long a browser keeps an asset served under the build's version: a new binary
/// serves its assets under a new version, so a kept copy is never stale.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The build's version of the assets: the first 12 hex digits of the SHA-256 of them all.
/// Assets under `/ui/` are served at `/ui/<version>/...`, so the browser keeps each module
/// until the binary changes instead of fetching the 29 of them again for every page load.
fn version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        let digest =
            ASSETS.iter().fold(Sha256::new(), |digest, (path, body, _)| digest.chain_update(path).chain_update(body));
        hex::encode(digest.finalize())[..12].to_owned()
    });
    &VERSION
}

/// `index.html` with its `/ui/` references pointing at the build's version.
fn index() -> &'static str {
    static INDEX: LazyLock<String> =
        LazyLock::new(|| include_str!("../ui/index.html").replace("\"/ui/", &format!("\"/ui/{}/", version())));
    &INDEX
}

/// The path an asset is served at, its body, and how long a browser may keep it: the
/// index itself always fetched again, versioned assets kept.
fn served(path: &'static str, body: &'static str) -> (String, &'static str, &'static str) {
    match path.strip_prefix("/ui/") {
        Some(rest) => (format!("/ui/{}/{rest}", version()), body, IMMUTABLE),
        None if matches!(path, "/" | "/index.html") => (path.to_owned(), index(), "no-cache"),
        None => (path.to_owned(), body, "no-cache"),
    }
}

/// The UI routes, one per row of [`ASSETS`].
pub fn router() -> Router<AppState> {
    ASSETS.iter().fold(Router::new(), |router, &(path, body, content_type)| {
        let (path, body, cache) = served(path, body);
        router.route(&path, get(move || async move { asset(body, content_type, cache) }))
    })
}

/// One embedded asset with its content type, caching and the UI's security headers.
fn asset(body: &'static str, content_type: &'static str, cache: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// The body of the asset at `path`.
    fn body(path: &str) -> &'static str {
        ASSETS.iter().find(|(p, _, _)| *p == path).unwrap_or_else(|| panic!("no asset {path}")).1
    }

    /// The JavaScript modules of the table: URL path -> source.
    fn modules() -> BTreeMap<&'static str, &'static str> {
        ASSETS.iter().filter(|(_, _, content_type)| *content_type == JS).map(|&(path, body, _)| (path, body)).collect()
    }

    /// The specifiers of a module's static imports (`import … from "…";`, `import "…";`)
    /// and re-exports (`export … from "…";`): statements that start a line and end with
    /// a line holding a `;`, possibly over several lines.
    fn import_specifiers(source: &str) -> Vec<&str> {
        let starts = |line: &str| {
            ["import ", "import{", "import\"", "import'", "export {", "export*", "export *"]
                .iter()
                .any(|p| line.starts_with(p))
        };
        let mut found = Vec::new();
        let mut statement: Option<usize> = None; // byte offset of the statement's start
        let mut offset = 0;
        for raw in source.split_inclusive('\n') {
            let line = raw.trim();
            let start = offset + (raw.len() - raw.trim_start().len());
            offset += raw.len();
            if statement.is_none() && starts(line) {
                statement = Some(start);
            }
            let Some(begin) = statement else { continue };
            if !line.contains(';') {
                continue;
            }
            let text = &source[begin..offset];
            let tail = match text.rsplit_once(" from ") {
                Some((_, tail)) => tail,
                None => text.strip_prefix("import").unwrap_or(""),
            };
            let tail = tail.trim_start();
            if let Some(quote @ ('"' | '\'')) = tail.chars().next() {
                let literal = &tail[1..];
                found.push(&literal[..literal.find(quote).expect("a closed string")]);
            }
            statement = None;
        }
        found
    }

    /// The URL path `specifier` (relative: `./x.js`, `../x.js`) names from the module at `module`.
    fn resolve(module: &str, specifier: &str) -> String {
        assert!(
            specifier.starts_with("./") || specifier.starts_with("../"),
            "{module} imports {specifier:?}: only relative specifiers resolve without a build step"
        );
        let mut parts: Vec<&str> = module.split('/').collect();
        parts.pop();
        for segment in specifier.split('/') {
            match segment {
                "." => {}
                ".." => {
                    parts.pop();
                }
                name => parts.push(name),
            }
        }
        parts.join("/")
    }

    #[test]
    fn assets_carry_the_security_headers() {
        for &(path, body, content_type) in ASSETS {
            let (served_at, body, cache) = served(path, body);
            match path.strip_prefix("/ui/") {
                Some(rest) => assert_eq!((served_at, cache), (format!("/ui/{}/{rest}", version()), IMMUTABLE)),
                None => assert_eq!((served_at.as_str(), cache), (path, "no-cache")),
            }
            let response = asset(body, content_type, cache);
            let headers = response.headers();
            assert_eq!(headers[header::CONTENT_TYPE], content_type, "{path}");
            assert_eq!(headers[header::CONTENT_SECURITY_POLICY], CONTENT_SECURITY_POLICY, "{path}");
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
            assert_eq!(headers[header::REFERRER_POLICY], "no-referrer", "{path}");
        }
        let index = body("/index.html");
        assert!(!index.contains("<script>") && !index.contains("style="));
        let versioned = super::index();
        assert!(versioned.contains(&format!("src=\"/ui/{}/main.js\"", version())), "{versioned}");
        assert!(!versioned.contains("\"/ui/main.js\""), "every reference is versioned");
    }

    #[test]
    fn the_asset_table_serves_every_file_of_the_ui_once() {
        let paths: Vec<&str> = ASSETS.iter().map(|(path, _, _)| *path).collect();
        assert_eq!(paths.iter().collect::<BTreeSet<_>>().len(), paths.len(), "one row per path");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
        let mut pending = vec![dir.clone()];
        let mut files = 0;
        while let Some(next) = pending.pop() {
            for entry in std::fs::read_dir(next).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                files += 1;
                let relative = path.strip_prefix(&dir).unwrap().to_str().unwrap().replace('\\', "/");
                let served = match relative.as_str() {
                    "index.html" => "/index.html".to_owned(),
                    other => format!("/ui/{other}"),
                };
                assert!(paths.contains(&served.as_str()), "ui/{relative} is not in the asset table");
                assert_eq!(body(&served), std::fs::read_to_string(&path).unwrap(), "{served}");
            }
        }
        assert!(files >= modules().len() + 3, "the ui directory was read");
    }

    #[test]
    fn index_loads_main_and_preloads_every_module() {
        let index = body("/index.html");
        assert!(index.contains(r#"<script type="module" src="/ui/main.js"></script>"#));
        let preloaded: BTreeSet<&str> = index
            .split(r#"<link rel="modulepreload" href=""#)
            .skip(1)
            .map(|rest| &rest[..rest.find('"').expect("a closed href")])
            .collect();
        let modules: BTreeSet<&str> = modules().into_keys().collect();
        for module in &modules {
            assert!(preloaded.contains(module), "index.html does not preload {module}");
        }
        for link in &preloaded {
            assert!(modules.contains(link), "index.html preloads {link}, which is no module of the asset table");
        }
    }

    #[test]
    fn every_import_resolves_to_a_module_and_none_is_circular() {
        let modules = modules();
        let mut graph: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (&path, &source) in &modules {
            assert!(!source.contains("import("), "{path}: a dynamic import is not preloaded");
            let imports: Vec<String> = import_specifiers(source).into_iter().map(|s| resolve(path, s)).collect();
            for target in &imports {
                assert!(
                    modules.contains_key(target.as_str()),
                    "{path} imports {target}, which is not in the asset table"
                );
            }
            graph.insert(path, imports);
        }
        assert!(graph["/ui/main.js"].len() >= 5, "the scan finds main.js's imports: {:?}", graph["/ui/main.js"]);
        assert_eq!(
            graph["/ui/pages/trace.js"].iter().filter(|t| *t == "/ui/components/graph.js").count(),
            1,
            "a multi-line import list is read too"
        );

        // Depth-first search; a module met again while still on the path closes a cycle.
        fn visit<'a>(
            module: &'a str,
            graph: &'a BTreeMap<&str, Vec<String>>,
            path: &mut Vec<&'a str>,
            done: &mut BTreeSet<&'a str>,
        ) {
            if done.contains(module) {
                return;
            }
            if let Some(at) = path.iter().position(|m| *m == module) {
                panic!("import cycle: {} -> {module}", path[at..].join(" -> "));
            }
            path.push(module);
            for next in &graph[module] {
                visit(next, graph, path, done);
            }
            path.pop();
            done.insert(module);
        }
        let mut done = BTreeSet::new();
        for module in graph.keys() {
            visit(module, &graph, &mut Vec::new(), &mut done);
        }
        assert_eq!(done.len(), modules.len());
    }

    #[test]
    fn the_import_scan_reads_every_statement_form() {
        let source = "// import nothing from \"./comment.js\";\nimport { a } from \"./a.js\";\nimport {\n  b,\n  c,\n} from '../b.js';\nimport \"./side.js\";\nexport { d } from \"./d.js\";\nconst text = \"import { x } from './no.js';\";\n";
        assert_eq!(import_specifiers(source), ["./a.js", "../b.js", "./side.js", "./d.js"]);
        assert_eq!(resolve("/ui/pages/trace.js", "../components/graph.js"), "/ui/components/graph.js");
        assert_eq!(resolve("/ui/main.js", "./pages/trace.js"), "/ui/pages/trace.js");
    }

    #[test]
    fn modules_never_parse_markup_or_evaluate_code() {
        let sinks =
            ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "DOMParser"];
        for (path, source) in modules() {
            let code =
                source.lines().map(str::trim_start).filter(|l| !["//", "/*", "*"].iter().any(|c| l.starts_with(c)));
            for line in code {
                if let Some(sink) = sinks.iter().find(|sink| line.contains(*sink)) {
                    panic!("{path} uses {sink}: traced text is data, never markup\n{line}");
                }
            }
        }
    }
}
