//! The precedence between conventions setting the same concept.

use serde_json::{json, Value};

use super::*;

/// Attributes, what of the mapping to look at, and what it must be.
type Case = (Vec<(&'static str, Value)>, fn(&MappedAttributes) -> Value, Value);

/// Several conventions set the same concept: Langfuse's keys win, then OTel GenAI
/// (current before older), then OpenInference, OpenLLMetry, the AI SDK.
#[test]
fn precedence_between_conventions() {
    let gen_ai_messages = text(json!([{"role": "user", "parts": [{"type": "text", "content": "genai"}]}]));
    let cases: Vec<Case> = vec![
        (
            vec![("langfuse.observation.input", json!("\"lf\"")), ("gen_ai.input.messages", gen_ai_messages.clone())],
            |m| input(m),
            json!("lf"),
        ),
        (
            vec![("gen_ai.input.messages", gen_ai_messages.clone()), ("input.value", json!("oi"))],
            |m| input(m),
            json!([{"role": "user", "content": "genai"}]),
        ),
        (
            vec![
                ("llm.input_messages.0.message.role", json!("user")),
                ("llm.input_messages.0.message.content", json!("oi")),
                ("gen_ai.prompt.0.role", json!("user")),
                ("gen_ai.prompt.0.content", json!("traceloop")),
            ],
            |m| input(m),
            json!([{"role": "user", "content": "oi"}]),
        ),
        (
            vec![("gen_ai.prompt.0.content", json!("traceloop")), ("ai.prompt.messages", json!("[]"))],
            |m| input(m),
            json!([{"role": "user", "content": "traceloop"}]),
        ),
        (
            vec![
                ("langfuse.observation.model.name", json!("lf")),
                ("gen_ai.response.model", json!("genai")),
                ("llm.model_name", json!("oi")),
                ("ai.model.id", json!("vercel")),
            ],
            |m| json!(m.model),
            json!("lf"),
        ),
        (
            vec![
                ("gen_ai.request.model", json!("genai")),
                ("llm.model_name", json!("oi")),
                ("ai.model.id", json!("v")),
            ],
            |m| json!(m.model),
            json!("genai"),
        ),
        (
            // A refused OpenInference call: its model only among the invocation parameters.
            vec![("llm.invocation_parameters", json!("{\"model\":\"oi-params\",\"top_p\":1}"))],
            |m| json!(m.model),
            json!("oi-params"),
        ),
        (
            vec![("llm.model_name", json!("oi")), ("llm.invocation_parameters", json!("{\"model\":\"oi-params\"}"))],
            |m| json!(m.model),
            json!("oi"),
        ),
        (
            vec![
                ("gen_ai.operation.name", json!("execute_tool")),
                ("openinference.span.kind", json!("AGENT")),
                ("traceloop.span.kind", json!("workflow")),
            ],
            |m| json!(m.observation_type),
            json!("TOOL"),
        ),
        (
            vec![("openinference.span.kind", json!("AGENT")), ("traceloop.span.kind", json!("workflow"))],
            |m| json!(m.observation_type),
            json!("AGENT"),
        ),
        (
            vec![
                ("gen_ai.usage.input_tokens", json!(1)),
                ("llm.token_count.prompt", json!(2)),
                ("ai.usage.promptTokens", json!(3)),
            ],
            |m| json!(m.usage_details),
            json!({"input": 1}),
        ),
        (
            vec![("gen_ai.request.temperature", json!(0.1)), ("llm.invocation_parameters", json!("{\"top_p\":1}"))],
            |m| json!(m.model_parameters),
            json!({"temperature": 0.1}),
        ),
        (
            vec![("gen_ai.response.time_to_first_chunk", json!(1)), ("ai.response.msToFirstChunk", json!(5))],
            |m| json!(m.first_token_after.map(|d| d.as_millis() as u64)),
            json!(1000),
        ),
    ];
    for (pairs, field, expected) in cases {
        let mapped = map(&pairs);
        assert_eq!(field(&mapped), expected, "{pairs:?}");
        // Only a winner's reshaped original is kept, under its own key.
        let winner_original = |key: &str| key == "gen_ai.input.messages" && pairs[0].0 == key;
        let kept: Vec<&str> = pairs.iter().map(|(k, _)| *k).filter(|k| mapped.metadata.contains_key(*k)).collect();
        assert!(kept.iter().all(|k| winner_original(k)), "losing keys stay out of metadata: {kept:?}");
    }
}
