//! Generated and mutated input at every handler of a real `langtrace serve`: query strings
//! of every list and detail route, metrics queries, and JSON bodies of every POST route
//! (prompts included).
//! Whatever arrives, the answer is a 2xx or a 4xx with a JSON `message`, never a 5xx or a
//! dropped connection, and the server keeps serving. Cases per property: proptest's
//! default (256), or `PROPTEST_CASES`.

mod support;

use std::sync::OnceLock;

use proptest::prelude::*;
use reqwest::Method;
use serde_json::{json, Value};
use support::http::{form_encode, message};
use support::otlp::{self, int, span, text};
use support::Collector;

/// One collector for every case, holding a few traces, a generation and a score so
/// queries have rows to read.
fn collector() -> &'static Collector {
    static COLLECTOR: OnceLock<Collector> = OnceLock::new();
    COLLECTOR.get_or_init(|| {
        let collector = Collector::start();
        let generation = span(2, 3).parent(1).attributes(vec![
            text("langfuse.observation.type", "generation"),
            text("gen_ai.request.model", "gpt-4o-mini"),
            int("gen_ai.usage.input_tokens", 12),
            int("gen_ai.usage.output_tokens", 3),
        ]);
        let root = span(2, 1).input("{\"q\":\"hi\"}").attributes(vec![
            text("user.id", "u-1"),
            text("session.id", "s-1"),
            text("langfuse.trace.tags", "[\"a\",\"b\"]"),
        ]);
        otlp::send(&collector, &collector.authorization(), &otlp::request_from("svc", vec![root, generation]));
        let score = json!({"traceId": otlp::trace_id(2), "name": "quality", "value": 0.5});
        assert_eq!(collector.post_json("/api/public/scores", &score).0, 200);
        collector
    })
}

/// Asserts the answer is a 2xx, or a 4xx with a JSON `message`.
fn assert_answered(what: &str, (status, _, body): (u16, reqwest::header::HeaderMap, Vec<u8>)) {
    assert!(
        (200..300).contains(&status) || ((400..500).contains(&status) && !message(&body).is_empty()),
        "{what}: {status} {}",
        String::from_utf8_lossy(&body)
    );
}

/// Routes that take a query string.
const LISTS: &[&str] = &[
    "/api/public/traces",
    "/api/public/observations",
    "/api/public/v2/observations",
    "/api/public/sessions",
    "/api/public/users",
    "/api/public/scores",
    "/api/public/v2/scores",
    "/api/public/v3/scores",
    "/api/public/environments",
    "/api/public/models",
    "/api/public/metrics",
    "/api/public/v2/metrics",
    "/api/public/v2/prompts",
    "/api/public/traces/export",
    "/api/public/observations/export",
];

/// Routes whose last segment is an id.
const DETAILS: &[&str] = &[
    "/api/public/traces/",
    "/api/public/observations/",
    "/api/public/sessions/",
    "/api/public/users/",
    "/api/public/media/",
    "/api/public/v2/prompts/",
];

/// Parameter names the routes know, and some they do not.
fn parameter_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "page",
            "limit",
            "cursor",
            "userId",
            "name",
            "tags",
            "sessionId",
            "traceId",
            "type",
            "level",
            "environment",
            "version",
            "release",
            "fromTimestamp",
            "toTimestamp",
            "fromStartTime",
            "toStartTime",
            "orderBy",
            "fields",
            "parentObservationId",
            "scoreIds",
            "source",
            "dataType",
            "value",
            "operator",
            "configId",
            "queueId",
            "observationId",
            "query",
            "filter",
            "expandMetadata",
            "parseIoAsJson",
            "label",
            "tag",
            "resolve",
            "fromUpdatedAt",
            "promptName",
            "promptVersion",
            "format",
            "score",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z\\[\\]._]{1,16}",
    ]
}

/// Values: numbers of every size and sign, dates good and bad, lists, JSON, any text.
fn parameter_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{1,25}",
        "[0-9]{1,4}\\.[0-9]{0,4}(e[+-]?[0-9]{1,4})?",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2})?",
        "(timestamp|startTime|name|latency|totalCost)\\.(asc|desc|up)",
        "[a-z,]{0,40}",
        Just(String::new()),
        any::<String>(),
        metrics_query().prop_map(|query| query.to_string()),
    ]
}

/// Metrics queries: Langfuse's fields with known and unknown names and values, and
/// arbitrary JSON in their place.
fn metrics_query() -> impl Strategy<Value = Value> {
    let name =
        |known: Vec<&'static str>| prop_oneof![prop::sample::select(known).prop_map(str::to_owned), any::<String>()];
    let metric = (
        name(vec!["count", "latency", "timeToFirstToken", "inputTokens", "totalTokens", "totalCost", "errorCount"]),
        name(vec!["count", "sum", "avg", "min", "max", "p50", "p99", "p100", "p-1", "p1e400", "pNaN"]),
    )
        .prop_map(|(measure, aggregation)| json!({"measure": measure, "aggregation": aggregation}));
    let dimension = name(vec!["name", "type", "model", "environment", "level", "userId", "traceName"])
        .prop_map(|f| json!({"field": f}));
    let filter = (name(vec!["name", "level", "userId"]), name(vec!["=", "!=", ">", "<=", "contains"]), json_value())
        .prop_map(|(column, operator, value)| json!({"column": column, "operator": operator, "value": value}));
    let time = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z|.{0,12}";
    (
        name(vec!["observations", "traces", "scores-numeric"]),
        prop::collection::vec(metric, 0..6),
        prop::collection::vec(dimension, 0..4),
        prop::collection::vec(filter, 0..4),
        proptest::option::of(name(vec!["minute", "hour", "day", "week", "auto"])),
        time,
        time,
    )
        .prop_map(|(view, metrics, dimensions, filters, granularity, from, to)| {
            let mut query = json!({
                "view": view, "metrics": metrics, "dimensions": dimensions, "filters": filters,
                "fromTimestamp": from, "toTimestamp": to,
            });
            if let Some(granularity) = granularity {
                query["timeDimension"] = json!({"granularity": granularity});
            }
            query
        })
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// JSON objects shaped like the POST routes' bodies: their field names with any values.
fn post_body() -> impl Strategy<Value = Value> {
    let field = prop::sample::select(vec![
        "id",
        "traceId",
        "observationId",
        "sessionId",
        "name",
        "value",
        "dataType",
        "comment",
        "configId",
        "datasetRunId",
        "environment",
        "metadata",
        "modelName",
        "matchPattern",
        "unit",
        "inputPrice",
        "outputPrice",
        "totalPrice",
        "prices",
        "startDate",
        "contentType",
        "contentLength",
        "sha256Hash",
        "field",
        "batch",
        "type",
        "timestamp",
        "body",
        "prompt",
        "labels",
        "tags",
        "config",
        "commitMessage",
    ]);
    prop::collection::btree_map(field, json_value(), 0..8)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

/// A query string of `pairs`, percent-encoded.
fn query_string(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v))).collect::<Vec<_>>().join("&")
}

proptest! {
    #[test]
    fn list_routes_answer_any_query_string(
        route in prop::sample::select(LISTS),
        pairs in prop::collection::vec((parameter_name(), parameter_value()), 0..6),
    ) {
        let collector = collector();
        let path = format!("{route}?{}", query_string(&pairs));
        assert_answered(&path, collector.get_raw(&path));
    }

    #[test]
    fn metrics_routes_answer_any_query(query in prop_oneof![metrics_query(), json_value()]) {
        let collector = collector();
        for route in ["/api/public/metrics", "/api/public/v2/metrics"] {
            let path = format!("{route}?query={}", form_encode(&query.to_string()));
            assert_answered(&path, collector.get_raw(&path));
        }
    }

    #[test]
    fn detail_routes_answer_any_id(
        route in prop::sample::select(DETAILS),
        id in prop_oneof![any::<String>().prop_map(String::into_bytes), prop::collection::vec(any::<u8>(), 0..24)],
    ) {
        let collector = collector();
        let id: String = id.iter().map(|b| format!("%{b:02X}")).collect();
        let path = format!("{route}{id}");
        assert_answered(&path, collector.get_raw(&path));
    }

    #[test]
    fn post_routes_answer_any_body(
        route in prop::sample::select(vec!["/api/public/scores", "/api/public/ingestion", "/api/public/models", "/api/public/media", "/api/public/v2/prompts"]),
        body in prop_oneof![post_body(), json_value()],
    ) {
        let collector = collector();
        let authorization = collector.authorization();
        let headers = [("authorization", authorization.as_str()), ("content-type", "application/json")];
        let answer = collector.send_raw(Method::POST, route, &headers, body.to_string().into_bytes());
        assert_answered(&format!("POST {route} {body}"), answer);
    }
}
