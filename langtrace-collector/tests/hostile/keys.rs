//! Hostile cases: keys, response headers, media types and files. Against a real
//! `langtrace serve` (and the `langtrace` command line over its data directory): revoked
//! and rotated keys stop working, guessing is throttled, a 401 sets no challenge, API
//! answers are neither sniffed, cached nor embeddable, untrusted media never renders in
//! the origin, the data is private to its user, and the demo's fixed keys stay on
//! loopback.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::support::collector::serve_argv;
use crate::support::http::{message, Api};
use crate::support::{basic, cli, otlp, Collector, DataDir, Keys, PUBLIC_KEY};

/// The id of the project `api`'s keys belong to.
fn project_id(api: &Api) -> String {
    api.ok("/api/public/projects")["data"][0]["id"].as_str().expect("a project id").to_owned()
}

/// The status of `GET /api/public/projects` with `keys`.
fn status_with(api: &Api, keys: &Keys) -> u16 {
    api.get_as("/api/public/projects", &keys.basic()).0
}

/// `DELETE path` with `api`'s keys: status and JSON body.
fn delete(api: &Api, path: &str) -> (u16, Value) {
    let (status, _, body) = api.send_raw(Method::DELETE, path, &[("authorization", &api.authorization())], Vec::new());
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Runs the `langtrace` binary with `args` (no listener is expected to come up); its
/// exit success and stderr.
fn run_binary(args: &[impl AsRef<std::ffi::OsStr>]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_langtrace")).args(args).output().expect("run langtrace");
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn keys_are_listed_without_secrets_and_revoked_through_the_api_at_once() {
    let collector = Collector::start();
    let second = cli::run(collector.data_dir(), &["keys", "create", "--project", "default"]);
    let second = cli::keys_printed(&second);
    assert_eq!(status_with(&collector, &second), 200, "the new key works (and is cached now)");

    let project = project_id(&collector);
    let listed = collector.ok(&format!("/api/public/projects/{project}/apiKeys"));
    let public_keys: Vec<&str> =
        listed["apiKeys"].as_array().unwrap().iter().map(|key| key["publicKey"].as_str().unwrap()).collect();
    assert_eq!(public_keys.len(), 2, "{listed}");
    assert!(public_keys.contains(&PUBLIC_KEY) && public_keys.contains(&second.public_key.as_str()), "{listed}");
    assert!(listed["apiKeys"][0]["createdAt"].as_str().is_some_and(|t| t.ends_with('Z')), "{listed}");
    let text = listed.to_string();
    assert!(!text.contains(&second.secret_key) && !text.contains(&collector.keys.secret_key), "no secret: {text}");

    let (status, body) = delete(&collector, &format!("/api/public/projects/{project}/apiKeys/{}", second.public_key));
    assert_eq!((status, &body), (200, &json!({"success": true})));
    // The default cache time is 30 s: only dropping the cached copy refuses it now.
    assert_eq!(status_with(&collector, &second), 401, "revoked at once on this server");

    let (status, body) = delete(&collector, &format!("/api/public/projects/{project}/apiKeys/{PUBLIC_KEY}"));
    assert_eq!(status, 409, "the last key stays: {body}");
    assert!(body["message"].as_str().unwrap().contains("last key"), "{body}");
    let (status, _) = delete(&collector, &format!("/api/public/projects/p-other/apiKeys/{PUBLIC_KEY}"));
    assert_eq!(status, 404, "another project's path");
    assert_eq!(collector.get("/api/public/projects/p-other/apiKeys").0, 404);
    assert_eq!(status_with(&collector, &collector.keys), 200);
}

#[test]
fn a_key_revoked_by_the_command_line_stops_working_once_the_cache_revalidates() {
    // A cache time of 0 revalidates on every request; the expiry of longer ones is a unit
    // test of the authenticator (its clock is injected).
    let collector = Collector::start_with(&["--key-cache-ttl", "0s"]);
    let second = cli::keys_printed(&cli::run(collector.data_dir(), &["keys", "create", "--project", "default"]));
    assert_eq!(status_with(&collector, &second), 200);

    let listed = cli::run(collector.data_dir(), &["keys", "list", "--project", "default"]);
    assert!(listed.contains(PUBLIC_KEY) && listed.contains(&second.public_key), "{listed}");
    assert!(!listed.contains(&second.secret_key), "no secret: {listed}");

    cli::run(collector.data_dir(), &["keys", "revoke", &second.public_key]);
    assert_eq!(status_with(&collector, &second), 401, "the running server read the store again");
    let refused = cli::output(collector.data_dir(), &["keys", "revoke", PUBLIC_KEY]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("last key"), "{refused:?}");
    assert_eq!(status_with(&collector, &collector.keys), 200);
}

#[test]
fn a_changed_init_secret_replaces_the_stored_one() {
    let old = Keys::new("pk-lt-rotated", "sk-lt-first-0123456789abcdef");
    let new = Keys::new("pk-lt-rotated", "sk-lt-second-0123456789abcdef");
    let first = Collector::setup().keys(&old.public_key, &old.secret_key).in_process();
    assert_eq!(status_with(&first, &old), 200);
    let data_dir = first.stop();

    let restarted = Collector::setup().keys(&new.public_key, &new.secret_key).data_dir(data_dir).in_process();
    assert_eq!(status_with(&restarted, &new), 200, "the new secret is accepted");
    assert_eq!(status_with(&restarted, &old), 401, "the old secret is refused");
}

#[test]
fn a_weak_chosen_secret_is_refused_at_start_naming_the_setting() {
    let data_dir = tempfile::tempdir().unwrap();
    let weak = "sk-lt-weak";
    let (ok, stderr) = run_binary(&serve_argv(data_dir.path(), &Keys::new("pk-lt-weak", weak), &[]));
    assert!(!ok, "{stderr}");
    assert!(stderr.contains("--init-secret-key / LANGTRACE_INIT_SECRET_KEY is too short"), "{stderr}");
    assert!(!stderr.contains(weak), "the secret is not echoed: {stderr}");
}

#[test]
fn repeated_bad_credentials_get_429_with_retry_after() {
    let collector = Collector::start_with(&["--auth-failure-limit", "3"]);
    let wrong = basic(PUBLIC_KEY, "sk-lt-wrong-0123456789abcdef");
    for _ in 0..3 {
        assert_eq!(collector.get_as("/api/public/traces", &wrong).0, 401);
    }
    // The key is locked now, whoever asks and whatever the secret: guessing learns nothing.
    let (status, headers, body) =
        collector.send_raw(Method::GET, "/api/public/traces", &[("authorization", &collector.authorization())], vec![]);
    assert_eq!(status, 429, "{}", message(&body));
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(message(&body).contains("--auth-failure-limit"), "{}", message(&body));
    assert!(!headers.contains_key("www-authenticate"));
    let (status, _, _) = otlp::post(&collector, &collector.authorization(), &otlp::request([otlp::span(1, 1)]));
    assert_eq!(status, 429, "ingest is refused too");

    // Unknown keys count against the client address.
    let guessing = Collector::start_with(&["--auth-failure-limit", "3"]);
    for n in 0..3 {
        let unknown = basic(&format!("pk-lt-guess-{n}"), "sk-lt-guess-0123456789abcdef");
        assert_eq!(guessing.get_as("/api/public/traces", &unknown).0, 401);
    }
    assert_eq!(guessing.get("/api/public/traces").0, 429, "the address is locked, the right key included");
}

#[test]
fn repeated_bad_credentials_over_grpc_get_resource_exhausted() {
    let collector = Collector::start_with(&["--auth-failure-limit", "2"]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut client = otlp::grpc_client(&collector.grpc_addr).await;
        let export = |authorization: &str| otlp::grpc_request(otlp::request([otlp::span(5, 1)]), authorization);
        let wrong = basic(PUBLIC_KEY, "sk-lt-wrong-0123456789abcdef");
        for _ in 0..2 {
            let refused = client.export(export(&wrong)).await.unwrap_err();
            assert_eq!(refused.code(), tonic::Code::Unauthenticated);
        }
        let throttled = client.export(export(&collector.authorization())).await.unwrap_err();
        assert_eq!(throttled.code(), tonic::Code::ResourceExhausted, "{throttled:?}");
        assert!(throttled.message().contains("--auth-failure-limit"), "{throttled:?}");
    });
    // The gRPC failures locked the key for HTTP too: one table per server.
    assert_eq!(collector.get("/api/public/traces").0, 429);
}

/// Asserts the three headers of every API answer.
fn assert_api_headers(headers: &HeaderMap, what: &str) {
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(headers["cache-control"], "no-store", "{what}");
    assert_eq!(headers["cross-origin-resource-policy"], "same-origin", "{what}");
}

#[test]
fn api_answers_carry_nosniff_no_store_and_corp_and_a_401_has_no_challenge() {
    let collector = Collector::start();
    let (status, headers, _) = collector.send_raw(Method::GET, "/api/public/traces", &[], vec![]);
    assert_eq!(status, 401);
    assert!(!headers.contains_key("www-authenticate"), "no challenge: browsers would keep ambient credentials");
    assert_api_headers(&headers, "401");

    let (status, headers, _) = collector.get_raw("/api/public/traces");
    assert_eq!(status, 200);
    assert_api_headers(&headers, "GET /api/public/traces");
    let (status, headers, _) = collector.send_raw(Method::GET, "/api/public/health", &[], vec![]);
    assert_eq!(status, 200);
    assert_api_headers(&headers, "health");
    let (status, headers, _) = otlp::post(&collector, &collector.authorization(), &otlp::request([otlp::span(1, 1)]));
    assert_eq!(status, 200);
    assert_api_headers(&headers, "OTLP/HTTP");

    // The UI keeps its own caching: the index revalidated, versioned assets immutable.
    let (_, headers, index) = collector.send_raw(Method::GET, "/", &[], vec![]);
    assert_eq!(headers["cache-control"], "no-cache");
    let index = String::from_utf8(index).unwrap();
    let start = index.find("/ui/").expect("a versioned asset");
    let asset = &index[start..start + index[start..].find('"').unwrap()];
    let (status, headers, _) = collector.send_raw(Method::GET, asset, &[], vec![]);
    assert_eq!(status, 200, "{asset}");
    assert!(headers["cache-control"].to_str().unwrap().contains("immutable"), "{asset}");
}

/// Announces and uploads `bytes` declared as `content_type`; the media id.
fn upload(collector: &Collector, bytes: &[u8], content_type: &str) -> String {
    let announced = json!({
        "traceId": otlp::trace_id(7),
        "contentType": content_type,
        "contentLength": bytes.len(),
        "sha256Hash": base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes)),
    });
    let (status, ticket) = collector.post_json("/api/public/media", &announced);
    assert_eq!(status, 200, "{ticket}");
    let upload_url = ticket["uploadUrl"].as_str().expect("an upload URL");
    let (status, _, body) = collector.send_raw(Method::PUT, upload_url, &[], bytes.to_vec());
    assert_eq!(status, 200, "{}", message(&body));
    ticket["mediaId"].as_str().unwrap().to_owned()
}

#[test]
fn media_off_the_allowlist_is_served_as_an_octet_stream_attachment() {
    let collector = Collector::start();
    let html = b"<html><script>alert(document.cookie)</script></html>";
    let smuggled = upload(&collector, html, "image/png,text/html");
    let (status, headers, body) = collector.get_raw(&format!("/api/public/media/{smuggled}/content"));
    assert_eq!(status, 200);
    assert_eq!(body, html);
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(headers["content-disposition"], "attachment");
    assert_api_headers(&headers, "media content");

    let png = b"\x89PNG\r\n\x1a\nnot really an image";
    let image = upload(&collector, png, "image/png; name=x");
    let (status, headers, _) = collector.get_raw(&format!("/api/public/media/{image}/content"));
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/png", "an allowlisted essence, parameters dropped");
    assert!(!headers.contains_key("content-disposition"));
    assert_private_files(&collector.data_dir().join("media"));
}

/// Asserts every file in `dir` is readable by its user only (Unix).
fn assert_private_files(dir: &Path) {
    #[cfg(unix)]
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn the_data_directory_and_database_are_private_even_if_they_were_not() {
    use std::os::unix::fs::PermissionsExt;

    let collector = Collector::start();
    let data_dir = collector.data_dir().to_owned();
    assert_eq!(mode(&data_dir), 0o700);
    for file in ["langtrace.db", "langtrace.db-wal"] {
        assert_eq!(mode(&data_dir.join(file)), 0o600, "{file}");
    }

    // A store left readable by others (an older version, a careless copy) is tightened.
    let data_dir = collector.stop();
    std::fs::set_permissions(data_dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(data_dir.path().join("langtrace.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let restarted = Collector::setup().data_dir(data_dir).in_process();
    assert_eq!(mode(restarted.data_dir()), 0o700);
    assert_eq!(mode(&restarted.data_dir().join("langtrace.db")), 0o600);
    assert_eq!(restarted.ok("/api/public/health")["status"], "OK");
}

#[test]
fn a_listener_reachable_from_other_machines_is_warned_about() {
    let data_dir = DataDir::temp();
    let mut child = Command::new(env!("CARGO_BIN_EXE_langtrace"))
        .args(["serve", "--http-addr", "0.0.0.0:0", "--grpc-addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir.path())
        .env_remove("LANGTRACE_SERVER_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("langtrace listening:") {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "exited before listening");
    }
    // The warning is logged before the listening line: all of it is in stderr by now.
    child.kill().unwrap();
    child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("reachable from other machines")).collect();
    assert_eq!(warnings.len(), 1, "the HTTP listener only: {stderr}");
    assert!(warnings[0].contains("--http-addr / LANGTRACE_HTTP_ADDR") && warnings[0].contains("TLS"), "{stderr}");
}

#[cfg(feature = "demo")]
#[test]
fn the_demo_refuses_a_non_loopback_bind_with_its_fixed_keys() {
    let parent = tempfile::tempdir().unwrap();
    let data_dir = parent.path().join("demo");
    let (ok, stderr) = run_binary(&[
        "demo",
        "--http-addr",
        "0.0.0.0:0",
        "--grpc-addr",
        "127.0.0.1:0",
        "--data-dir",
        data_dir.to_str().unwrap(),
    ]);
    assert!(!ok, "{stderr}");
    assert!(stderr.contains("--http-addr 0.0.0.0:0") && stderr.contains("--fresh-keys"), "{stderr}");
    assert!(!data_dir.exists(), "refused before anything was written");
}

#[cfg(feature = "demo")]
#[test]
fn the_demo_serves_a_non_loopback_bind_with_fresh_keys() {
    use langtrace_collector::demo::{DEMO_PUBLIC_KEY, DEMO_SECRET_KEY, READY_PREFIX};

    let data_dir = DataDir::temp();
    let mut child = Command::new(env!("CARGO_BIN_EXE_langtrace"))
        .args(["demo", "--fresh-keys", "--http-addr", "0.0.0.0:0", "--grpc-addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.starts_with(READY_PREFIX) {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "exited before its ready line");
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(line.contains("public_key=pk-lt-") && line.contains("secret_key=sk-lt-"), "{line}");
    assert!(!line.contains(DEMO_PUBLIC_KEY) && !line.contains(DEMO_SECRET_KEY), "fresh keys: {line}");
}
