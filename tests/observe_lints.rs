//! `#[observe]` adds no warning to the crate using it: this file denies every
//! rustc warning and clippy's `all` and `pedantic` groups, so `cargo clippy
//! --all-targets` fails if the generated code of any fn shape triggers one. The
//! code written here is clean under those lints by itself; the tests then check
//! that each fn was observed.
#![deny(warnings)]
#![deny(clippy::all, clippy::pedantic)]

mod common;

use std::future::ready;
use std::num::ParseIntError;
use std::panic;

use common::Harness;
use futures::{FutureExt, StreamExt};
use langtrace::{observe, Level, ObservationType};
use serde_json::json;

// --- sync fns ------------------------------------------------------------------

#[observe]
fn first_even(values: &[u64]) -> Option<u64> {
    for value in values {
        if value % 2 == 0 {
            return Some(*value);
        }
    }
    None
}

#[observe]
fn push_line(lines: &mut Vec<String>, line: &str) {
    lines.push(line.to_owned());
}

#[observe]
fn nothing() {}

#[observe]
fn double_parsed(text: &str) -> Result<u64, ParseIntError> {
    let number: u64 = text.trim().parse()?;
    Ok(number * 2)
}

#[observe]
fn never(reason: &str) -> ! {
    panic!("never: {reason}")
}

#[observe]
fn largest<T>(values: &[T]) -> Option<&T>
where
    T: Ord + serde::Serialize,
{
    values.iter().max()
}

#[observe]
fn shown(a: u64) -> impl std::fmt::Display {
    a
}

// --- async fns, futures, streams and iterators -----------------------------------

#[observe]
async fn shown_later(a: u64) -> impl std::fmt::Display {
    ready(a).await
}

#[observe]
async fn first_even_later(values: &[u64]) -> Option<u64> {
    for value in values {
        if ready(value).await % 2 == 0 {
            return Some(*value);
        }
    }
    None
}

#[observe]
async fn double_parsed_later(text: &str) -> Result<u64, ParseIntError> {
    let number: u64 = ready(text).await.trim().parse()?;
    Ok(number * 2)
}

#[observe]
async fn fail_later(reason: &str) -> u64 {
    ready(()).await;
    panic!("failed later: {reason}")
}

#[observe]
fn non_empty(texts: &'static [&'static str]) -> impl Iterator<Item = Option<&'static str>> {
    texts.iter().map(|text| (!text.is_empty()).then_some(*text))
}

// --- methods and trait impls -------------------------------------------------------

/// A receiver for every kind of `self`.
struct Counter {
    total: u64,
}

impl Counter {
    #[observe]
    fn bump(&mut self, by: u64) {
        self.total += by;
    }
}

/// A trait implemented with observed methods.
trait Greeter {
    /// A greeting for `who`.
    fn greet(&self, who: &str) -> String;
}

/// Greets in English.
struct English;

/// An `#[async_trait]` trait implemented with observed methods.
#[async_trait::async_trait]
trait Model {
    /// The completion of `prompt`.
    async fn complete(&self, prompt: &str) -> Result<String, String>;

    /// The completion of `prompt`, in lower case.
    async fn whisper(&self, prompt: &str) -> Result<String, String>;
}

/// Answers with the prompt in upper case.
struct Shout;

#[async_trait::async_trait]
impl Model for Shout {
    #[observe(as_type = generation, model = "shout-1")]
    async fn complete(&self, prompt: &str) -> Result<String, String> {
        let prompt = ready(prompt).await;
        if prompt.is_empty() {
            return Err("empty prompt".to_owned());
        }
        Ok(prompt.to_uppercase())
    }

    #[rustfmt::skip]
    #[observe(as_type = generation, model = "whisper-1")]
    async fn whisper(&self, prompt: &str) -> Result<String, String> { Ok(self.complete(prompt).await?.to_lowercase()) }
}

// --- one-line bodies -----------------------------------------------------------------

/// Every shape with its body on one line, where `unused_braces` looks (rustfmt
/// would spread these bodies over three lines).
#[rustfmt::skip]
mod one_line {
    use std::future::{ready, Future};
    use std::num::ParseIntError;

    use futures::Stream;
    use langtrace::observe;

    use super::{Counter, English, Greeter};

    #[observe] pub fn add_one(a: u64) -> u64 { a + 1 }
    #[observe] pub fn push_twice(lines: &mut Vec<String>, line: &str) { lines.extend([line.to_owned(), line.to_owned()]); }
    #[observe] pub fn parse(text: &str) -> Result<u64, ParseIntError> { text.parse() }
    #[observe] pub fn tripled(text: &str) -> Result<u64, ParseIntError> { Ok(text.parse::<u64>()? * 3) }
    #[observe] pub fn fail(reason: &str) -> u64 { panic!("failed: {reason}") }
    #[observe] pub fn smallest<T>(values: &[T]) -> Option<&T> where T: Ord + serde::Serialize { values.iter().min() }
    #[observe] pub async fn add_one_later(a: u64) -> u64 { ready(a).await + 1 }
    #[observe] pub async fn push_later(lines: &mut Vec<String>, line: &str) { lines.push(ready(line).await.to_owned()); }
    #[observe] pub fn add_one_future(a: u64) -> impl Future<Output = u64> { ready(a + 1) }
    #[observe] pub fn words(text: &'static str) -> impl Stream<Item = &'static str> { futures::stream::iter(text.split_inclusive(' ')) }
    #[observe] pub fn evens(below: u64) -> impl Iterator<Item = u64> { (0..below).filter(|n| n % 2 == 0) }
    #[observe(capture_input = false, capture_output = false)] pub fn secret_length(secret: &str) -> usize { secret.len() }
    #[observe(capture_output = false)] pub fn checked(accept: bool) -> Result<u64, String> { accept.then_some(1).ok_or_else(|| "refused".to_owned()) }
    #[observe(skip(key))] pub fn keyed(prompt: &str, key: &str) -> usize { prompt.len() + key.len() }
    #[observe(name = "quiet", level = debug, capture_input = false)] pub async fn quiet_later(text: &str) -> usize { ready(text).await.len() }
    #[observe(as_type = tool, capture_output = false, skip(below))] pub fn odds(below: u64) -> impl Iterator<Item = u64> { (0..below).filter(|n| n % 2 == 1) }
    #[observe(as_type = chain, capture_input = false)] pub fn split(text: &'static str) -> impl Stream<Item = &'static str> { futures::stream::iter(text.split_whitespace()) }

    impl Counter {
        #[observe] pub fn total(&self) -> u64 { self.total }
        #[observe] pub fn reset(&mut self) { self.total = 0; }
        #[observe] pub fn into_total(self) -> u64 { self.total }
        #[observe] pub async fn total_later(&self) -> u64 { ready(self.total).await }
    }

    impl Greeter for English {
        #[observe] fn greet(&self, who: &str) -> String { format!("Hello, {who}!") }
    }
}

// --- the runs --------------------------------------------------------------------------

/// Calls every sync fn above, and consumes every iterator.
fn call_sync_fns() {
    assert_eq!(first_even(&[1, 4, 6]), Some(4));
    let mut lines = Vec::new();
    push_line(&mut lines, "one");
    one_line::push_twice(&mut lines, "two");
    assert_eq!(lines, ["one", "two", "two"]);
    nothing();
    assert_eq!(double_parsed(" 21 "), Ok(42));
    assert!(panic::catch_unwind(|| never("on purpose")).is_err());
    assert_eq!(largest(&[3, 9, 2]), Some(&9));
    assert_eq!(shown(7).to_string(), "7");
    assert_eq!(non_empty(&["ab", ""]).collect::<Vec<_>>(), [Some("ab"), None]);
    let mut counter = Counter { total: 1 };
    counter.bump(2);
    assert_eq!(counter.total(), 3);
    counter.reset();
    assert_eq!(counter.into_total(), 0);
    assert_eq!(English.greet("Ada"), "Hello, Ada!");
    assert_eq!(one_line::add_one(1), 2);
    assert!(one_line::parse("x").is_err());
    assert_eq!(one_line::tripled("2"), Ok(6));
    assert!(panic::catch_unwind(|| one_line::fail("on purpose")).is_err());
    assert_eq!(one_line::smallest(&[3, 9, 2]), Some(&2));
    assert_eq!(one_line::evens(5).collect::<Vec<_>>(), [0, 2, 4]);
    assert_eq!(one_line::secret_length("sk"), 2);
    assert_eq!(one_line::checked(false), Err("refused".to_owned()));
    assert_eq!(one_line::keyed("hi", "sk"), 4);
    assert_eq!(one_line::odds(4).count(), 2);
}

/// Awaits every async fn, future and stream above.
async fn call_async_fns() {
    assert_eq!(first_even_later(&[1, 4]).await, Some(4));
    assert_eq!(double_parsed_later("4").await, Ok(8));
    assert_eq!(shown_later(8).await.to_string(), "8");
    assert!(panic::AssertUnwindSafe(fail_later("on purpose")).catch_unwind().await.is_err());
    assert_eq!(Shout.complete("hi").await, Ok("HI".to_owned()));
    assert_eq!(Shout.whisper("").await, Err("empty prompt".to_owned()));
    assert_eq!(one_line::add_one_later(1).await, 2);
    let mut lines = Vec::new();
    one_line::push_later(&mut lines, "three").await;
    assert_eq!(lines, ["three"]);
    assert_eq!(one_line::add_one_future(2).await, 3);
    assert_eq!(one_line::words("a b").collect::<Vec<_>>().await, ["a ", "b"]);
    assert_eq!(Counter { total: 5 }.total_later().await, 5);
    assert_eq!(one_line::quiet_later("abc").await, 3);
    assert_eq!(one_line::split("a b c").count().await, 3);
}

#[test]
fn every_shape_is_observed_once_per_call() {
    let harness = Harness::new();
    harness.run(call_sync_fns);
    harness.block_on(call_async_fns());

    let names = harness.observations().into_iter().map(|observation| observation.name).collect::<Vec<_>>();
    let count = |name: &str| names.iter().filter(|recorded| *recorded == name).count();
    for name in [
        "first_even",
        "push_line",
        "push_twice",
        "nothing",
        "double_parsed",
        "never",
        "largest",
        "shown",
        "shown_later",
        "non_empty",
        "bump",
        "total",
        "reset",
        "into_total",
        "greet",
        "add_one",
        "parse",
        "tripled",
        "fail",
        "smallest",
        "evens",
        "secret_length",
        "checked",
        "keyed",
        "odds",
        "first_even_later",
        "double_parsed_later",
        "fail_later",
        "whisper",
        "add_one_later",
        "push_later",
        "add_one_future",
        "words",
        "total_later",
        "quiet",
        "split",
    ] {
        assert_eq!(count(name), 1, "{name} in {names:?}");
    }
    // Once on its own, once under `whisper`.
    assert_eq!(count("complete"), 2, "{names:?}");
}

#[test]
fn outputs_errors_and_options_are_recorded() {
    let harness = Harness::new();
    harness.run(call_sync_fns);
    harness.block_on(call_async_fns());

    for panicked in ["never", "fail", "fail_later"] {
        assert_eq!(harness.observation(panicked).level, Level::Error, "{panicked}");
    }
    assert_eq!(harness.observation("add_one").output_value(), Some(json!(2)));
    assert_eq!(harness.observation("largest").output_value(), Some(json!(9)));
    assert_eq!(harness.observation("non_empty").output_value(), Some(json!(["ab", null])));
    assert_eq!(harness.observation("keyed").input_value(), Some(json!({"prompt": "hi"})));
    let secret = harness.observation("secret_length");
    assert_eq!((secret.input_value(), secret.output_value()), (None, None));
    assert_eq!(harness.observation("checked").status_message.as_deref(), Some("refused"));
    let quiet = harness.observation("quiet");
    assert_eq!((quiet.level, quiet.input_value()), (Level::Debug, None));
    let whisper = harness.observation("whisper");
    assert_eq!(whisper.observation_type, ObservationType::Generation);
    assert_eq!(whisper.model.as_deref(), Some("whisper-1"));
    assert_eq!(whisper.status_message.as_deref(), Some("empty prompt"));
}
