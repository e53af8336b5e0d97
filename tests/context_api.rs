//! The context API: updating the current observation and trace, propagation scopes,
//! explicit trace ids, events, and foreign `tracing` spans.

mod common;

use common::Harness;
use langtrace::{
    current_observation, current_observation_id, current_trace, current_trace_id, event, observe, Cost, Level,
    ObservationType, Scope, TraceId, Usage,
};
use serde_json::json;

#[observe(as_type = generation, model = "gpt-4o-mini")]
fn generate(prompt: &str) -> String {
    current_observation()
        .set_model_parameters(json!({"temperature": 0.2}))
        .set_usage(Usage::tokens(12, 30).with("cache_read_input_tokens", 4))
        .set_cost(Cost::usd(0.000_012, 0.000_06))
        .set_prompt(("answer-prompt", 3))
        .mark_first_token()
        .set_metadata("provider", "mock")
        .set_version("gen-v2");
    format!("answer to {prompt}")
}

#[observe]
fn handle(question: &str) -> String {
    current_trace()
        .set_name("qa")
        .set_user_id("user-1")
        .set_session_id("session-1")
        .add_tags(["beta", "qa", "beta"])
        .set_metadata("tenant", "acme")
        .set_version("trace-v1")
        .set_release("r42")
        .set_public(true);
    current_observation().set_level(Level::Warning).set_status_message("slow path").set_name("handle-question");
    generate(question)
}

#[test]
fn observation_and_trace_updates_are_recorded() {
    let harness = Harness::new();
    harness.run(|| handle("why?"));
    let generation = harness.observation("generate");
    assert_eq!(generation.observation_type, ObservationType::Generation);
    assert_eq!(generation.model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(generation.model_parameters["temperature"], json!(0.2));
    assert_eq!(generation.usage_details["input"], 12);
    assert_eq!(generation.usage_details["output"], 30);
    assert_eq!(generation.usage_details["cache_read_input_tokens"], 4);
    assert_eq!(generation.cost_details["output"], 0.000_06);
    assert_eq!(generation.prompt.as_ref().map(|p| (p.name.as_str(), p.version)), Some(("answer-prompt", 3)));
    assert!(generation.completion_start_time.unwrap() >= generation.start_time);
    assert_eq!(generation.metadata["provider"], "mock");
    assert_eq!(generation.version.as_deref(), Some("gen-v2"));
    assert_eq!(generation.input_value(), Some(json!({"prompt": "why?"})));
    assert_eq!(generation.output_value(), Some(json!("answer to why?")));

    let root = harness.observation("handle-question");
    assert_eq!(root.level, Level::Warning);
    assert_eq!(root.status_message.as_deref(), Some("slow path"));
    assert_eq!(generation.parent_id, Some(root.id));
    assert_eq!(root.parent_id, None);

    let traces = harness.traces();
    assert_eq!(traces.len(), 1);
    let trace = &traces[0];
    assert_eq!(trace.id, root.trace_id);
    assert_eq!(trace.root_observation_id, root.id);
    let attributes = &trace.attributes;
    assert_eq!(attributes.name.as_deref(), Some("qa"));
    assert_eq!(attributes.user_id.as_deref(), Some("user-1"));
    assert_eq!(attributes.session_id.as_deref(), Some("session-1"));
    assert_eq!(attributes.tags, vec!["beta", "qa"]);
    assert_eq!(attributes.metadata["tenant"], "acme");
    assert_eq!(attributes.version.as_deref(), Some("trace-v1"));
    assert_eq!(attributes.release.as_deref(), Some("r42"));
    assert_eq!(attributes.public, Some(true));
    assert_eq!(attributes.input_value(), Some(json!({"question": "why?"})), "trace input defaults to the root's");
    assert_eq!(attributes.output_value(), Some(json!("answer to why?")));
    assert_eq!(root.trace.user_id.as_deref(), Some("user-1"), "observations carry the trace attributes");
}

#[observe]
fn leaf() -> (Option<TraceId>, Option<langtrace::ObservationId>) {
    (current_trace_id(), current_observation_id())
}

#[test]
fn scope_propagates_attributes_to_every_observation_inside() {
    let harness = Harness::new();
    harness.run(|| {
        Scope::new().user_id("u-7").session_id("s-7").tags(["outer"]).metadata("plan", "pro").version("v7").in_scope(
            || {
                leaf();
                Scope::new().tags(["inner"]).session_id("s-8").in_scope(leaf);
            },
        );
        leaf();
    });
    let traces = harness.traces();
    assert_eq!(traces.len(), 3, "three root observations, three traces");
    let first = &traces[0].attributes;
    assert_eq!((first.user_id.as_deref(), first.session_id.as_deref()), (Some("u-7"), Some("s-7")));
    assert_eq!(first.tags, vec!["outer"]);
    assert_eq!(first.metadata["plan"], "pro");
    assert_eq!(first.version.as_deref(), Some("v7"));
    let second = &traces[1].attributes;
    assert_eq!((second.user_id.as_deref(), second.session_id.as_deref()), (Some("u-7"), Some("s-8")));
    assert_eq!(second.tags, vec!["outer", "inner"]);
    let third = &traces[2].attributes;
    assert_eq!(third.user_id, None, "outside the scope nothing propagates");
    for observation in harness.observations().iter().take(2) {
        assert_eq!(observation.trace.user_id.as_deref(), Some("u-7"));
    }
}

#[test]
fn scope_inside_a_trace_applies_to_that_trace() {
    #[observe]
    fn outer() {
        Scope::new().user_id("late-user").tags(["inside"]).in_scope(leaf);
    }
    let harness = Harness::new();
    harness.run(outer);
    let traces = harness.traces();
    assert_eq!(traces.len(), 1);
    assert_eq!(traces[0].attributes.user_id.as_deref(), Some("late-user"));
    assert_eq!(harness.observation("leaf").trace.tags, vec!["inside"]);
}

#[test]
fn explicit_trace_ids_from_seed_and_traceparent() {
    let harness = Harness::new();
    let seeded = TraceId::from_seed("message-123");
    let (trace_id, observation_id) = harness.run(|| Scope::new().trace_id(seeded).in_scope(leaf));
    assert_eq!(trace_id, Some(seeded));
    let leaf_record = harness.observation("leaf");
    assert_eq!(leaf_record.trace_id, seeded);
    assert_eq!(Some(leaf_record.id), observation_id);

    harness.sink.clear();
    let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    harness.run(|| Scope::new().traceparent(header).unwrap().in_scope(leaf));
    let continued = harness.observation("leaf");
    assert_eq!(continued.trace_id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(continued.parent_id.map(|id| id.to_string()).as_deref(), Some("00f067aa0ba902b7"));
    assert_eq!((current_trace_id(), current_observation_id()), (None, None), "no ids outside observations");
}

#[test]
fn events_are_point_in_time_children() {
    #[observe]
    fn step() {
        event("cache-miss")
            .input(json!({"key": "k1"}))
            .output("fetched")
            .level(Level::Warning)
            .status_message("cold cache")
            .metadata("shard", 3)
            .emit()
            .expect("recorded");
    }
    let harness = Harness::new();
    harness.run(step);
    let event = harness.observation("cache-miss");
    let step = harness.observation("step");
    assert_eq!(event.observation_type, ObservationType::Event);
    assert_eq!(event.parent_id, Some(step.id));
    assert_eq!(event.trace_id, step.trace_id);
    assert_eq!(event.start_time, event.end_time);
    assert_eq!(event.input_value(), Some(json!({"key": "k1"})));
    assert_eq!(event.output_value(), Some(json!("fetched")));
    assert_eq!(event.level, Level::Warning);
    assert_eq!(event.status_message.as_deref(), Some("cold cache"));
    assert_eq!(event.metadata["shard"], 3);
}

#[test]
fn explicit_output_wins_over_the_return_value() {
    #[observe]
    fn summarize() -> String {
        current_observation().set_output(json!({"summary": "short"}));
        "long text".to_owned()
    }
    let harness = Harness::new();
    harness.run(summarize);
    assert_eq!(harness.observation("summarize").output_value(), Some(json!({"summary": "short"})));
}

#[test]
fn foreign_spans_become_observations_and_gen_ai_spans_generations() {
    #[observe(as_type = agent)]
    fn agent() {
        let llm = tracing::info_span!(
            "chat gpt-4o",
            gen_ai.operation.name = "chat",
            gen_ai.request.model = "gpt-4o",
            gen_ai.request.temperature = 0.5,
            gen_ai.usage.input_tokens = tracing::field::Empty,
            gen_ai.usage.output_tokens = tracing::field::Empty,
            gen_ai.conversation.id = "conv-9",
            http.status = 200u64,
        );
        llm.in_scope(|| {
            tracing::info_span!("http request").in_scope(|| {});
        });
        llm.record("gen_ai.usage.input_tokens", 100u64);
        llm.record("gen_ai.usage.output_tokens", 25u64);
    }
    let harness = Harness::new();
    harness.run(agent);
    let generation = harness.observation("chat gpt-4o");
    let agent = harness.observation("agent");
    assert_eq!(agent.observation_type, ObservationType::Agent);
    assert_eq!(generation.observation_type, ObservationType::Generation);
    assert_eq!(generation.parent_id, Some(agent.id));
    assert_eq!(generation.model.as_deref(), Some("gpt-4o"));
    assert_eq!(generation.model_parameters["temperature"], json!(0.5));
    assert_eq!(generation.usage_details["input"], 100);
    assert_eq!(generation.usage_details["output"], 25);
    assert_eq!(generation.metadata["http.status"], json!(200));
    let http = harness.observation("http request");
    assert_eq!(http.observation_type, ObservationType::Span);
    assert_eq!(http.parent_id, Some(generation.id));
    assert_eq!(harness.traces()[0].attributes.session_id.as_deref(), Some("conv-9"));
}

#[test]
fn span_filter_makes_foreign_spans_transparent() {
    #[observe]
    fn root() {
        tracing::info_span!(target: "hyper::client", "connect").in_scope(leaf);
    }
    let harness = Harness::with(|b| b.span_filter(|metadata| !metadata.target().starts_with("hyper")));
    harness.run(root);
    let names: Vec<_> = harness.observations().iter().map(|o| o.name.to_string()).collect();
    assert_eq!(names, vec!["leaf", "root"]);
    assert_eq!(harness.observation("leaf").parent_id, Some(harness.observation("root").id));
}

#[test]
fn updates_outside_observations_are_harmless_no_ops() {
    let harness = Harness::new();
    harness.run(|| {
        current_observation().set_output("nowhere").set_level(Level::Error);
        current_trace().set_user_id("nobody");
        assert!(!current_observation().is_recorded());
        assert_eq!(event("orphan").emit().map(|_| ()), Some(()), "an event outside a trace starts one");
    });
    let traces = harness.traces();
    assert_eq!(traces.len(), 1);
    assert_eq!(traces[0].attributes.user_id, None);
}

#[test]
fn explicit_inputs_and_outputs_override_captured_ones() {
    #[observe]
    fn handler(raw: &str) -> usize {
        current_observation().set_input(json!({"parsed": raw.len()}));
        current_trace().set_input("trace in").set_output(json!(["trace", "out"]));
        raw.len()
    }
    let harness = Harness::new();
    harness.run(|| handler("abc"));
    let observation = harness.observation("handler");
    assert_eq!(observation.input_value(), Some(json!({"parsed": 3})));
    assert_eq!(observation.output_value(), Some(json!(3)));
    let trace = &harness.traces()[0].attributes;
    assert_eq!(trace.input_value(), Some(json!("trace in")));
    assert_eq!(trace.output_value(), Some(json!(["trace", "out"])));
}

#[test]
fn a_per_layer_filter_skips_spans_and_children_attach_to_the_nearest_recorded_one() {
    use langtrace::tracing_subscriber::filter::filter_fn;
    use langtrace::tracing_subscriber::layer::SubscriberExt;
    use langtrace::tracing_subscriber::Layer;

    #[observe]
    fn outer() {
        let noise = tracing::info_span!(target: "noise", "hidden");
        noise.in_scope(leaf);
        tracing::info_span!(target: "langtrace::observe", parent: &noise, "explicit_child").in_scope(|| {});
    }
    let sink = langtrace::MemorySink::new();
    let (layer, guard) = langtrace::LangtraceLayer::builder().ignore_env().sink(sink.clone()).build().unwrap();
    let layer = layer.with_filter(filter_fn(|metadata| metadata.target() != "noise"));
    // Another layer wants every span, so the registry keeps the "noise" span that the
    // filter hides from langtrace (otherwise it would not exist at all).
    struct EverySpan;
    impl<S: tracing::Subscriber> Layer<S> for EverySpan {}
    let dispatch = tracing::Dispatch::new(langtrace::tracing_subscriber::registry().with(layer).with(EverySpan));
    tracing::dispatcher::with_default(&dispatch, outer);
    guard.flush(std::time::Duration::from_secs(10)).unwrap();
    let observations = sink.observations();
    let outer = observations.iter().find(|o| o.name == "outer").unwrap();
    for name in ["leaf", "explicit_child"] {
        let child = observations.iter().find(|o| o.name == name).unwrap();
        assert_eq!(child.parent_id, Some(outer.id), "{name}");
        assert_eq!(child.trace_id, outer.trace_id, "{name}");
    }
    assert!(observations.iter().all(|o| o.name != "hidden"));
}
