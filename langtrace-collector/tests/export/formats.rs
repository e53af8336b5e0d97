//! JSON Lines and CSV: each line is the list route's object, the CSV has the documented
//! columns with nested JSON as its text and RFC 4180 quoting, and the filters (the list
//! route's, plus score thresholds) select the same rows.

use serde_json::{json, Value};

use crate::client::{export, generation, lines, send};
use crate::support::otlp::{span, text, texts, trace_id};
use crate::support::Collector;

/// The documented CSV columns of a trace export.
const TRACE_COLUMNS: [&str; 18] = [
    "id",
    "timestamp",
    "name",
    "userId",
    "sessionId",
    "environment",
    "release",
    "version",
    "tags",
    "metadata",
    "input",
    "output",
    "level",
    "latency",
    "totalCost",
    "usage",
    "observationCount",
    "public",
];

/// The documented CSV columns of an observation export.
const OBSERVATION_COLUMNS: [&str; 24] = [
    "id",
    "traceId",
    "parentObservationId",
    "type",
    "name",
    "startTime",
    "endTime",
    "completionStartTime",
    "level",
    "statusMessage",
    "environment",
    "version",
    "model",
    "modelParameters",
    "input",
    "output",
    "metadata",
    "usageDetails",
    "costDetails",
    "calculatedTotalCost",
    "latency",
    "timeToFirstToken",
    "promptName",
    "promptVersion",
];

/// The header and records of a CSV body.
fn csv_records(body: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_reader(body);
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    (header, reader.records().map(Result::unwrap).collect())
}

#[test]
fn traces_export_as_the_list_answers_them_in_jsonl_and_csv() {
    let collector = Collector::start();
    let tricky = json!({"q": "say \"hi\", then\nstop", "n": [1, 2]});
    send(
        &collector,
        vec![
            span(1, 1).at(0, 5).attributes(vec![
                text("user.id", "alice"),
                text("langfuse.observation.input", tricky.to_string()),
                texts("langfuse.trace.tags", &["a", "b"]),
            ]),
            span(2, 1)
                .at(10, 5)
                .attributes(vec![text("user.id", "alice"), text("langfuse.observation.output", "done")]),
            span(3, 1).at(20, 5).attributes(vec![text("user.id", "bob")]),
        ],
    );
    let listed = collector.ok("/api/public/traces?userId=alice&fields=core,io");
    let (_, headers, body) = export(&collector, "/api/public/traces/export?userId=alice");
    assert_eq!(headers["content-type"], "application/x-ndjson");
    assert_eq!(headers["content-disposition"], "attachment; filename=\"traces.jsonl\"");
    let exported = lines(&body);
    assert_eq!(exported.len(), 2, "alice's traces only");
    assert_eq!(exported, listed["data"].as_array().unwrap().clone(), "the list's objects, newest first");

    let (_, headers, body) = export(&collector, "/api/public/traces/export?userId=alice&format=csv");
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(headers["content-disposition"], "attachment; filename=\"traces.csv\"");
    let (header, records) = csv_records(&body);
    assert_eq!(header, TRACE_COLUMNS);
    assert_eq!(records.len(), 2);
    let column = |name: &str| TRACE_COLUMNS.iter().position(|c| *c == name).unwrap();
    let first = records.iter().find(|r| r[column("id")] == trace_id(1)).expect("trace 1");
    assert_eq!(serde_json::from_str::<Value>(&first[column("input")]).unwrap(), tricky, "nested JSON as its text");
    assert_eq!(serde_json::from_str::<Value>(&first[column("tags")]).unwrap(), json!(["a", "b"]));
    assert_eq!((&first[column("userId")], &first[column("sessionId")]), ("alice", ""), "null is an empty cell");
    assert_eq!(&first[column("public")], "false");
    let second = records.iter().find(|r| r[column("id")] == trace_id(2)).expect("trace 2");
    assert_eq!(&second[column("output")], "done", "text as itself");

    let (_, _, empty) = export(&collector, "/api/public/traces/export?userId=nobody&format=csv");
    assert_eq!(String::from_utf8(empty).unwrap(), format!("{}\n", TRACE_COLUMNS.join(",")), "a header alone");
}

#[test]
fn observations_export_takes_the_list_filters_and_score_thresholds() {
    let collector = Collector::start();
    let ask = r#"[{"role":"user","content":"hi"}]"#;
    send(
        &collector,
        vec![
            generation(10, 1, 0, ask, "a"),
            generation(11, 1, 10, ask, "b"),
            generation(12, 1, 20, ask, "c"),
            span(12, 2).parent(1).at(21, 2),
        ],
    );
    let scores = json!([
        {"traceId": trace_id(10), "observationId": "0101010101010101", "name": "helpful", "value": 0.9},
        {"traceId": trace_id(10), "observationId": "0101010101010101", "name": "toxicity", "value": 0.2},
        {"traceId": trace_id(11), "observationId": "0101010101010101", "name": "helpful", "value": 0.5},
        {"traceId": trace_id(12), "name": "helpful", "value": 0.95},
        {"traceId": trace_id(11), "observationId": "0101010101010101", "name": "toxicity", "value": 0.9},
    ]);
    let (status, body) = collector.post_json("/api/public/scores", &scores);
    assert_eq!(status, 202, "{body}");

    let traces_of = |query: &str| -> Vec<String> {
        let (_, _, body) = export(&collector, &format!("/api/public/observations/export?{query}"));
        lines(&body).iter().map(|o| o["traceId"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(traces_of("type=GENERATION"), [trace_id(12), trace_id(11), trace_id(10)], "newest first");
    assert_eq!(traces_of("score=helpful%3E%3D0.8&type=GENERATION"), [trace_id(12), trace_id(10)], "own or trace score");
    assert_eq!(
        traces_of("score=helpful%3E%3D0.8"),
        [trace_id(12), trace_id(12), trace_id(10)],
        "a trace score covers its span too"
    );
    assert_eq!(traces_of("score=helpful%3C0.8"), [trace_id(11)]);
    assert_eq!(traces_of("score=helpful%3E%3D0.8&score=toxicity%3C0.5"), [trace_id(10)], "every condition");
    assert_eq!(traces_of("score=helpful%3E0.95"), Vec::<String>::new(), "strictly above");
    assert_eq!(traces_of(&format!("traceId={}", trace_id(11))).len(), 1, "the list's filters");

    let listed = collector.ok(&format!("/api/public/observations?traceId={}&fields=core,io", trace_id(11)));
    let (_, _, body) = export(&collector, &format!("/api/public/observations/export?traceId={}", trace_id(11)));
    assert_eq!(lines(&body), listed["data"].as_array().unwrap().clone(), "the list's objects");

    let (_, headers, body) = export(&collector, "/api/public/observations/export?format=csv&type=GENERATION");
    assert_eq!(headers["content-disposition"], "attachment; filename=\"observations.csv\"");
    let (header, records) = csv_records(&body);
    assert_eq!(header, OBSERVATION_COLUMNS);
    assert_eq!(records.len(), 3);
    let input = OBSERVATION_COLUMNS.iter().position(|c| *c == "input").unwrap();
    assert_eq!(serde_json::from_str::<Value>(&records[0][input]).unwrap(), json!([{"role": "user", "content": "hi"}]));
}
