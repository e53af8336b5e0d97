//! Collectors sharing one PostgreSQL database (two `langtrace serve` processes on a
//! throwaway cluster, see `support::postgres`) stay correct when they race: spans of the
//! same traces sent to both at once give the traces a single collector gives them; prompt
//! versions stay numbered one after another and one version holds a label; an item
//! written through both keeps one current version; a score sent to both is stored once;
//! two collectors starting together on an empty database make one project; media bytes
//! announced to one and uploaded to the other are served by both (one `--media-dir`);
//! collectors forwarding from one database deliver every span upstream exactly once, one
//! of them at a time, also after the one delivering stops; an LLM connection saved
//! through one is used through the other (one `--encryption-key`).

mod support;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use base64::Engine;
use reqwest::Method;
use sha2::{Digest, Sha256};

use opentelemetry_proto::tonic::trace::v1::Span;
use serde_json::{json, Value};
use support::mock_openai::{self, MockOpenAi};
use support::otlp::{self, int, span, text, texts, trace_id};
use support::otlp_receiver::{wait_until, Mode, Receiver};
use support::postgres::Cluster;
use support::{Collector, DataDir};

/// Traces fed to the collectors, and spans per trace.
const TRACES: u8 = 8;
const SPANS_PER_TRACE: u8 = 24;
/// Spans per request, and threads sending per collector.
const SPANS_PER_REQUEST: usize = 3;
const SENDERS: usize = 4;

/// `count` collectors on one new database of the test cluster, started at once, with
/// `extra` flags.
fn replicas_with(count: usize, extra: &[&str]) -> Vec<Collector> {
    let store = Cluster::shared().database();
    let args: Vec<&str> = ["--store", store.as_str()].into_iter().chain(extra.iter().copied()).collect();
    std::thread::scope(|scope| {
        let starting: Vec<_> = (0..count).map(|_| scope.spawn(|| Collector::setup().args(&args).process())).collect();
        starting.into_iter().map(|started| started.join().expect("a collector starts")).collect()
    })
}

/// `count` collectors on one new database, started at once.
fn replicas(count: usize) -> Vec<Collector> {
    replicas_with(count, &[])
}

/// Span `id` of trace `trace`: the root (id 1) names the trace and carries its input and
/// output; the others are generations with usage, some at WARNING or ERROR, each with a
/// tag of five and a metadata key of its own.
fn span_of(trace: u8, id: u8) -> Span {
    if id == 1 {
        return span(trace, 1)
            .at(0, 1_000)
            .attributes(vec![
                text("langfuse.observation.input", format!("{{\"question\":{trace}}}")),
                text("langfuse.observation.output", "answered"),
                text("user.id", "racer"),
            ])
            .build();
    }
    let level = match id % 7 {
        0 => "ERROR",
        3 => "WARNING",
        _ => "DEFAULT",
    };
    span(trace, id)
        .parent(1)
        .at(u64::from(id) * 10, 30)
        .attributes(vec![
            text("gen_ai.operation.name", "chat"),
            text("gen_ai.request.model", "gpt-4o"),
            int("gen_ai.usage.input_tokens", 100 * i64::from(id)),
            int("gen_ai.usage.output_tokens", i64::from(id)),
            text("langfuse.observation.level", level),
            texts("langfuse.trace.tags", &[&format!("tag-{}", id % 5)]),
            text(&format!("langfuse.trace.metadata.step{id}"), "seen"),
        ])
        .build()
}

/// Every span of every trace, interleaved (the first span of each trace, then the second
/// ...), cut into requests: consecutive requests carry spans of the same traces.
fn requests() -> Vec<Vec<Span>> {
    let spans: Vec<Span> =
        (1..=SPANS_PER_TRACE).flat_map(|id| (1..=TRACES).map(move |trace| span_of(trace, id))).collect();
    spans.chunks(SPANS_PER_REQUEST).map(<[Span]>::to_vec).collect()
}

/// Sends `requests` over `collectors`, request `i` to collector `i % n`, from
/// [`SENDERS`] threads per collector at once.
fn feed(collectors: &[Collector], requests: &[Vec<Span>]) {
    let lanes = collectors.len() * SENDERS;
    std::thread::scope(|scope| {
        for lane in 0..lanes {
            scope.spawn(move || {
                for (index, spans) in requests.iter().enumerate().skip(lane).step_by(lanes) {
                    let collector = &collectors[index % collectors.len()];
                    otlp::send(collector, &collector.authorization(), &otlp::request(spans.clone()));
                }
            });
        }
    });
}

/// `value` without what differs between two stores of the same data (ids of the
/// project, write times, links), tags and observations in a fixed order.
fn comparable(mut value: Value) -> Value {
    match &mut value {
        Value::Object(map) => {
            for volatile in ["createdAt", "updatedAt", "projectId", "htmlPath"] {
                map.remove(volatile);
            }
            for (_, field) in map.iter_mut() {
                *field = comparable(field.take());
            }
            if let Some(Value::Array(tags)) = map.get_mut("tags") {
                tags.sort_by_key(Value::to_string);
            }
            if let Some(Value::Array(observations)) = map.get_mut("observations") {
                observations.sort_by_key(|o| o["id"].to_string());
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| *item = comparable(item.take())),
        _ => {}
    }
    value
}

/// Every trace as `collector` shows it, comparable.
fn traces(collector: &Collector) -> Vec<Value> {
    (1..=TRACES).map(|trace| comparable(collector.ok(&format!("/api/public/traces/{}", trace_id(trace))))).collect()
}

#[test]
fn spans_of_one_trace_sent_to_two_collectors_at_once_roll_up_as_on_one() {
    let requests = requests();
    let single = replicas(1);
    feed(&single, &requests);
    let expected = traces(&single[0]);
    assert_eq!(expected[0]["observationCount"], u64::from(SPANS_PER_TRACE), "{}", expected[0]);
    assert_eq!(expected[0]["name"], "step-1");

    let pair = replicas(2);
    feed(&pair, &requests);
    for collector in &pair {
        let mut differences = Vec::new();
        differ(&traces(collector).into(), &expected.clone().into(), "traces".into(), &mut differences);
        assert_eq!(differences, Vec::<String>::new(), "two collectors racing store what one stores");
    }
}

/// Where `got` differs from `expected`: each differing leaf's path and both values
/// (sums of costs may differ in the last digits: they were added in another order).
fn differ(got: &Value, expected: &Value, path: String, differences: &mut Vec<String>) {
    match (got, expected) {
        (Value::Object(got), Value::Object(expected)) => {
            let keys: BTreeSet<&String> = got.keys().chain(expected.keys()).collect();
            for key in keys {
                let (g, e) = (got.get(key).unwrap_or(&Value::Null), expected.get(key).unwrap_or(&Value::Null));
                differ(g, e, format!("{path}.{key}"), differences);
            }
        }
        (Value::Array(got), Value::Array(expected)) if got.len() == expected.len() => {
            for (index, (g, e)) in got.iter().zip(expected).enumerate() {
                differ(g, e, format!("{path}[{index}]"), differences);
            }
        }
        (Value::Number(got), Value::Number(expected))
            if (got.as_f64().unwrap() - expected.as_f64().unwrap()).abs() <= 1e-12 => {}
        _ if got != expected => differences.push(format!("{path}: {got} instead of {expected}")),
        _ => {}
    }
}

#[test]
fn prompt_versions_labels_items_and_scores_stay_serial_across_collectors() {
    let pair = replicas(2);
    let (first, second) = (&pair[0], &pair[1]);
    let (status, dataset) = first.post_json("/api/public/v2/datasets", &json!({"name": "shared"}));
    assert_eq!(status, 200, "{dataset}");
    const WRITES: usize = 8;
    std::thread::scope(|scope| {
        for (side, collector) in pair.iter().enumerate() {
            for thread in 0..2 {
                scope.spawn(move || {
                    for write in 0..WRITES / 2 {
                        let n = (side * 2 + thread) * WRITES + write;
                        let prompt = json!({"name": "raced", "type": "text", "prompt": format!("v{n}"),
                                            "labels": ["production"]});
                        let (status, answer) = collector.post_json("/api/public/v2/prompts", &prompt);
                        assert_eq!(status, 201, "{answer}");
                        let item = json!({"datasetName": "shared", "id": "case-1", "input": n});
                        let (status, answer) = collector.post_json("/api/public/dataset-items", &item);
                        assert_eq!(status, 200, "{answer}");
                        let score = json!({"id": "score-1", "traceId": trace_id(1), "name": "quality", "value": n});
                        let (status, answer) = collector.post_json("/api/public/scores", &score);
                        assert_eq!(status, 200, "{answer}");
                    }
                });
            }
        }
    });
    let writes = 2 * 2 * WRITES / 2;

    let listed = first.ok("/api/public/v2/prompts?name=raced");
    let versions: Vec<u64> =
        listed["data"][0]["versions"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(versions, (1..=writes as u64).collect::<Vec<_>>(), "one version number each, none skipped");
    let production: BTreeSet<u64> = versions
        .iter()
        .filter(|&&v| {
            let labels = second.ok(&format!("/api/public/v2/prompts/raced?version={v}"))["labels"].clone();
            labels.as_array().unwrap().contains(&json!("production"))
        })
        .copied()
        .collect();
    assert_eq!(production, BTreeSet::from([writes as u64]), "the label on the last version only");

    let items = second.ok("/api/public/dataset-items?datasetName=shared");
    assert_eq!(items["meta"]["totalItems"], 1, "{items}");
    let scores = first.ok("/api/public/v2/scores?name=quality");
    assert_eq!(scores["meta"]["totalItems"], 1, "{scores}");
}

#[test]
fn two_collectors_starting_together_on_an_empty_database_make_one_project() {
    let pair = replicas(2);
    let projects: BTreeSet<String> =
        pair.iter().map(|c| c.ok("/api/public/projects")["data"][0]["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(projects.len(), 1, "{projects:?}");
}

#[test]
fn media_announced_to_one_collector_and_uploaded_to_the_other_is_served_by_both() {
    let shared = DataDir::temp();
    let media_dir = shared.path().to_str().unwrap();
    let pair = replicas_with(2, &["--media-dir", media_dir]);
    let (first, second) = (&pair[0], &pair[1]);
    let bytes = b"\x89PNG\r\n\x1a\nbytes that cross collectors";
    let announced = json!({
        "traceId": trace_id(40),
        "contentType": "image/png",
        "contentLength": bytes.len(),
        "sha256Hash": base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes)),
    });
    let (status, ticket) = first.post_json("/api/public/media", &announced);
    assert_eq!(status, 200, "{ticket}");
    let upload_url = ticket["uploadUrl"].as_str().expect("an upload URL for new bytes");
    let upload_path = upload_url.strip_prefix(&first.url("")).expect("an upload URL of the first collector");
    let headers = [("content-type", "image/png")];
    let (status, _, body) = second.send_raw(Method::PUT, upload_path, &headers, bytes.to_vec());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let media_id = ticket["mediaId"].as_str().unwrap();
    for collector in &pair {
        let (status, _, served) = collector.get_raw(&format!("/api/public/media/{media_id}/content"));
        assert_eq!((status, served.as_slice()), (200, bytes.as_slice()));
    }
    // Announced again, through the second: known, nothing to upload.
    let (status, again) = second.post_json("/api/public/media", &announced);
    assert_eq!((status, &again["uploadUrl"]), (200, &Value::Null), "{again}");
}

/// Waits until `receiver` got every span of `requests` (by trace and span id), then
/// asserts each arrived once.
fn assert_forwarded_once(receiver: &Receiver, requests: &[Vec<Span>]) {
    let expected: BTreeSet<(String, String)> =
        requests.iter().flatten().map(|span| (hex::encode(&span.trace_id), hex::encode(&span.span_id))).collect();
    let arrivals = || {
        let mut counts: HashMap<(String, String), usize> = HashMap::new();
        for span in receiver.spans() {
            *counts.entry((span.trace_id, span.span_id)).or_default() += 1;
        }
        counts
    };
    wait_until("every span upstream", Duration::from_secs(60), || {
        let counts = arrivals();
        expected.iter().all(|id| counts.contains_key(id)).then_some(())
    });
    let counts = arrivals();
    let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.is_empty(), "delivered more than once: {repeated:?}");
    assert_eq!(counts.keys().cloned().collect::<BTreeSet<_>>(), expected);
}

/// Waits until the shared outbox has nothing pending for the client's project.
fn wait_settled(collector: &Collector) {
    wait_until("an empty backlog", Duration::from_secs(60), || {
        (collector.ok("/api/public/forwarding")["pendingSpans"] == 0).then_some(())
    });
}

#[test]
fn collectors_forwarding_from_one_database_deliver_each_span_once_also_after_one_stops() {
    let receiver = Receiver::start(Mode::Accept);
    let mut pair = replicas_with(2, &["--forward-otlp", &receiver.traces_url()]);
    let requests = requests();
    let (first_wave, second_wave) = requests.split_at(requests.len() / 2);
    feed(&pair, first_wave);
    assert_forwarded_once(&receiver, first_wave);
    wait_settled(&pair[1]);

    // The one delivering stops: the other takes over and delivers what follows.
    let delivering: Vec<bool> = pair.iter().map(|c| c.ok("/api/public/forwarding")["delivering"] == true).collect();
    assert_eq!(delivering.iter().filter(|d| **d).count(), 1, "one delivers: {delivering:?}");
    drop(pair.remove(delivering.iter().position(|d| *d).unwrap()));
    feed(&pair, second_wave);
    assert_forwarded_once(&receiver, &requests);
    assert_eq!(pair[0].ok("/api/public/forwarding")["delivering"], true);
}

#[test]
fn an_llm_connection_saved_through_one_collector_is_used_through_the_other() {
    let key = "7e".repeat(32);
    let pair = replicas_with(2, &["--encryption-key", &key]);
    let mock = MockOpenAi::start();
    let connection = json!({"provider": "mock", "adapter": "openai", "secretKey": "sk-mock-shared-4242",
                            "baseURL": mock.base_url, "customModels": ["mock-gpt"]});
    let saved = pair[0]
        .client()
        .put(pair[0].url("/api/public/llm-connections"))
        .header("authorization", pair[0].authorization())
        .json(&connection)
        .send()
        .unwrap();
    assert_eq!(saved.status(), 200);
    let ask = json!({"messages": [{"role": "user", "content": "across"}], "streaming": false,
                     "modelParams": {"provider": "mock", "model": "mock-gpt"}});
    let (status, answer) = pair[1].post_json("/api/playground/chat", &ask);
    assert_eq!(status, 200, "the second collector opens the secret the first sealed: {answer}");
    assert_eq!(answer["content"], mock_openai::answer("across"));
}
