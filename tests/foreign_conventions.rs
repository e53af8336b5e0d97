//! Foreign `tracing` spans of LLM crates through the real layer and pipeline: the field
//! set genai (feature `otel`) records becomes a generation with its conversation in the
//! normal form, its usage, finish reasons, time to first token and errors; an inline
//! image in its messages still becomes a media reference.

mod common;

use common::Harness;
use langtrace::{Level, ObservationType};
use serde_json::json;

/// A chat call as genai records it: fields declared empty, recorded once the answer is in.
fn genai_chat(answer: Result<&str, &str>) {
    let span = tracing::info_span!(
        "genai.chat",
        otel.name = "chat gpt-4o-mini",
        gen_ai.operation.name = "chat",
        gen_ai.provider.name = "openai",
        gen_ai.request.model = "gpt-4o-mini",
        gen_ai.request.temperature = 0.2,
        gen_ai.system_instructions = tracing::field::Empty,
        gen_ai.input.messages = tracing::field::Empty,
        gen_ai.output.messages = tracing::field::Empty,
        gen_ai.response.model = tracing::field::Empty,
        gen_ai.response.finish_reasons = tracing::field::Empty,
        gen_ai.response.time_to_first_chunk = tracing::field::Empty,
        gen_ai.usage.input_tokens = tracing::field::Empty,
        gen_ai.usage.output_tokens = tracing::field::Empty,
        gen_ai.usage.cache_read.input_tokens = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
        error.type = tracing::field::Empty,
    );
    let _entered = span.enter();
    span.record("gen_ai.system_instructions", r#"[{"type":"text","content":"Describe images."}]"#);
    let input = json!([{"role": "user", "parts": [
        {"type": "text", "content": "What is this?"},
        {"type": "blob", "modality": "image", "mime_type": "image/png", "content": "iVBORw0KGgo="}
    ]}]);
    span.record("gen_ai.input.messages", input.to_string().as_str());
    match answer {
        Ok(text) => {
            let output =
                json!([{"role": "assistant", "parts": [{"type": "text", "content": text}], "finish_reason": "stop"}]);
            span.record("gen_ai.output.messages", output.to_string().as_str());
            span.record("gen_ai.response.model", "gpt-4o-mini-2024-07-18");
            span.record("gen_ai.response.finish_reasons", "stop");
            span.record("gen_ai.response.time_to_first_chunk", 0.05);
            span.record("gen_ai.usage.input_tokens", 30u64);
            span.record("gen_ai.usage.output_tokens", 4u64);
            span.record("gen_ai.usage.cache_read.input_tokens", 10u64);
        }
        Err(error) => {
            span.record("otel.status_code", "ERROR");
            span.record("error.type", error);
        }
    }
}

#[test]
fn a_genai_chat_span_becomes_a_generation_with_a_conversation() {
    let harness = Harness::new();
    harness.run(|| genai_chat(Ok("A pixel.")));
    let generation = harness.observation("chat gpt-4o-mini");
    assert_eq!(generation.observation_type, ObservationType::Generation);
    assert_eq!(generation.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(generation.model_parameters["temperature"], json!(0.2));
    assert_eq!(generation.usage_details["input"], 30);
    assert_eq!(generation.usage_details["cache_read_input_tokens"], 10);
    let reference = &generation.media[0].reference;
    assert!(reference.starts_with("@@@langfuseMedia:type=image/png|id="), "{reference}");
    assert_eq!(
        generation.input_value(),
        Some(json!([
            {"role": "system", "content": "Describe images."},
            {"role": "user", "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": reference}}
            ]}
        ]))
    );
    assert_eq!(generation.output_value(), Some(json!({"role": "assistant", "content": "A pixel."})));
    assert_eq!(generation.metadata["finish_reasons"], json!(["stop"]));
    assert_eq!(generation.metadata["provider"], json!("openai"));
    // The start is read on the application's thread and again on the pipeline's, each
    // converting the same tick with its own clock anchor: equal within a millisecond.
    let first_token = generation.completion_start_time.expect("time to first token").0;
    let after = first_token.abs_diff(generation.start_time.0);
    assert!(after.abs_diff(50_000_000) < 1_000_000, "first token {after} ns after the start");
}

#[test]
fn a_failed_genai_chat_is_an_error_with_its_error_type() {
    let harness = Harness::new();
    harness.run(|| genai_chat(Err("RateLimited")));
    let generation = harness.observation("chat gpt-4o-mini");
    assert_eq!(generation.level, Level::Error);
    assert_eq!(generation.status_message.as_deref(), Some("RateLimited"));
    assert_eq!(generation.output_value(), None);
}
