//! A dataset's export: DPO and SFT lines from items (the DPO golden file checked field by
//! field through the route), items that do not fit reported, JSON Lines equal to the item
//! list's objects, CSV, time travel with `version`, 404 for an unknown dataset, and
//! another project's dataset of the same name never exported.

use serde_json::{json, Value};

use crate::client::{export, golden, lines};
use crate::support::http::{form_encode, message, Api};
use crate::support::{cli, Collector};

/// Creates dataset `name` and POSTs `items` into it, one by one, in order (so the last is
/// the newest, the first an export lists).
fn dataset(api: &Api, name: &str, items: &[Value]) {
    let (status, body) = api.post_json("/api/public/v2/datasets", &json!({"name": name}));
    assert_eq!(status, 200, "{body}");
    for item in items {
        let mut body = item.clone();
        body["datasetName"] = json!(name);
        let (status, answer) = api.post_json("/api/public/dataset-items", &body);
        assert_eq!(status, 200, "{body}: {answer}");
    }
}

/// The export route of dataset `name` with `query`.
fn route(name: &str, query: &str) -> String {
    format!("/api/public/v2/datasets/{}/export?{query}", form_encode(name))
}

#[test]
fn dataset_items_become_dpo_and_sft_lines_and_misfits_are_reported() {
    let collector = Collector::start();
    // Posted last to first: the export lists them first to last, as the golden file does.
    let items: Vec<Value> = golden("dpo_items.jsonl").into_iter().rev().collect();
    dataset(&collector, "prefs é", &items);

    let (_, headers, body) = export(&collector, &route("prefs é", "format=openai_dpo"));
    assert_eq!(headers["content-disposition"], "attachment; filename=\"dataset-prefs__.jsonl\"");
    let got = lines(&body);
    let expected = golden("dpo.jsonl");
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (line, (got, want)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "line {line}");
    }

    // SFT takes every item with an answer, whatever its non-preferred output.
    let (_, _, body) = export(&collector, &route("prefs é", "format=openai_sft"));
    let mut examples = lines(&body);
    let report = examples.pop().unwrap();
    assert_eq!(report["_langtrace_export"]["exported"], 7, "{report}");
    assert_eq!(examples.len(), 7);
    assert_eq!(
        examples[0],
        json!({"messages": [
            {"role": "system", "content": "Answer in one word."},
            {"role": "user", "content": "Capital of France?"},
            {"role": "assistant", "content": "Paris"},
        ]})
    );
    assert_eq!(examples[2]["tools"], json!([{"type": "function", "function": {"name": "weather"}}]));
    assert_eq!(examples[5]["messages"].as_array().unwrap().len(), 4, "input, then the tool round trip and answer");

    // An item without an answer is reported.
    dataset(
        &collector,
        "sft",
        &[json!({"id": "unanswered", "input": "?"}), json!({"id": "answered", "input": "?", "expectedOutput": "!"})],
    );
    let (_, _, body) = export(&collector, &route("sft", "format=openai_sft"));
    let report = lines(&body).pop().unwrap();
    assert_eq!(report["_langtrace_export"]["ids"], json!(["unanswered"]), "{report}");
    assert_eq!(report["_langtrace_export"]["reasons"], json!({"no output": 1}));
}

#[test]
fn dataset_exports_list_items_as_the_api_does_at_any_version_and_stay_in_their_project() {
    let collector = Collector::start();
    dataset(&collector, "qa", &[json!({"id": "a", "input": "one", "expectedOutput": "1"})]);
    let before =
        collector.ok("/api/public/dataset-items?datasetName=qa")["data"][0]["updatedAt"].as_str().unwrap().to_owned();
    dataset(&collector, "qa", &[json!({"id": "a", "input": "one, edited"}), json!({"id": "b", "input": {"q": "two"}})]);
    dataset(&collector, "other", &[json!({"id": "c", "input": "elsewhere"})]);

    let listed = collector.ok("/api/public/dataset-items?datasetName=qa");
    let (_, headers, body) = export(&collector, &route("qa", ""));
    assert_eq!(headers["content-type"], "application/x-ndjson");
    assert_eq!(lines(&body), listed["data"].as_array().unwrap().clone(), "the item list's objects, newest first");

    let (_, _, body) = export(&collector, &route("qa", &format!("version={}", form_encode(&before))));
    let then = lines(&body);
    assert_eq!(then.len(), 1, "only item a existed then");
    assert_eq!(then[0]["input"], "one", "with its value then");

    let (_, _, body) = export(&collector, &route("qa", "format=csv"));
    let mut reader = csv::Reader::from_reader(&body[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        [
            "id",
            "status",
            "input",
            "expectedOutput",
            "metadata",
            "sourceTraceId",
            "sourceObservationId",
            "datasetId",
            "datasetName",
            "createdAt",
            "updatedAt",
            "version"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2);
    assert_eq!(serde_json::from_str::<Value>(&records[0][2]).unwrap(), json!({"q": "two"}));
    assert_eq!(&records[1][2], "one, edited");

    let (status, _, body) = collector.get_raw(&route("missing", ""));
    assert_eq!((status, message(&body)), (404, "Dataset not found".to_owned()));
    let (status, _, body) = collector.get_raw(&route("qa", "format=parquet"));
    assert_eq!(status, 400);
    assert_eq!(message(&body), "format must be one of jsonl, csv, openai_sft, openai_dpo, got \"parquet\"");
    let (status, _, body) = collector.get_raw(&route("qa", "version=yesterday"));
    assert_eq!(status, 400);
    assert!(message(&body).contains("query parameter version"), "{}", message(&body));

    // Project B's dataset of the same name holds only its own items, and A's stay A's.
    let team_b = Api::new(collector.base_url.clone(), cli::create_project(collector.data_dir(), "team-b"));
    assert_eq!(team_b.get_raw(&route("qa", "")).0, 404, "A's dataset is not B's");
    dataset(&team_b, "qa", &[json!({"id": "b-only", "input": "b-secret"})]);
    let (_, _, mine) = export(&collector, &route("qa", ""));
    assert!(!String::from_utf8(mine).unwrap().contains("b-secret"));
    let (_, _, theirs) = export(&team_b, &route("qa", ""));
    assert_eq!(lines(&theirs).len(), 1);
}
