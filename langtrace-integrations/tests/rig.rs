//! rig-core inside `#[observe]`: a real rig OpenAI client, pointed at the mock OpenAI
//! server on loopback, under the real `LangtraceLayer`. With `rig`, rig adopts the
//! observe span and the function's observation is the generation; without it, rig's own
//! span lands as a child generation, so nothing is lost either way.

mod support;

use langtrace::observe;
use langtrace_core::{ObservationRecord, ObservationType};
use rig_core::completion::{AssistantContent, CompletionRequest};
use rig_core::providers::openai::OpenAIConfig;
use serde_json::json;
use support::mock_openai::{self, ANSWER_MODEL};
use support::Harness;

/// The text of one chat completion through rig's Chat Completions model at `base`.
async fn complete(base: &str, question: &str) -> String {
    let openai = OpenAIConfig::new("sk-test").with_base_url(base).client();
    let request = CompletionRequest::new(question).preamble("Answer briefly.").record_content_telemetry(true);
    let response = openai.chat("gpt-4o-mini").call(request).await.expect("an answer from the mock");
    response
        .choice
        .iter()
        .filter_map(|content| match content {
            AssistantContent::Text(text) => Some(text.text.as_str()),
            _ => None,
        })
        .collect()
}

#[observe(as_type = generation, rig, skip(base))]
async fn ask_adopted(base: &str, question: &str) -> String {
    complete(base, question).await
}

#[observe(skip(base))]
async fn ask_plain(base: &str, question: &str) -> String {
    complete(base, question).await
}

/// What rig-core 0.40 and earlier do with a completion under an enabled span: record
/// onto `Span::current()` instead of opening a span (their source; the test cannot build
/// those versions next to 0.44).
#[observe(as_type = generation, rig)]
fn record_like_rig_0_40(question: &str) -> String {
    let span = tracing::Span::current();
    span.record("gen_ai.response.model", ANSWER_MODEL);
    span.record("gen_ai.usage.input_tokens", 21);
    span.record("gen_ai.usage.output_tokens", 2);
    format!("{question} Paris.")
}

/// The answer and the observations of `ask(base_url)`, with the mock serving.
fn run<F, Fut>(ask: F) -> (String, Vec<ObservationRecord>)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = String>,
{
    let harness = Harness::new();
    let answer = harness.block_on(async { ask(mock_openai::serve().await).await });
    (answer, harness.observations())
}

#[test]
fn with_the_rig_option_the_observe_span_is_the_generation() {
    let (answer, observations) = run(|base| async move { ask_adopted(&base, "Capital of France?").await });
    assert_eq!(answer, "Paris.");
    assert_eq!(observations.len(), 1, "rig opened no span of its own: {observations:#?}");
    let generation = &observations[0];
    assert_eq!(generation.name, "ask_adopted");
    assert_eq!(generation.observation_type, ObservationType::Generation);
    // What rig recorded into the observe span: model, usage, response id, provider.
    assert_eq!(generation.model.as_deref(), Some(ANSWER_MODEL));
    assert_eq!(generation.usage_details["input"], 21);
    assert_eq!(generation.usage_details["output"], 2);
    assert_eq!(generation.usage_details["cache_read_input_tokens"], 5);
    assert_eq!(generation.metadata["gen_ai.response.id"], "chatcmpl-1");
    assert_eq!(generation.metadata["provider"], "openai");
    // What the function captured: rig 0.44 records no messages of a direct model call.
    assert_eq!(generation.input_value(), Some(json!({"question": "Capital of France?"})));
    assert_eq!(generation.output_value(), Some(json!("Paris.")));
}

#[test]
fn without_the_option_rigs_span_is_a_child_generation() {
    let (answer, observations) = run(|base| async move { ask_plain(&base, "Capital of France?").await });
    assert_eq!(answer, "Paris.");
    assert_eq!(observations.len(), 2, "{observations:#?}");
    let parent = observations.iter().find(|o| o.name == "ask_plain").expect("the observe span");
    assert_eq!(parent.observation_type, ObservationType::Span);
    let generation = observations.iter().find(|o| o.name == "chat").expect("rig's span");
    assert_eq!(generation.observation_type, ObservationType::Generation);
    assert_eq!(generation.parent_id, Some(parent.id));
    assert_eq!(generation.model.as_deref(), Some(ANSWER_MODEL));
    assert_eq!(generation.usage_details["input"], 21);
    assert_eq!(generation.usage_details["output"], 2);
    assert_eq!(generation.input_value(), Some(json!([{"role": "system", "content": "Answer briefly."}])));
}

#[test]
fn with_the_rig_option_what_older_rig_records_onto_the_current_span_is_kept() {
    let (answer, observations) = run(|_| async { record_like_rig_0_40("Capital of France?") });
    assert_eq!(answer, "Capital of France? Paris.");
    assert_eq!(observations.len(), 1, "{observations:#?}");
    let generation = &observations[0];
    assert_eq!(generation.model.as_deref(), Some(ANSWER_MODEL));
    assert_eq!(generation.usage_details["input"], 21);
    assert_eq!(generation.usage_details["output"], 2);
}
