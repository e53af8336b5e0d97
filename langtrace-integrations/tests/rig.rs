//! rig-core inside `#[observe]`: a real rig OpenAI client, pointed at the mock OpenAI
//! server on loopback, under the real `LangtraceLayer`. With `rig`, rig adopts the
//! observe span and the function's observation is the generation; without it, rig's own
//! span lands as a child generation, so nothing is lost either way. A rig agent (the
//! `rig-agent` runtime) inside `#[observe(as_type = agent)]` adopts the observe span as
//! its agent span and opens one generation per model turn and one tool observation per
//! tool call under it.

mod support;

use langtrace::observe;
use langtrace_core::{ObservationRecord, ObservationType};
use rig_core::completion::{AssistantContent, CompletionRequest};
use rig_core::providers::openai::OpenAIConfig;
use serde_json::json;
use support::mock_openai::{self, ANSWER_MODEL};
use support::weather;
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

/// A rig agent with one tool, run to its final answer.
#[observe(as_type = agent, skip(base))]
async fn weather_agent(base: &str, question: &str) -> String {
    let model = OpenAIConfig::new("sk-test").with_base_url(base).client().chat("gpt-4o-mini");
    weather::ask(model, question).await.expect("the agent's answer")
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

#[test]
fn an_agent_with_a_tool_call_is_an_agent_with_a_generation_per_turn_and_the_tool_between() {
    let (answer, observations) = run(|base| async move { weather_agent(&base, "What is the weather in Paris?").await });
    assert_eq!(answer, "Paris.");
    assert_eq!(observations.len(), 4, "{observations:#?}");
    let agent = observations.iter().find(|o| o.name == "weather_agent").expect("the observe span");
    assert_eq!(agent.observation_type, ObservationType::Agent);
    assert!(agent.is_root);
    assert_eq!(agent.output_value(), Some(json!("Paris.")));
    let mut turns: Vec<_> = observations.iter().filter(|o| o.name == "chat").collect();
    turns.sort_by_key(|o| o.start_time);
    let [asks, answers] = turns[..] else { panic!("two model turns: {observations:#?}") };
    let tool =
        observations.iter().find(|o| o.name == "execute_tool get_weather").expect("the tool, named by rig's tool");
    for child in [asks, tool, answers] {
        assert_eq!(child.parent_id, Some(agent.id), "{child:#?}");
    }
    assert!(asks.start_time <= tool.start_time && tool.end_time <= answers.start_time);
    for turn in [asks, answers] {
        assert_eq!(turn.observation_type, ObservationType::Generation);
        assert_eq!(turn.model.as_deref(), Some(ANSWER_MODEL));
        assert_eq!(turn.usage_details["input"], 21);
        assert_eq!(turn.metadata["gen_ai.agent.name"], "weather");
    }
    // The first turn: the preamble once (rig-agent sends it as instructions and as the
    // first message), the question, and the model's tool call.
    assert_eq!(
        asks.input_value(),
        Some(json!([
            {"role": "system", "content": "Answer briefly."},
            {"role": "user", "content": "What is the weather in Paris?"}
        ]))
    );
    let call = &asks.output_value().expect("the tool call")["tool_calls"][0];
    assert_eq!((&call["id"], &call["function"]["name"]), (&json!("call_1"), &json!("get_weather")));
    assert_eq!(tool.observation_type, ObservationType::Tool);
    assert_eq!(tool.input_value(), Some(json!({"city": "Paris"})));
    assert_eq!(tool.output_value(), Some(json!("Sunny and 18 degrees in Paris")));
    // The second turn sees the tool's result and answers.
    let input = answers.input_value().expect("the second turn's messages");
    let last = input.as_array().and_then(|messages| messages.last()).expect("messages");
    assert_eq!(last, &json!({"role": "tool", "content": "Sunny and 18 degrees in Paris", "tool_call_id": "call_1"}));
    assert_eq!(answers.output_value(), Some(json!({"role": "assistant", "content": "Paris."})));
}
