//! The share path: a public trace (marked by its spans or by the PATCH) is readable
//! without keys, with its observations and media; a private trace, another project's
//! trace, an observation or media of another trace, the trace's session and every other
//! route stay closed.

use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::client::{get_anonymous, patch_trace, root, send, send_as};
use crate::support::otlp::{span, trace_id};
use crate::support::{cli, Collector};

/// Every API route of the collector but health and the share path, as a request without
/// keys would name it (ids filled in with `id`): each must answer 401.
fn keyed_routes(id: &str) -> Vec<(Method, String)> {
    let get = |path: &str| (Method::GET, path.replace("ID", id));
    vec![
        get("/api/public/projects"),
        get("/api/public/environments"),
        get("/api/public/traces"),
        get("/api/public/traces/ID"),
        (Method::PATCH, format!("/api/public/traces/{id}")),
        get("/api/public/observations"),
        get("/api/public/observations/ID"),
        get("/api/public/v2/observations"),
        get("/api/public/sessions"),
        get("/api/public/sessions/ID"),
        get("/api/public/users"),
        get("/api/public/users/ID"),
        get("/api/public/scores"),
        (Method::POST, "/api/public/scores".into()),
        get("/api/public/v2/scores"),
        get("/api/public/v3/scores"),
        (Method::POST, "/api/public/ingestion".into()),
        get("/api/public/metrics?query={}"),
        get("/api/public/v2/metrics?query={}"),
        (Method::POST, "/api/public/media".into()),
        get("/api/public/media/ID"),
        get("/api/public/media/ID/content"),
        get("/api/public/models"),
        get("/api/public/projects/ID/apiKeys"),
        get("/api/public/v2/prompts"),
        get("/api/public/v2/prompts/ID"),
        get("/api/public/v2/prompts/ID/labels/history"),
        get("/api/public/comments"),
        (Method::POST, "/api/public/comments".into()),
        get("/api/public/comments/ID"),
        (Method::POST, "/v1/traces".into()),
        (Method::POST, "/api/public/otel/v1/traces".into()),
    ]
}

/// The observation ids of a trace answer.
fn observation_ids(trace: &Value) -> Vec<&str> {
    trace["observations"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect()
}

#[test]
fn a_public_trace_is_readable_without_keys_and_nothing_else_is() {
    let collector = Collector::start();
    let keys = collector.authorization();
    let other = cli::create_project(collector.data_dir(), "other").basic();
    // Project A: trace 1 public (with a child), trace 2 private, both in session s1.
    send(&collector, &keys, vec![root(1, "s1", true), span(1, 2).parent(1).at(1, 2)]);
    send(&collector, &keys, vec![root(2, "s1", false), span(2, 3).parent(1).at(1, 2)]);
    // Project B: trace 3 private, trace 4 public.
    send(&collector, &other, vec![root(3, "s2", false)]);
    send(&collector, &other, vec![root(4, "s2", true)]);
    let (public, private) = (trace_id(1), trace_id(2));

    let (status, shared) = get_anonymous(&collector, &format!("/api/public/share/traces/{public}"));
    assert_eq!(status, 200, "{shared}");
    assert_eq!((shared["id"].as_str(), shared["public"].as_bool()), (Some(public.as_str()), Some(true)));
    assert_eq!(observation_ids(&shared).len(), 2, "with its observations");
    let (status, shared_b) = get_anonymous(&collector, &format!("/api/public/share/traces/{}", trace_id(4)));
    assert_eq!((status, shared_b["sessionId"].as_str()), (200, Some("s2")), "any project's public trace");
    let child = "0202020202020202";
    let (status, observation) =
        get_anonymous(&collector, &format!("/api/public/share/traces/{public}/observations/{child}"));
    assert_eq!((status, observation["traceId"].as_str()), (200, Some(public.as_str())), "{observation}");

    // Closed: a private trace, another project's private trace, an unknown id (all the
    // same answer), an observation of another trace through a public one.
    let not_found = |id: &str| {
        let (status, body) = get_anonymous(&collector, &format!("/api/public/share/traces/{id}"));
        assert_eq!(status, 404, "{id}: {body}");
        body["message"].as_str().unwrap().replace(id, "ID")
    };
    let unknown = not_found(&trace_id(99));
    assert_eq!(not_found(&private), unknown, "a private trace answers like an unknown one");
    assert_eq!(not_found(&trace_id(3)), unknown, "so does another project's private trace");
    let foreign = "0303030303030303"; // trace 2's child
    let (status, _) = get_anonymous(&collector, &format!("/api/public/share/traces/{public}/observations/{foreign}"));
    assert_eq!(status, 404, "an observation of another trace");
    let (status, _) = get_anonymous(&collector, &format!("/api/public/share/traces/{private}/observations/{foreign}"));
    assert_eq!(status, 404, "an observation of a private trace");

    // Every other route needs keys, the public trace's own id, session and media included.
    for (method, path) in keyed_routes(&public).into_iter().chain(keyed_routes("s1")) {
        let (status, body) = send_as(&collector, method.clone(), &path, None, Some(&json!({})));
        assert_eq!(status, 401, "{method} {path} without keys: {body}");
    }

    // The share page itself is a static document with the UI's policy, for any id.
    let (status, headers, page) = collector.send_raw(Method::GET, &format!("/share/traces/{public}"), &[], Vec::new());
    assert_eq!(status, 200);
    assert!(headers["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("share.js") && !page.contains(&public), "the page names no trace: {page}");
}

#[test]
fn the_share_toggle_opens_and_closes_a_trace_and_only_its_project_can_flip_it() {
    let collector = Collector::start();
    let keys = collector.authorization();
    let other = cli::create_project(collector.data_dir(), "other").basic();
    send(&collector, &keys, vec![root(1, "s1", false)]);
    let id = trace_id(1);
    let share = format!("/api/public/share/traces/{id}");
    assert_eq!(get_anonymous(&collector, &share).0, 404);

    let (status, trace) = patch_trace(&collector, &keys, &id, &json!({"public": true}));
    assert_eq!((status, trace["public"].as_bool()), (200, Some(true)), "{trace}");
    assert_eq!(get_anonymous(&collector, &share).0, 200, "shared");
    assert_eq!(collector.ok(&format!("/api/public/traces/{id}"))["public"], true);

    // Another project cannot see or flip it.
    assert_eq!(patch_trace(&collector, &other, &id, &json!({"public": false})).0, 404);
    assert_eq!(get_anonymous(&collector, &share).0, 200, "still shared");

    let (status, trace) = patch_trace(&collector, &keys, &id, &json!({"public": false}));
    assert_eq!((status, trace["public"].as_bool()), (200, Some(false)));
    assert_eq!(get_anonymous(&collector, &share).0, 404, "closed again");
    // A later span that says nothing of sharing leaves it closed.
    send(&collector, &keys, vec![span(1, 7).parent(1).at(2, 1)]);
    assert_eq!(get_anonymous(&collector, &share).0, 404);

    // Bad input.
    for (body, says) in [
        (json!({}), "public or bookmarked"),
        (json!({"public": "yes"}), "public"),
        (json!({"public": true, "name": "x"}), "name"),
    ] {
        let (status, answer) = patch_trace(&collector, &keys, &id, &body);
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["message"].as_str().unwrap().contains(says), "{body}: {answer}");
    }
    let (status, answer) = patch_trace(&collector, &keys, &trace_id(9), &json!({"public": true}));
    assert_eq!(status, 404, "{answer}");
    assert!(answer["message"].as_str().unwrap().contains(&trace_id(9)));
}

#[test]
fn the_same_trace_id_made_public_later_in_another_project_does_not_take_over_the_link() {
    let collector = Collector::start();
    let keys = collector.authorization();
    let other = cli::create_project(collector.data_dir(), "other").basic();
    send(&collector, &keys, vec![root(1, "first", true)]);
    send(&collector, &other, vec![root(1, "impostor", true)]);
    let (status, shared) = get_anonymous(&collector, &format!("/api/public/share/traces/{}", trace_id(1)));
    assert_eq!((status, shared["sessionId"].as_str()), (200, Some("first")), "{shared}");
}

/// Uploads `bytes` as PNG media announced for trace `trace` through Langfuse's media
/// flow; the media id.
fn upload(collector: &Collector, trace: &str, bytes: &[u8]) -> String {
    let announced = json!({
        "traceId": trace,
        "contentType": "image/png",
        "contentLength": bytes.len(),
        "sha256Hash": base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes)),
        "field": "input",
    });
    let (status, ticket) = collector.post_json("/api/public/media", &announced);
    assert_eq!(status, 200, "{ticket}");
    let upload_url = ticket["uploadUrl"].as_str().expect("an upload URL for new bytes");
    let (status, _, _) = collector.send_raw(Method::PUT, upload_url, &[("content-type", "image/png")], bytes.to_vec());
    assert_eq!(status, 200);
    ticket["mediaId"].as_str().unwrap().to_owned()
}

#[test]
fn the_media_a_public_trace_holds_is_shared_and_no_other() {
    let collector = Collector::start();
    let keys = collector.authorization();
    let (public, private) = (trace_id(1), trace_id(2));
    // Referenced in the public trace's input (announced for another trace id), announced
    // for the public trace, and the private trace's own.
    let referenced = upload(&collector, &trace_id(7), b"\x89PNG\r\n\x1a\nreferenced");
    let announced = upload(&collector, &public, b"\x89PNG\r\n\x1a\nannounced");
    let other = upload(&collector, &private, b"\x89PNG\r\n\x1a\nprivate");
    let reference = json!(format!("@@@langfuseMedia:type=image/png|id={referenced}|source=bytes@@@")).to_string();
    send(&collector, &keys, vec![root(1, "s", true).input(&reference)]);
    send(&collector, &keys, vec![root(2, "s", false).input(&reference)]);

    let media = |trace: &str, id: &str| {
        collector.send_raw(Method::GET, &format!("/api/public/share/traces/{trace}/media/{id}"), &[], Vec::new())
    };
    for (id, bytes) in [(&referenced, &b"referenced"[..]), (&announced, &b"announced"[..])] {
        let (status, headers, body) = media(&public, id);
        assert_eq!(status, 200, "{id}");
        assert!(body.ends_with(bytes), "the bytes of {id}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["content-type"], "image/png");
    }
    assert_eq!(media(&public, &other).0, 404, "media of another trace");
    assert_eq!(media(&public, "unknown").0, 404);
    assert_eq!(media(&private, &referenced).0, 404, "media of a private trace, referenced or not");
    assert_eq!(media(&private, &other).0, 404);
    // A media id holding LIKE wildcards matches nothing it does not spell.
    assert_eq!(media(&public, "%").0, 404);
}
