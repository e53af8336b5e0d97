//! The mapper's precedence and overlay rules, table by table.

use serde_json::json;

use super::*;

fn map(pairs: &[(&str, Value)]) -> MappedAttributes {
    map_attributes(pairs.iter().map(|(k, v)| (*k, v)))
}

#[test]
fn gen_ai_span_becomes_generation() {
    let mapped = map(&[
        ("gen_ai.operation.name", json!("chat")),
        ("gen_ai.request.model", json!("gpt-4o")),
        ("gen_ai.response.model", json!("gpt-4o-2024-08-06")),
        ("gen_ai.request.temperature", json!(0.2)),
        ("gen_ai.usage.input_tokens", json!(12)),
        ("gen_ai.usage.output_tokens", json!(30)),
        ("gen_ai.conversation.id", json!("conv-1")),
        ("http.method", json!("POST")),
    ]);
    assert_eq!(mapped.observation_type, Some(ObservationType::Generation));
    assert_eq!(mapped.model.as_deref(), Some("gpt-4o-2024-08-06"));
    assert_eq!(mapped.model_parameters["temperature"], json!(0.2));
    assert_eq!(mapped.usage_details["input"], 12);
    assert_eq!(mapped.usage_details["output"], 30);
    assert_eq!(mapped.trace.session_id.as_deref(), Some("conv-1"));
    assert_eq!(mapped.metadata, json!({"http.method": "POST"}).as_object().unwrap().clone());
}

#[test]
fn langfuse_keys_win_over_foreign_ones() {
    let mapped = map(&[
        ("langfuse.observation.type", json!("tool")),
        ("openinference.span.kind", json!("LLM")),
        ("langfuse.observation.input", json!("{\"q\":1}")),
        ("input.value", json!("ignored")),
        ("langfuse.observation.level", json!("warn")),
        ("langfuse.trace.tags", json!(["a", "b"])),
        ("langfuse.trace.metadata.team", json!("\"core\"")),
        ("langfuse.observation.metadata.raw", json!("not json")),
        ("user.id", json!("u1")),
    ]);
    assert_eq!(mapped.observation_type, Some(ObservationType::Tool));
    assert_eq!(mapped.input.unwrap(), json!({"q": 1}));
    assert_eq!(mapped.level, Some(Level::Warning));
    assert_eq!(mapped.trace.tags, vec!["a", "b"]);
    assert_eq!(mapped.trace.metadata["team"], json!("core"));
    assert_eq!(mapped.metadata["raw"], json!("not json"));
    assert_eq!(mapped.trace.user_id.as_deref(), Some("u1"));
    assert!(mapped.metadata.is_empty() || !mapped.metadata.contains_key("input.value"));
}

#[test]
fn openinference_and_openllmetry() {
    let mapped = map(&[
        ("openinference.span.kind", json!("RETRIEVER")),
        ("llm.token_count.prompt", json!(5)),
        ("llm.token_count.total", json!(9)),
        ("session.id", json!("s")),
    ]);
    assert_eq!(mapped.observation_type, Some(ObservationType::Retriever));
    assert_eq!(mapped.usage_details["total"], 9);
    let mapped = map(&[
        ("traceloop.span.kind", json!("workflow")),
        ("traceloop.entity.output", json!("done")),
        ("traceloop.association.properties.user_id", json!("u9")),
        ("traceloop.association.properties.plan", json!("pro")),
    ]);
    assert_eq!(mapped.observation_type, Some(ObservationType::Chain));
    assert_eq!(mapped.output.unwrap(), json!("done"));
    assert_eq!(mapped.trace.user_id.as_deref(), Some("u9"));
    assert_eq!(mapped.trace.metadata["plan"], json!("pro"));
}

#[test]
fn completion_start_cost_prompt_and_status() {
    let mapped = map(&[
        ("langfuse.observation.completion_start_time", json!("\"2024-01-01T00:00:01.500Z\"")),
        ("langfuse.observation.cost_details", json!("{\"input\":0.5,\"output\":1}")),
        ("langfuse.observation.prompt.name", json!("greet")),
        ("langfuse.observation.prompt.version", json!(3)),
        ("otel.status_code", json!("ERROR")),
    ]);
    assert_eq!(mapped.completion_start_time, Some(Timestamp(1_704_067_201_500_000_000)));
    assert_eq!(mapped.cost_details["output"], 1.0);
    assert_eq!(mapped.prompt, Some(PromptRef { name: "greet".into(), version: 3 }));
    assert_eq!(mapped.level, Some(Level::Error));
}

#[test]
fn an_overlay_maps_as_the_merged_bag_with_base_keys_out_of_metadata() {
    let base: BTreeMap<String, Value> = [
        ("service.name", json!("svc")),
        ("gen_ai.request.temperature", json!(0.1)),
        ("gen_ai.request.top_p", json!(0.9)),
        ("langfuse.trace.metadata.team", json!("\"core\"")),
        ("traceloop.association.properties.user_id", json!("u-base")),
        ("langfuse.user.id", json!("u-langfuse")),
        ("note", json!("from the resource")),
        ("shared", json!("resource")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let own = [
        ("gen_ai.request.temperature", json!(0.7)),
        ("langfuse.observation.metadata.note", json!("mine")),
        ("langfuse.trace.metadata.plan", json!("\"pro\"")),
        ("shared", json!("span")),
        ("custom", json!(1)),
    ];
    let overlay = map_attributes_over(&base, own.iter().map(|(k, v)| (*k, v)));
    let mut merged = map_attributes(base.iter().map(|(k, v)| (k.as_str(), v)).chain(own.iter().map(|(k, v)| (*k, v))));
    merged.metadata.retain(|key, _| !base.contains_key(key) || own.iter().any(|(k, _)| k == key));
    assert_eq!(overlay, merged);
    assert_eq!(overlay.model_parameters["temperature"], json!(0.7));
    assert_eq!(overlay.trace.user_id.as_deref(), Some("u-langfuse"));
    assert_eq!(overlay.metadata.keys().collect::<Vec<_>>(), ["custom", "shared"]);
}

#[test]
fn spellings_a_writer_sends_twice_stay_out_of_metadata() {
    let attributes = [
        ("langfuse.observation.usage_details", json!("{\"input\":3,\"output\":4}")),
        ("gen_ai.usage.input_tokens", json!(3)),
        ("gen_ai.usage.output_tokens", json!(4)),
        ("langfuse.observation.model.parameters", json!("{\"temperature\":0.5}")),
        ("gen_ai.request.temperature", json!(0.5)),
        ("custom", json!("kept")),
    ];
    let mapped = map_attributes(attributes.iter().map(|(k, v)| (*k, v)));
    assert_eq!(mapped.usage_details, [("input".to_owned(), 3), ("output".to_owned(), 4)].into());
    assert_eq!(mapped.model_parameters["temperature"], 0.5);
    assert_eq!(mapped.metadata.keys().collect::<Vec<_>>(), ["custom"]);
}

#[test]
fn the_older_prompt_keys_link_too() {
    let mapped = map(&[("langfuse.prompt.name", json!("greet")), ("langfuse.prompt.version", json!("4"))]);
    assert_eq!(mapped.prompt, Some(PromptRef { name: "greet".into(), version: 4 }));
    assert!(!mapped.metadata.contains_key("langfuse.prompt.name"), "read keys stay out of metadata");
}
