//! Every fn shape compiles without a single warning: `deny(warnings)` makes any
//! warning the generated code raises (e.g. `unused_braces` around a one-line
//! body) a compile error, which fails this pass case.
#![deny(warnings)]

use std::future::{ready, Future};
use std::num::ParseIntError;

use futures::Stream;
use langtrace::observe;

#[observe] fn add_one(a: u64) -> u64 { a + 1 }
#[observe] fn parse(text: &str) -> Result<u64, ParseIntError> { text.parse() }
#[observe] fn tripled(text: &str) -> Result<u64, ParseIntError> { Ok(text.parse::<u64>()? * 3) }
#[observe] fn push(lines: &mut Vec<String>, line: &str) { lines.push(line.to_owned()); }
#[observe] fn nothing() {}
#[observe] fn fail(reason: &str) -> u64 { panic!("failed: {reason}") }
#[observe] fn never(reason: &str) -> ! { panic!("never: {reason}") }
#[observe] fn largest<T>(values: &[T]) -> Option<&T> where T: Ord { values.iter().max() }
#[observe] async fn add_one_later(a: u64) -> u64 { ready(a).await + 1 }
#[observe] async fn push_later(lines: &mut Vec<String>, line: &str) { lines.push(ready(line).await.to_owned()); }
#[observe] async fn fail_later(reason: &str) -> u64 { ready(()).await; panic!("failed later: {reason}") }
#[observe] fn add_one_future(a: u64) -> impl Future<Output = u64> { ready(a + 1) }
#[observe] fn words(text: &'static str) -> impl Stream<Item = &'static str> { futures::stream::iter(text.split(' ')) }
#[observe] fn evens(below: u64) -> impl Iterator<Item = u64> { (0..below).filter(|n| n % 2 == 0) }
#[observe] fn non_empty(texts: &'static [&'static str]) -> impl Iterator<Item = Option<&'static str>> { texts.iter().map(|text| (!text.is_empty()).then_some(*text)) }
#[observe(capture_input = false, capture_output = false)] fn secret_length(secret: &str) -> usize { secret.len() }
#[observe(capture_output = false)] fn checked(accept: bool) -> Result<u64, String> { if accept { Ok(1) } else { Err("refused".to_owned()) } }
#[observe(skip(key))] fn keyed(prompt: &str, key: &str) -> usize { prompt.len() + key.len() }
#[observe(capture_input = false)] async fn quiet_later(text: &str) -> usize { ready(text).await.len() }

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
async fn first_even_later(values: &[u64]) -> Option<u64> {
    for value in values {
        if ready(value).await % 2 == 0 {
            return Some(*value);
        }
    }
    None
}

struct Counter {
    total: u64,
}

impl Counter {
    #[observe] fn total(&self) -> u64 { self.total }
    #[observe] fn bump(&mut self, by: u64) { self.total += by; }
    #[observe] fn into_total(self) -> u64 { self.total }
    #[observe] async fn total_later(&self) -> u64 { ready(self.total).await }
}

trait Greeter {
    fn greet(&self, who: &str) -> String;
}

struct English;

impl Greeter for English {
    #[observe] fn greet(&self, who: &str) -> String { format!("Hello, {who}!") }
}

#[async_trait::async_trait]
trait Model {
    async fn complete(&self, prompt: &str) -> Result<String, String>;
}

struct Shout;

#[async_trait::async_trait]
impl Model for Shout {
    #[observe(as_type = generation, model = "shout-1")] async fn complete(&self, prompt: &str) -> Result<String, String> { Ok(ready(prompt).await.to_uppercase()) }
}

fn main() {
    let mut lines = Vec::new();
    let _ = (add_one(1), parse("1"), tripled("1"), nothing(), largest(&[1]), first_even(&[2]));
    push(&mut lines, "a");
    // Only compiled: trybuild runs `main`.
    let _ = (|| fail("x"), || never("x"), || fail_later("x"));
    let _ = (add_one_later(1), add_one_future(1), quiet_later("x"), first_even_later(&[2]));
    let _ = push_later(&mut lines, "b");
    let _ = (words("a b"), evens(3).count(), non_empty(&[""]).count());
    let _ = (secret_length("x"), checked(true), keyed("a", "b"));
    let mut counter = Counter { total: 0 };
    counter.bump(1);
    let _ = (counter.total(), counter.total_later());
    let _ = (counter.into_total(), English.greet("Ada"), Shout.complete("hi"));
}
