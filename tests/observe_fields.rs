//! The options of `#[observe(...)]` as recorded: `name`, `as_type`, `model`,
//! `level`, `skip`, `capture_input` and `capture_output`.

mod common;

use common::{only, record, Opaque};
use langtrace::{observe, Level, ObservationType};
use serde_json::json;

#[observe(skip(api_key, client))]
fn call_api(prompt: &str, api_key: &str, client: Opaque) -> usize {
    let _ = (api_key, client);
    prompt.len()
}

#[test]
fn skipped_arguments_are_not_captured() {
    let observations = record(|| {
        call_api("hi", "sk-secret", Opaque);
    });

    assert_eq!(only(&observations, "call_api").input_value(), Some(json!({"prompt": "hi"})));
}

#[observe(capture_input = false)]
fn no_input(secret: &str) -> usize {
    secret.len()
}

#[observe(capture_output = false)]
fn no_output(secret: &str) -> String {
    secret.repeat(2)
}

#[observe(capture_output = false)]
fn no_output_fallible(fail: bool) -> Result<u32, String> {
    if fail {
        Err("refused".to_owned())
    } else {
        Ok(1)
    }
}

#[test]
fn capture_can_be_turned_off_but_errors_are_still_recorded() {
    let observations = record(|| {
        no_input("abc");
        no_output("abc");
        no_output_fallible(true).unwrap_err();
    });

    let input_off = only(&observations, "no_input");
    assert_eq!(input_off.input_value(), None);
    assert_eq!(input_off.output_value(), Some(json!(3)));
    let output_off = only(&observations, "no_output");
    assert_eq!(output_off.input_value(), Some(json!({"secret": "abc"})));
    assert_eq!(output_off.output_value(), None);
    let failed = only(&observations, "no_output_fallible");
    assert_eq!(failed.output_value(), None);
    assert_eq!(failed.level, Level::Error);
    assert_eq!(failed.status_message.as_deref(), Some("refused"));
}

#[observe(name = "llm-call", as_type = generation, model = "gpt-4o", level = warning)]
fn generation(prompt: &str) -> String {
    prompt.to_owned()
}

#[observe(as_type = "Embedding", model = "text-embedding-3-small", level = "DEBUG")]
fn embedding(text: &str) -> Vec<f32> {
    vec![text.len() as f32]
}

#[observe(as_type = tool)]
fn tool() {}

#[observe(as_type = agent)]
fn agent() {}

#[observe(as_type = retriever)]
fn retriever() {}

#[observe(as_type = guardrail)]
fn guardrail() {}

#[test]
fn name_type_model_and_level_options() {
    let observations = record(|| {
        generation("hi");
        embedding("hi");
        tool();
        agent();
        retriever();
        guardrail();
    });

    let llm = only(&observations, "llm-call");
    assert_eq!(llm.observation_type, ObservationType::Generation);
    assert_eq!(llm.model.as_deref(), Some("gpt-4o"));
    assert_eq!(llm.level, Level::Warning);
    let embed = only(&observations, "embedding");
    assert_eq!(embed.observation_type, ObservationType::Embedding);
    assert_eq!(embed.model.as_deref(), Some("text-embedding-3-small"));
    assert_eq!(embed.level, Level::Debug);
    for (name, observation_type) in [
        ("tool", ObservationType::Tool),
        ("agent", ObservationType::Agent),
        ("retriever", ObservationType::Retriever),
        ("guardrail", ObservationType::Guardrail),
    ] {
        let obs = only(&observations, name);
        assert_eq!(obs.observation_type, observation_type, "{name}");
        assert_eq!(obs.model, None, "{name}");
    }
}
