//! Bad input answers a precise 4xx, and an export never holds another project's data.

use serde_json::json;

use crate::client::{export, lines, send};
use crate::support::http::{message, Api};
use crate::support::otlp::{self, span, text, trace_id};
use crate::support::{basic, cli, Collector};

#[test]
fn bad_input_answers_a_400_naming_what_is_wrong() {
    let collector = Collector::start();
    let cases = [
        ("/api/public/traces/export?format=xml", "format must be one of jsonl, csv, got \"xml\""),
        ("/api/public/traces/export?format=openai_sft", "format must be one of jsonl, csv, got \"openai_sft\""),
        (
            "/api/public/observations/export?format=parquet",
            "format must be one of jsonl, csv, openai_sft, openai_dpo, got \"parquet\"",
        ),
        (
            "/api/public/observations/export?score=helpful",
            "score must be NAME OP NUMBER with OP one of >=, >, <=, <, = (e.g. score=helpful>=0.8), got \"helpful\"",
        ),
        ("/api/public/observations/export?score=helpful%3E%3Dvery", "got \"helpful>=very\""),
        ("/api/public/observations/export?score=%3E%3D1", "got \">=1\""),
        ("/api/public/observations?score=helpful%3E%3D", "query parameter score"),
        ("/api/public/v2/observations?score=helpful%3D%3Dx", "score must be NAME OP NUMBER"),
        (
            "/api/public/observations/export?format=openai_dpo",
            "format openai_dpo needs a preferred and a non-preferred",
        ),
        ("/api/public/traces/export?fromTimestamp=yesterday", "query parameter fromTimestamp"),
        ("/api/public/traces/export?level=LOUD", "level must be DEBUG, DEFAULT, WARNING or ERROR"),
    ];
    for (path, expected) in cases {
        let (status, _, body) = collector.get_raw(path);
        assert_eq!(status, 400, "{path}");
        assert!(message(&body).contains(expected), "{path}: {}", message(&body));
    }
    for path in ["/api/public/traces/export", "/api/public/observations/export"] {
        assert_eq!(collector.get_as(path, &basic("pk-lt-test", "wrong")).0, 401, "{path}");
    }
}

#[test]
fn another_projects_data_is_never_exported() {
    let collector = Collector::start();
    send(&collector, vec![span(1, 1).at(0, 5).attributes(vec![text("langfuse.observation.input", "mine")])]);
    let team_b = Api::new(collector.base_url.clone(), cli::create_project(collector.data_dir(), "team-b"));
    let secret = |id: u8| span(id, 1).at(10, 5).attributes(vec![text("langfuse.observation.input", "b-secret")]);
    // The same trace id in project B, and one of B's own.
    otlp::send(&team_b, &team_b.authorization(), &otlp::request_from("b", [secret(1), secret(2)]));
    let helpful = json!([{"traceId": trace_id(1), "name": "helpful", "value": 1.0}]);
    assert_eq!(team_b.post_json("/api/public/scores", &helpful).0, 202);

    for path in ["/api/public/traces/export", "/api/public/observations/export", "/api/public/traces/export?format=csv"]
    {
        let (_, _, mine) = export(&collector, path);
        let text = String::from_utf8(mine).unwrap();
        assert!(text.contains("mine") && !text.contains("b-secret"), "{path}: {text}");
        let (_, _, theirs) = export(&team_b, path);
        let text = String::from_utf8(theirs).unwrap();
        assert!(!text.contains("mine") && text.matches("b-secret").count() == 2, "{path}: {text}");
    }
    let (_, _, scored) = export(&collector, "/api/public/observations/export?score=helpful%3E%3D0.5");
    assert!(lines(&scored).is_empty(), "project B's score does not select project A's observation");
    let (_, _, scored) = export(&team_b, "/api/public/observations/export?score=helpful%3E%3D0.5");
    assert_eq!(lines(&scored).len(), 1);
}
