//! Quickstart: a RAG-style chain traced end to end.
//!
//! Each request becomes one trace: a root span that sets the user, session and tags,
//! a CHAIN that calls a RETRIEVER, a TOOL and a GENERATION (a mock LLM that reports
//! model parameters, token usage and cost). The second question makes the tool fail:
//! its `Err` marks the tool, and the chain it propagates through, as ERROR with the
//! error message. The console sink prints each trace tree when the trace finishes.
//!
//! Run it with `cargo run --example quickstart`.

use langtrace::{current_observation, current_trace, observe, Cost, TraceId, Usage};
use serde::Serialize;

#[derive(Debug)]
enum AppError {
    UnknownTopic(String),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::UnknownTopic(topic) => write!(f, "no release year known for {topic:?}"),
        }
    }
}

impl std::error::Error for AppError {}

const DOCUMENTS: &[&str] = &[
    "Rust is a systems programming language focused on safety and speed.",
    "Tokio is an asynchronous runtime for Rust.",
    "Langfuse is an open-source LLM engineering platform.",
];

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// Returns the documents sharing a word with the question (the output is the list).
#[observe(as_type = retriever)]
async fn retrieve(question: &str) -> Vec<&'static str> {
    let asked: Vec<String> = words(question).filter(|w| w.len() > 3).collect();
    DOCUMENTS.iter().copied().filter(|doc| words(doc).any(|w| asked.contains(&w))).collect()
}

/// A tool the chain calls; an `Err` return sets level ERROR and the status message.
#[observe(as_type = tool)]
async fn release_year(topic: &str) -> Result<u32, AppError> {
    match topic {
        "rust" => Ok(2015),
        "tokio" => Ok(2016),
        other => Err(AppError::UnknownTopic(other.to_owned())),
    }
}

/// A mock LLM call: deterministic, no network. Reports what a real client would.
#[observe(as_type = generation, model = "gpt-4o-mini")]
async fn complete(prompt: &str) -> Result<String, AppError> {
    let (input, output) = (prompt.split_whitespace().count() as u64, 8);
    let completion = format!("(mock answer to a {input}-token prompt)");
    current_observation()
        .set_model_parameters(serde_json::json!({ "temperature": 0.2, "max_tokens": 256 }))
        .set_usage(Usage::tokens(input, output))
        // gpt-4o-mini list prices: $0.15 / 1M input tokens, $0.60 / 1M output tokens.
        .set_cost(Cost::usd(input as f64 * 0.15e-6, output as f64 * 0.6e-6));
    Ok(completion)
}

#[observe(as_type = chain)]
async fn answer(question: &str) -> Result<String, AppError> {
    let context = retrieve(question).await;
    // The topic is the first word of the best document ("rust", "langfuse", ...).
    let topic = context.first().and_then(|doc| words(doc).next()).unwrap_or_default();
    let year = release_year(&topic).await?;
    complete(&format!("Context: {context:?}\nFirst release: {year}\nQuestion: {question}")).await
}

/// What the app returns to its client: the answer and the trace id, so the client can
/// deep-link to the trace (or attach a score to it later).
#[derive(Debug, Serialize)]
struct Reply {
    trace_id: Option<TraceId>,
    answer: Result<String, String>,
}

/// The request handler: the root observation, hence one trace per call.
#[observe(name = "handle-request")]
async fn handle_request(user_id: &str, question: &str) -> Reply {
    current_trace().set_user_id(user_id).set_session_id("chat-42").add_tags(["quickstart", "rag"]);
    let answer = answer(question).await.map_err(|error| error.to_string());
    Reply { trace_id: langtrace::current_trace_id(), answer }
}

#[tokio::main]
async fn main() {
    // Reports to the console sink; dropping the guard at the end of `main` flushes.
    let _guard = langtrace::init().expect("valid langtrace settings");

    for question in ["Is Rust older than Tokio?", "Who maintains Langfuse?"] {
        let reply = handle_request("user-1", question).await;
        match &reply.answer {
            Ok(text) => println!("answer: {text}"),
            Err(error) => println!("error: {error}"),
        }
        // Deep link to the trace in Langfuse: <host>/project/<project id>/traces/<trace id>.
        if let Some(id) = reply.trace_id {
            println!("  trace id: {id}");
        }
    }
}
