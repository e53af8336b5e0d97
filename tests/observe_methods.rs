//! Methods: `self` in every form is never captured, trait impls and
//! `#[async_trait]` methods are observed like free fns.

mod common;

use common::{assert_child_of, count_words, only, record, record_async};
use langtrace::{observe, Level, ObservationRecord, ObservationType};
use serde_json::json;

/// Methods with every kind of receiver.
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

/// A trait implemented with an observed method.
trait Greeter {
    /// A greeting for `who`.
    fn greet(&self, who: &str) -> String;
}

/// Greets in English.
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

/// An `#[async_trait]` trait implemented with an observed method.
#[async_trait::async_trait]
trait Model {
    /// The completion of `prompt`.
    async fn complete(&self, prompt: &str) -> Result<String, String>;
}

/// Answers with the prompt in upper case, after counting its words.
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
