//! `impl Stream` and `impl Iterator` fns: observed until the last item, with
//! the items as output (their concatenation when they are text) and the first
//! item's time as completion start time (time to first token).

mod common;

use common::{add, only, record, record_async};
use futures::{Stream, StreamExt};
use langtrace::observe;
use serde_json::json;

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
