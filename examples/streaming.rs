//! Streaming: observe a generation that returns a token stream (or an iterator).
//!
//! For `fn .. -> impl Stream<Item = T>` and `fn .. -> impl Iterator<Item = T>`, the
//! observation stays open until the caller has consumed the sequence to its end. Its
//! output is the concatenation of the items (the list, for non-string items), and the
//! time of the first item becomes the completion start time, which the console tree
//! prints as `ttft=` (time to first token).
//!
//! Run it with `cargo run --example streaming`.

use std::io::Write;

use futures::{Stream, StreamExt};
use langtrace::{current_observation, observe, Usage};

const ANSWER: &str = "Streaming keeps the generation open until the last token arrives.";

/// A mock streaming model: deterministic, no network. The body runs inside the
/// observation, so it can report model parameters and usage before streaming starts.
#[observe(as_type = generation, model = "mock-stream")]
fn stream_answer(prompt: &str) -> impl Stream<Item = String> {
    let tokens: Vec<String> = ANSWER.split_inclusive(' ').map(str::to_owned).collect();
    current_observation()
        .set_model_parameters(serde_json::json!({ "temperature": 0.0, "stream": true }))
        .set_usage(Usage::tokens(prompt.split_whitespace().count() as u64, tokens.len() as u64));
    futures::stream::iter(tokens)
}

/// The same with a plain iterator, for synchronous code.
#[observe(as_type = generation, model = "mock-stream")]
fn iter_answer(prompt: &str) -> impl Iterator<Item = &'static str> {
    current_observation().set_usage(Usage::tokens(prompt.split_whitespace().count() as u64, 3));
    ["Iterators ", "work ", "too."].into_iter()
}

#[tokio::main]
async fn main() {
    let _guard = langtrace::init().expect("valid langtrace settings");

    // Print tokens as they arrive; the generation ends when the stream does.
    let mut stream = stream_answer("How does streaming work?");
    while let Some(token) = stream.next().await {
        print!("{token}");
        std::io::stdout().flush().expect("stdout");
    }
    println!();

    let text: String = iter_answer("And iterators?").collect();
    println!("{text}");
}
