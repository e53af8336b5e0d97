//! Heavy requests aimed at the writer, shared by `tests/hostile/writer.rs` and the
//! hostile benchmark: a span carrying tens of thousands of tags, spans whose token counts
//! overflow a trace's sums, a span with an input of megabytes.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

use super::otlp::{int, request, span, text, SpanBuilder};

/// An export request of one root span (span 1 of trace `trace`) carrying `count`
/// distinct trace tags `tag-0`, `tag-1`, ... (50,000 of them: a 339 KB protobuf body).
pub fn tags_request(trace: u8, count: usize) -> ExportTraceServiceRequest {
    let tags: Vec<String> = (0..count).map(|i| format!("tag-{i}")).collect();
    let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
    request([span(trace, 1).attributes(vec![super::otlp::texts("langfuse.trace.tags", &tags)])])
}

/// Span `id` of trace `trace` (under span 1 unless it is span 1): a generation reporting
/// `gen_ai.usage.input_tokens = i64::MAX`, so two of them overflow the trace's sum.
pub fn overflow_span(trace: u8, id: u8) -> SpanBuilder {
    let generation = span(trace, id).attributes(vec![
        text("gen_ai.operation.name", "chat"),
        text("gen_ai.request.model", "gpt-4o"),
        int("gen_ai.usage.input_tokens", i64::MAX),
    ]);
    if id == 1 {
        generation
    } else {
        generation.parent(1)
    }
}

/// A root span (span 1 of trace `trace`) whose input is a JSON string of `bytes` bytes.
pub fn large_input_request(trace: u8, bytes: usize) -> ExportTraceServiceRequest {
    let input = serde_json::to_string(&"x".repeat(bytes.saturating_sub(2))).unwrap();
    request([span(trace, 1).input(&input)])
}
