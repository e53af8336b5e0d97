//! Generations carrying Langfuse's prompt keys link to the prompt version: the v1 and v2
//! observation APIs answer `promptId`, `promptName`, `promptVersion` (other observation
//! types stay unlinked, as in Langfuse), and the metrics API groups by `promptName` and
//! `promptVersion`, and langtrace's per-version route adds percentiles and score averages.

use serde_json::{json, Value};

use crate::client::create;
use crate::support::http::form_encode;
use crate::support::otlp::{self, int, span, text};
use crate::support::Collector;

#[test]
fn generations_link_to_prompt_versions_and_metrics_group_by_them() {
    let collector = Collector::start();
    let v1 = create(&collector, &json!({"name": "greet", "prompt": "Hi {{name}}"}));
    let v2 = create(&collector, &json!({"name": "greet", "prompt": "Hello {{name}}"}));
    let linked = |trace: u8, id: u8, kind: &str, version: i64, latency: u64| {
        span(trace, id).at(0, latency).attributes(vec![
            text("langfuse.observation.type", kind),
            text("langfuse.observation.prompt.name", "greet"),
            int("langfuse.observation.prompt.version", version),
            int("gen_ai.usage.input_tokens", 10),
        ])
    };
    let spans = vec![
        linked(1, 1, "generation", 1, 100),
        linked(2, 1, "generation", 2, 200),
        linked(3, 1, "generation", 2, 400),
        linked(4, 1, "span", 2, 50),
        linked(5, 1, "generation", 9, 50),
    ];
    otlp::send(&collector, &collector.authorization(), &otlp::request_from("svc", spans));

    let v1_list = collector.ok("/api/public/observations?limit=50")["data"].clone();
    let by_trace = |list: &Value, trace: u8| -> Value {
        list.as_array().unwrap().iter().find(|o| o["traceId"] == otlp::trace_id(trace)).unwrap().clone()
    };
    let first = by_trace(&v1_list, 1);
    assert_eq!(
        (first["promptId"].clone(), first["promptName"].clone(), first["promptVersion"].clone()),
        (v1["id"].clone(), json!("greet"), json!(1))
    );
    assert_eq!(by_trace(&v1_list, 2)["promptId"], v2["id"]);
    let span_only = by_trace(&v1_list, 4);
    assert_eq!(
        (span_only["promptName"].clone(), span_only["promptId"].clone()),
        (Value::Null, Value::Null),
        "spans do not link"
    );
    let unknown = by_trace(&v1_list, 5);
    assert_eq!(
        (unknown["promptName"].clone(), unknown["promptId"].clone()),
        (json!("greet"), Value::Null),
        "no such version: no id"
    );

    // Beyond Langfuse: the lists filter by prompt name and version (the UI's links).
    let of_v2 = collector.ok("/api/public/observations?promptName=greet&promptVersion=2")["data"].clone();
    let mut traces: Vec<&str> = of_v2.as_array().unwrap().iter().map(|o| o["traceId"].as_str().unwrap()).collect();
    traces.sort_unstable();
    assert_eq!(traces, [otlp::trace_id(2), otlp::trace_id(3)]);
    assert_eq!(collector.ok("/api/public/v2/observations?promptName=greet")["data"].as_array().unwrap().len(), 4);

    let v2_list = collector.ok("/api/public/v2/observations?fields=core,prompt")["data"].clone();
    let third = by_trace(&v2_list, 3);
    assert_eq!(
        (third["promptId"].clone(), third["promptName"].clone(), third["promptVersion"].clone()),
        (v2["id"].clone(), json!("greet"), json!(2))
    );

    let query = json!({
        "view": "observations",
        "dimensions": [{"field": "promptName"}, {"field": "promptVersion"}],
        "metrics": [{"measure": "count", "aggregation": "count"}, {"measure": "latency", "aggregation": "p50"},
                    {"measure": "inputTokens", "aggregation": "sum"}],
        "filters": [{"column": "promptName", "operator": "=", "value": "greet"}],
        "fromTimestamp": "2023-01-01T00:00:00Z", "toTimestamp": "2030-01-01T00:00:00Z",
    });
    let rows =
        collector.ok(&format!("/api/public/v2/metrics?query={}", form_encode(&query.to_string())))["data"].clone();
    let row = |version: &str| rows.as_array().unwrap().iter().find(|r| r["promptVersion"] == version).cloned();
    let second = row("2").expect("version 2's row");
    assert_eq!((second["count_count"].clone(), second["p50_latency"].clone()), (json!(2), json!(200.0)));
    assert_eq!(row("1").unwrap()["sum_inputTokens"], 10.0);
    assert_eq!(rows.as_array().unwrap().len(), 3, "versions 1, 2 and the unknown 9: {rows}");

    // Per version: a trace score and a generation's score count for version 2; another
    // observation's score in the same trace does not.
    let score = |body: Value| assert_eq!(collector.post_json("/api/public/scores", &body).0, 200);
    score(json!({"name": "quality", "value": 1.0, "traceId": otlp::trace_id(2)}));
    score(json!({"name": "quality", "value": 0.5, "traceId": otlp::trace_id(3), "observationId": "0101010101010101"}));
    score(json!({"name": "quality", "value": 0.0, "traceId": otlp::trace_id(3), "observationId": "0202020202020202"}));
    let per_version = collector.ok("/api/public/v2/prompts/greet/metrics")["data"].clone();
    assert_eq!(per_version.as_array().unwrap().len(), 2, "the two versions, newest first: {per_version}");
    let newest = &per_version[0];
    assert_eq!((newest["version"].as_i64(), newest["promptId"].clone()), (Some(2), v2["id"].clone()));
    assert_eq!((newest["generations"].as_u64(), newest["inputTokens"].as_i64()), (Some(2), Some(20)));
    assert_eq!((newest["latencyP50"].as_f64(), newest["latencyP95"].as_f64()), (Some(200.0), Some(400.0)));
    assert_eq!(newest["scores"], json!([{"name": "quality", "average": 0.75, "count": 2}]));
    let oldest = &per_version[1];
    assert_eq!((oldest["generations"].as_u64(), oldest["latencyP95"].as_f64()), (Some(1), Some(100.0)));
    assert_eq!(oldest["scores"], json!([]));
    assert_eq!(collector.get("/api/public/v2/prompts/nothing/metrics").0, 404);
}
