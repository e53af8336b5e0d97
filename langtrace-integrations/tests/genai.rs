//! genai with its `otel` feature needs no integration code: a real genai client, pointed
//! at the mock OpenAI server on loopback, under the plain `LangtraceLayer`, gives a
//! generation with model, messages in the normal form, usage and finish reasons.

mod support;

use genai::adapter::AdapterKind;
use genai::chat::{ChatMessage, ChatRequest};
use genai::resolver::{AuthData, Endpoint, ServiceTargetResolver};
use genai::{Client, ModelIden, ServiceTarget};
use langtrace_core::ObservationType;
use serde_json::json;
use support::mock_openai::{self, ANSWER_MODEL};
use support::Harness;

/// A genai client sending every model to the OpenAI adapter at `base`.
fn client(base: String) -> Client {
    let endpoint = Endpoint::from_owned(format!("{base}/"));
    let resolver = ServiceTargetResolver::from_resolver_fn(move |target: ServiceTarget| {
        let model = ModelIden::new(AdapterKind::OpenAI, target.model.model_name);
        Ok(ServiceTarget { endpoint: endpoint.clone(), auth: AuthData::from_single("sk-test"), model })
    });
    Client::builder().with_service_target_resolver(resolver).build().expect("a genai client")
}

#[test]
fn a_genai_chat_under_the_layer_is_a_generation_with_its_conversation() {
    // genai reads this once per process; this binary has no other test to race with.
    std::env::set_var(genai::otel::CAPTURE_CONTENT_ENV, "true");
    let harness = Harness::new();
    let answer = harness.block_on(async {
        let client = client(mock_openai::serve().await);
        let request = ChatRequest::default()
            .with_system("Answer briefly.")
            .append_message(ChatMessage::user("Capital of France?"));
        client.exec_chat("gpt-4o-mini", request, None).await.expect("answer")
    });
    assert_eq!(answer.first_text(), Some("Paris."));

    let observations = harness.observations();
    let generation = observations
        .iter()
        .find(|o| o.observation_type == ObservationType::Generation)
        .unwrap_or_else(|| panic!("no generation in {observations:#?}"));
    assert_eq!(generation.name, "chat gpt-4o-mini");
    assert_eq!(generation.model.as_deref(), Some(ANSWER_MODEL));
    assert_eq!(
        generation.input_value(),
        Some(
            json!([{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "Capital of France?"}])
        )
    );
    assert_eq!(generation.output_value(), Some(json!({"role": "assistant", "content": "Paris."})));
    assert_eq!(generation.usage_details["input"], 21);
    assert_eq!(generation.usage_details["output"], 2);
}
