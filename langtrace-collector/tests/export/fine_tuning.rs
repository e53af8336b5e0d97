//! OpenAI SFT lines from traced generations: checked field by field against the golden
//! file, rows that do not fit counted and named in the last line, never dropped silently.

use serde_json::json;

use crate::client::{export, generation, golden, lines, send};
use crate::support::otlp::{span, text};
use crate::support::Collector;

#[test]
fn generations_become_sft_lines_as_the_golden_file_says_and_misfits_are_reported() {
    let collector = Collector::start();
    let weather_tool = r#"{"type":"function","function":{"name":"weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}"#;
    send(
        &collector,
        vec![
            // Not a generation: left out unless `type` asks for it.
            span(25, 25)
                .at(60, 5)
                .attributes(vec![text("langfuse.observation.input", r#"[{"role":"user","content":"x"}]"#)]),
            generation(
                20,
                20,
                50,
                r#"[{"role":"system","content":"Be brief."},{"role":"user","content":"Capital of France?"}]"#,
                r#"{"role":"assistant","content":"Paris."}"#,
            ),
            generation(
                21,
                21,
                40,
                &format!(r#"{{"messages":[{{"role":"user","content":"Weather in Oslo?"}}],"tools":[{weather_tool}]}}"#),
                r#"{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}}]}"#,
            ),
            generation(22, 22, 30, "Say hi", "hi"),
            generation(23, 23, 20, "42", "a number"),
            span(24, 24).at(10, 5).attributes(vec![
                text("langfuse.observation.type", "generation"),
                text("langfuse.observation.input", "no answer came"),
            ]),
            generation(
                26,
                26,
                0,
                r#"[{"role":"user","content":"Pick one"}]"#,
                r#"[{"role":"assistant","content":"A"},{"role":"assistant","content":"B"}]"#,
            ),
        ],
    );
    let (_, headers, body) = export(&collector, "/api/public/observations/export?format=openai_sft");
    assert_eq!(headers["content-type"], "application/x-ndjson");
    assert_eq!(headers["content-disposition"], "attachment; filename=\"observations.jsonl\"");
    let mut exported = lines(&body);
    let report = exported.pop().expect("a report line");
    let expected = golden("observations_sft.jsonl");
    assert_eq!(exported.len(), expected.len(), "{exported:#?}");
    for (line, (got, want)) in exported.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "line {line}");
    }
    assert_eq!(
        report,
        json!({"_langtrace_export": {
            "exported": 3,
            "skipped": 3,
            "ids": ["1717171717171717", "1818181818181818", "1a1a1a1a1a1a1a1a"],
            "idsTruncated": false,
            "reasons": {
                "no output": 1,
                "the input is not a string, a message list or {messages, tools}": 1,
                "the output holds alternative assistant messages (several choices)": 1,
            },
        }})
    );

    // Another type when asked for; a filter that selects nothing still ends with the report.
    let (_, _, body) = export(&collector, "/api/public/observations/export?format=openai_sft&type=SPAN");
    assert_eq!(lines(&body).last().unwrap()["_langtrace_export"]["skipped"], 1, "the span has no output");
    let (_, _, body) = export(&collector, "/api/public/observations/export?format=openai_sft&name=nothing");
    assert_eq!(
        lines(&body),
        [json!({"_langtrace_export": {"exported": 0, "skipped": 0, "ids": [], "idsTruncated": false, "reasons": {}}})]
    );
}
