//! Every option, on every fn shape.

use std::future::Future;

use futures::Stream;
use langtrace::observe;

#[observe(
    name = "chat-completion",
    as_type = generation,
    model = "gpt-4o",
    level = WARNING,
    capture_input = true,
    capture_output = false,
    skip(api_key),
)]
fn chat(prompt: &str, api_key: &str) -> Result<String, std::io::Error> {
    let _ = api_key;
    Ok(prompt.to_owned())
}

#[observe(as_type = generation, rig)]
async fn rig_completion(prompt: String) -> String {
    prompt
}

#[observe(
    as_type = "embedding",
    model = "text-embedding-3-small",
    level = "debug"
)]
async fn embed(text: String) -> Vec<f32> {
    vec![text.len() as f32]
}

#[observe(as_type = Tool, capture_input = false, skip())]
fn search(query: &str) -> impl Future<Output = Vec<String>> + '_ {
    async move { vec![query.to_owned()] }
}

#[observe(as_type = agent, level = error)]
fn tokens(count: usize) -> impl Stream<Item = String> {
    futures::stream::iter((0..count).map(|i| i.to_string()))
}

#[observe(as_type = chain, level = Default)]
fn steps() -> impl Iterator<Item = &'static str> {
    ["retrieve", "generate"].into_iter()
}

#[observe(as_type = event)]
fn event() {}

#[observe(as_type = retriever)]
fn retrieve((query, limit): (&str, usize), Wrapper(extra): Wrapper) -> Vec<String> {
    vec![query.repeat(limit + extra)]
}

struct Wrapper(usize);

#[observe(as_type = evaluator)]
fn evaluate<T: PartialEq>(expected: T, actual: T) -> bool {
    expected == actual
}

#[observe(as_type = guardrail)]
fn check(input: &str) -> Result<(), String> {
    if input.is_empty() {
        return Err("empty".to_owned());
    }
    Ok(())
}

#[observe(as_type = span)]
fn r#type(r#ref: u8) -> u8 {
    r#ref
}

fn main() {
    let _ = chat("hi", "key");
    let _ = embed("hi".to_owned());
    let _ = search("rust");
    let _ = tokens(2);
    let _ = steps().count();
    event();
    let _ = retrieve(("q", 1), Wrapper(0));
    let _ = evaluate(1, 1);
    let _ = check("x");
    let _ = r#type(1);
}
