//! Prompt management: create two versions of a chat prompt, fetch the `production` one,
//! compile it, answer with it (a mock LLM) linked to its version, promote the newer
//! version, fetch again, and fall back to a local prompt when a name does not exist.
//!
//! Against a local collector (`cargo run --release -p langtrace-collector -- serve`
//! prints the keys of its first project):
//!
//! ```text
//! LANGFUSE_PUBLIC_KEY=pk-lt-... LANGFUSE_SECRET_KEY=sk-lt-... \
//! LANGFUSE_BASE_URL=http://127.0.0.1:3000 cargo run --example prompts
//! ```
//!
//! The same variables make `init()` export the traces there, so the generations show up
//! with their prompt in the UI. Each run adds two versions.

use langtrace::prompts::{ChatMessage, Compiled, NewPrompt, Prompt, Prompts};
use langtrace::{current_observation, observe, Usage};
use serde_json::json;

/// A mock LLM call linked to the prompt it was made with.
#[observe(as_type = generation, model = "gpt-4o-mini")]
fn complete(prompt: &Prompt, messages: &[ChatMessage]) -> String {
    current_observation().set_prompt(prompt).set_usage(Usage::tokens(40, 12));
    format!("(mock reply to {} messages, prompt version {})", messages.len(), prompt.version())
}

/// Fetches the production version (cached for 60 s), compiles it and answers.
fn answer(prompts: &Prompts, question: &str) -> Result<String, Box<dyn std::error::Error>> {
    let prompt = prompts
        .get("support/answer")
        .fallback_chat([
            ChatMessage::message("system", "You are a helpful assistant."),
            ChatMessage::placeholder("history"),
        ])
        .fetch_blocking()?;
    let vars = json!({
        "persona": "a patient support agent",
        "history": [{"role": "user", "content": question}],
    });
    let Compiled::Chat(messages) = prompt.compile_strict(&vars)? else { unreachable!("a chat prompt") };
    let source = if prompt.is_fallback() { "fallback".to_owned() } else { format!("version {}", prompt.version()) };
    println!("{source}: {}", json!(messages));
    Ok(complete(&prompt, &messages))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let guard = langtrace::init()?;
    let prompts = Prompts::from_env()?;

    let system = "You are {{persona}}. Answer in two sentences.";
    let v1 = prompts
        .create(
            NewPrompt::chat(
                "support/answer",
                [ChatMessage::message("system", system), ChatMessage::placeholder("history")],
            )
            .labels(["production"])
            .tags(["support"])
            .config(json!({"model": "gpt-4o-mini", "temperature": 0.2}))
            .commit_message("first version"),
        )
        .send_blocking()?;
    let v2 = prompts
        .create(
            NewPrompt::chat(
                "support/answer",
                [ChatMessage::message("system", "You are {{persona}}. Be brief."), ChatMessage::placeholder("history")],
            )
            .labels(["staging"])
            .commit_message("shorter"),
        )
        .send_blocking()?;
    println!("created versions {} (production) and {} (staging)", v1.version(), v2.version());

    println!("{}", answer(&prompts, "Where is my order?")?);
    // Promote: `production` moves to the newer version; this client's cache of the name
    // is dropped by the write, so the next fetch sees it.
    prompts.update_labels("support/answer", v2.version(), ["production"]).send_blocking()?;
    println!("{}", answer(&prompts, "Can I change the address?")?);

    let missing = prompts.get("no/such/prompt").max_retries(0).fallback_text("Local {{text}}").fetch_blocking()?;
    println!(
        "fallback: {} (links nothing)",
        missing.as_text().map(|p| p.compile(&json!({"text": "prompt"}))).unwrap_or_default()
    );

    guard.flush(std::time::Duration::from_secs(10))?;
    Ok(())
}
