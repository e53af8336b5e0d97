//! Runtime behaviour of `#[observe]` on every supported fn shape, checked
//! through the observations the langtrace layer records.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

use futures::{Stream, StreamExt};
use langtrace::{observe, LangtraceLayer, Level, MemorySink, ObservationRecord, ObservationType};
use serde_json::json;
use tracing_subscriber::layer::SubscriberExt;

/// Runs `scenario` under a subscriber whose only layer records into memory,
/// and returns the finished observations in close order.
fn record(scenario: impl FnOnce()) -> Vec<ObservationRecord> {
    let sink = MemorySink::new();
    let (layer, guard) = LangtraceLayer::builder().ignore_env().sink(sink.clone()).build().unwrap();
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, scenario);
    guard.flush(Duration::from_secs(5)).unwrap();
    sink.observations()
}

/// [`record`] for a future, run to completion on a current-thread runtime.
fn record_async(scenario: impl Future<Output = ()>) -> Vec<ObservationRecord> {
    record(|| {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(scenario);
    })
}

/// The only observation named `name`.
fn only<'a>(observations: &'a [ObservationRecord], name: &str) -> &'a ObservationRecord {
    let mut matching = observations.iter().filter(|obs| obs.name == name);
    let found = matching.next().unwrap_or_else(|| panic!("no observation named {name:?} in {observations:#?}"));
    assert!(matching.next().is_none(), "several observations named {name:?}");
    found
}

fn assert_child_of(child: &ObservationRecord, parent: &ObservationRecord) {
    assert_eq!(child.parent_id.as_ref(), Some(&parent.id));
    assert_eq!(child.trace_id, parent.trace_id);
}

#[derive(serde::Serialize, Clone)]
struct Serializable {
    id: u32,
}

#[derive(Debug)]
struct DebugOnly {
    id: u32,
}

struct Opaque;

// --- sync fns and their inputs -------------------------------------------

#[observe]
fn add(a: i32, b: i32) -> i32 {
    a + b
}

#[test]
fn sync_fn_records_named_arguments_and_return_value() {
    let observations = record(|| assert_eq!(add(1, 2), 3));

    let obs = only(&observations, "add");
    assert_eq!(obs.observation_type, ObservationType::Span);
    assert_eq!(obs.input_value(), Some(json!({"a": 1, "b": 2})));
    assert_eq!(obs.output_value(), Some(json!(3)));
    assert_eq!(obs.level, Level::Default);
    assert_eq!(obs.status_message, None);
    assert_eq!(obs.parent_id, None);
}

#[observe]
fn describe(serializable: Serializable, debug_only: DebugOnly, opaque: Opaque, (left, right): (u8, u8)) -> usize {
    let _ = (serializable, opaque);
    debug_only.id as usize + usize::from(left) + usize::from(right)
}

#[test]
fn arguments_fall_back_from_serialize_to_debug_to_placeholder() {
    let observations = record(|| {
        describe(Serializable { id: 1 }, DebugOnly { id: 2 }, Opaque, (3, 4));
    });

    let input = only(&observations, "describe").input_value().unwrap();
    assert_eq!(input["serializable"], json!({"id": 1}));
    assert_eq!(input["debug_only"], json!("DebugOnly { id: 2 }"));
    let placeholder = input["opaque"].as_str().unwrap();
    assert!(placeholder.starts_with("<unserializable") && placeholder.contains("Opaque"), "{placeholder}");
    assert_eq!(input["left"], json!(3));
    assert_eq!(input["right"], json!(4));
}

#[observe]
fn log_line(line: &str) {
    let _ = line;
}

#[test]
fn unit_fn_records_no_output() {
    let observations = record(|| log_line("hello"));

    let obs = only(&observations, "log_line");
    assert_eq!(obs.input_value(), Some(json!({"line": "hello"})));
    assert_eq!(obs.output_value(), None);
}

// --- methods ---------------------------------------------------------------

struct Counter {
    total: u32,
}

impl Counter {
    #[observe]
    fn get(&self) -> u32 {
        self.total
    }

    #[observe]
    fn bump(&mut self, by: u32) -> &mut u32 {
        self.total += by;
        &mut self.total
    }

    #[observe]
    fn into_total(self) -> u32 {
        self.total
    }
}

#[test]
fn methods_capture_arguments_but_not_self() {
    let observations = record(|| {
        let mut counter = Counter { total: 1 };
        *counter.bump(2) += 10;
        assert_eq!(counter.get(), 13);
        assert_eq!(counter.into_total(), 13);
    });

    let bump = only(&observations, "bump");
    assert_eq!(bump.input_value(), Some(json!({"by": 2})));
    assert_eq!(bump.output_value(), Some(json!(3)));
    let get = only(&observations, "get");
    assert_eq!(get.input_value(), None);
    assert_eq!(get.output_value(), Some(json!(13)));
    assert_eq!(only(&observations, "into_total").output_value(), Some(json!(13)));
}

trait Greeter {
    fn greet(&self, who: &str) -> String;
}

struct English;

impl Greeter for English {
    #[observe]
    fn greet(&self, who: &str) -> String {
        format!("Hello, {who}!")
    }
}

#[test]
fn trait_impl_method() {
    let observations = record(|| {
        English.greet("Ada");
    });

    let obs = only(&observations, "greet");
    assert_eq!(obs.input_value(), Some(json!({"who": "Ada"})));
    assert_eq!(obs.output_value(), Some(json!("Hello, Ada!")));
}

// --- generics --------------------------------------------------------------

#[observe]
fn echo_serializable<T: serde::Serialize>(value: T) -> T {
    value
}

#[observe]
fn echo_anything<T>(value: T) -> T {
    value
}

#[test]
fn generic_capture_follows_the_bounds_of_the_fn() {
    let observations = record(|| {
        echo_serializable(Serializable { id: 5 });
        echo_anything(Serializable { id: 6 });
    });

    let bounded = only(&observations, "echo_serializable");
    assert_eq!(bounded.input_value(), Some(json!({"value": {"id": 5}})));
    assert_eq!(bounded.output_value(), Some(json!({"id": 5})));
    let unbounded = only(&observations, "echo_anything");
    let output = unbounded.output_value().unwrap();
    let placeholder = output.as_str().unwrap();
    assert!(placeholder.starts_with("<unserializable"), "{placeholder}");
}

// --- Result and panics -----------------------------------------------------

#[observe]
fn parse_number(text: &str) -> Result<u32, std::num::ParseIntError> {
    let number = text.trim().parse()?;
    Ok(number)
}

#[test]
fn ok_value_is_the_output() {
    let observations = record(|| {
        parse_number(" 7 ").unwrap();
    });

    let obs = only(&observations, "parse_number");
    assert_eq!(obs.output_value(), Some(json!(7)));
    assert_eq!(obs.level, Level::Default);
    assert_eq!(obs.status_message, None);
}

#[test]
fn err_sets_level_error_and_display_message() {
    let observations = record(|| {
        parse_number("seven").unwrap_err();
    });

    let obs = only(&observations, "parse_number");
    assert_eq!(obs.level, Level::Error);
    assert_eq!(obs.status_message.as_deref(), Some("invalid digit found in string"));
    assert_eq!(obs.output_value(), None);
}

#[observe]
fn explode(reason: &str) -> u32 {
    panic!("exploded: {reason}")
}

#[test]
fn panic_is_recorded_and_propagates() {
    let mut outcome = None;
    let observations = record(|| outcome = Some(panic::catch_unwind(|| explode("on purpose"))));

    let payload = outcome.unwrap().unwrap_err();
    assert_eq!(payload.downcast_ref::<String>().map(String::as_str), Some("exploded: on purpose"));
    let obs = only(&observations, "explode");
    assert_eq!(obs.level, Level::Error);
    let message = obs.status_message.as_deref().unwrap();
    assert!(message.contains("exploded: on purpose"), "{message}");
}

#[observe]
async fn explode_later(reason: &str) {
    tokio::task::yield_now().await;
    panic!("exploded later: {reason}")
}

#[test]
fn panic_in_a_future_is_recorded_and_propagates() {
    let mut outcome = None;
    let observations = record(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        outcome = Some(panic::catch_unwind(AssertUnwindSafe(|| {
            runtime.block_on(explode_later("on purpose"));
        })));
    });

    assert!(outcome.unwrap().is_err());
    let obs = only(&observations, "explode_later");
    assert_eq!(obs.level, Level::Error);
    let message = obs.status_message.as_deref().unwrap();
    assert!(message.contains("exploded later: on purpose"), "{message}");
}

// --- async shapes ----------------------------------------------------------

#[observe]
async fn answer(question: &str) -> Result<String, String> {
    tokio::task::yield_now().await;
    let words = count_words(question).await;
    tokio::task::yield_now().await;
    Ok(format!("{words} words"))
}

#[observe]
async fn count_words(text: &str) -> usize {
    tokio::task::yield_now().await;
    text.split_whitespace().count()
}

#[test]
fn async_fn_nests_observations_across_await() {
    let observations = record_async(async {
        assert_eq!(answer("what is rust").await.unwrap(), "3 words");
    });

    let names: Vec<&str> = observations.iter().map(|obs| &*obs.name).collect();
    assert_eq!(names, ["count_words", "answer"]);
    let (inner, outer) = (&observations[0], &observations[1]);
    assert_child_of(inner, outer);
    assert_eq!(inner.input_value(), Some(json!({"text": "what is rust"})));
    assert_eq!(inner.output_value(), Some(json!(3)));
    assert_eq!(outer.input_value(), Some(json!({"question": "what is rust"})));
    assert_eq!(outer.output_value(), Some(json!("3 words")));
}

#[observe]
fn doubled_later(x: u32) -> impl Future<Output = u32> + Send {
    async move { count_words("a b").await as u32 * x }
}

#[test]
fn impl_future_is_observed_until_it_completes() {
    let observations = record_async(async {
        let future = doubled_later(2);
        assert_eq!(future.await, 4);
    });

    let names: Vec<&str> = observations.iter().map(|obs| &*obs.name).collect();
    assert_eq!(names, ["count_words", "doubled_later"]);
    let outer = only(&observations, "doubled_later");
    assert_child_of(only(&observations, "count_words"), outer);
    assert_eq!(outer.input_value(), Some(json!({"x": 2})));
    assert_eq!(outer.output_value(), Some(json!(4)));
}

#[async_trait::async_trait]
trait Model {
    async fn complete(&self, prompt: &str) -> Result<String, String>;
}

struct EchoModel;

#[async_trait::async_trait]
impl Model for EchoModel {
    #[observe(as_type = generation, model = "echo-1")]
    async fn complete(&self, prompt: &str) -> Result<String, String> {
        let words = count_words(prompt).await;
        if words == 0 {
            return Err("empty prompt".to_owned());
        }
        Ok(prompt.to_uppercase())
    }
}

#[test]
fn async_trait_method_is_observed_until_its_future_completes() {
    let observations = record_async(async {
        EchoModel.complete("hi there").await.unwrap();
        EchoModel.complete("").await.unwrap_err();
    });

    let completions: Vec<&ObservationRecord> = observations.iter().filter(|obs| obs.name == "complete").collect();
    let [ok, err] = completions[..] else {
        panic!("expected two completions: {observations:#?}");
    };
    assert_eq!(ok.observation_type, ObservationType::Generation);
    assert_eq!(ok.model.as_deref(), Some("echo-1"));
    assert_eq!(ok.input_value(), Some(json!({"prompt": "hi there"})));
    assert_eq!(ok.output_value(), Some(json!("HI THERE")));
    assert_eq!(err.level, Level::Error);
    assert_eq!(err.status_message.as_deref(), Some("empty prompt"));
    let counts: Vec<&ObservationRecord> = observations.iter().filter(|obs| obs.name == "count_words").collect();
    assert_child_of(counts[0], ok);
    assert_child_of(counts[1], err);
}

// --- streams and iterators -------------------------------------------------

#[observe]
fn stream_tokens(text: &'static str) -> impl Stream<Item = &'static str> {
    futures::stream::iter(text.split_inclusive(' '))
}

#[observe]
fn stream_owned_tokens(count: usize) -> impl Stream<Item = String> {
    futures::stream::iter((0..count).map(|i| format!("<{i}>")))
}

#[observe]
fn stream_numbers(count: u32) -> impl Stream<Item = u32> {
    futures::stream::iter(1..=count)
}

#[test]
fn streams_of_text_record_the_concatenation() {
    let observations = record_async(async {
        let tokens: Vec<&str> = stream_tokens("Hello streaming world").collect().await;
        assert_eq!(tokens.len(), 3);
        let owned: Vec<String> = stream_owned_tokens(2).collect().await;
        assert_eq!(owned.len(), 2);
    });

    let borrowed = only(&observations, "stream_tokens");
    assert_eq!(borrowed.input_value(), Some(json!({"text": "Hello streaming world"})));
    assert_eq!(borrowed.output_value(), Some(json!("Hello streaming world")));
    assert!(borrowed.completion_start_time.is_some());
    let owned = only(&observations, "stream_owned_tokens");
    assert_eq!(owned.output_value(), Some(json!("<0><1>")));
    assert!(owned.completion_start_time.is_some());
}

#[test]
fn streams_of_values_record_the_list() {
    let observations = record_async(async {
        let numbers: Vec<u32> = stream_numbers(3).collect().await;
        assert_eq!(numbers, [1, 2, 3]);
    });

    assert_eq!(only(&observations, "stream_numbers").output_value(), Some(json!([1, 2, 3])));
}

#[observe]
fn evens(below: u32) -> impl Iterator<Item = u32> {
    (0..below).filter(|n| n % 2 == 0)
}

#[test]
fn iterator_is_observed_until_exhausted() {
    let observations = record(|| {
        let mut numbers = evens(5);
        assert_eq!(numbers.next(), Some(0));
        add(1, 1);
        assert_eq!(numbers.collect::<Vec<_>>(), [2, 4]);
    });

    // Still open while `add` runs, but not entered between items.
    let names: Vec<&str> = observations.iter().map(|obs| &*obs.name).collect();
    assert_eq!(names, ["add", "evens"]);
    assert_eq!(observations[0].parent_id, None);
    let obs = only(&observations, "evens");
    assert_eq!(obs.input_value(), Some(json!({"below": 5})));
    assert_eq!(obs.output_value(), Some(json!([0, 2, 4])));
    assert!(obs.completion_start_time.is_some());
}

// --- options ---------------------------------------------------------------

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

#[test]
fn a_panicking_serialize_is_recorded_as_unserializable_and_the_call_goes_on() {
    struct Explosive;
    impl serde::Serialize for Explosive {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            panic!("serialize bug")
        }
    }
    #[observe]
    fn handle(payload: Explosive, n: u32) -> u32 {
        let _ = payload;
        n + 1
    }
    let observations = record(|| assert_eq!(handle(Explosive, 1), 2));
    let input = only(&observations, "handle").input_value().unwrap();
    assert_eq!(input["payload"], json!("<unserializable: it panicked>"));
    assert_eq!(input["n"], json!(1));
}

#[test]
fn an_argument_whose_serialize_updates_the_observation_does_not_deadlock() {
    struct Chatty(u32);
    impl serde::Serialize for Chatty {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            langtrace::current_observation().set_metadata("serialized", true);
            serializer.serialize_u32(self.0)
        }
    }
    #[observe]
    fn handle(value: Chatty) -> u32 {
        value.0
    }
    let observations = record(|| assert_eq!(handle(Chatty(7)), 7));
    let observation = only(&observations, "handle");
    assert_eq!(observation.input_value(), Some(json!({"value": 7})));
    assert_eq!(observation.metadata["serialized"], json!(true));
}
