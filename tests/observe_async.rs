//! `async fn` and `impl Future` fns: observed until their future completes,
//! with the observations opened while it runs as children, across `.await`.

mod common;

use std::future::Future;

use common::{assert_child_of, count_words, only, record_async};
use langtrace::observe;
use serde_json::json;

#[observe]
async fn answer(question: &str) -> Result<String, String> {
    tokio::task::yield_now().await;
    let words = count_words(question).await;
    tokio::task::yield_now().await;
    Ok(format!("{words} words"))
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
