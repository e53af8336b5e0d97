//! Masking: redact sensitive data before it leaves the process.
//!
//! The mask function given to the builder runs on every input, output and metadata
//! value before any sink sees it (on the pipeline's worker thread, not in your code).
//! This one replaces email addresses and anything that looks like an API key
//! (`sk-...`) in any JSON string, recursively, with `[REDACTED]`.
//!
//! To show what was recorded, the records also go to a `MemorySink` (next to the
//! console sink) and the example prints the masked input, output and metadata.
//!
//! Run it with `cargo run --example masking`.

use std::time::Duration;

use langtrace::{current_observation, observe, ConsoleSink, MemorySink};
use serde_json::Value;

/// The mask: walks the value and redacts every string in it.
fn redact(value: Value) -> Value {
    match value {
        Value::String(text) => Value::String(redact_text(&text)),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, redact(v))).collect()),
        other => other,
    }
}

/// Replaces each word that looks like an email address or an API key.
fn redact_text(text: &str) -> String {
    text.split_inclusive(char::is_whitespace)
        .map(|word| {
            // The word without surrounding punctuation: `<bob@example.com>,` -> `bob@...com`.
            let core = word.trim_matches(|c: char| !c.is_alphanumeric());
            let is_email = core.split_once('@').is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'));
            let is_key = core.starts_with("sk-") && core.len() >= 20;
            if is_email || is_key {
                word.replacen(core, "[REDACTED]", 1)
            } else {
                word.to_owned()
            }
        })
        .collect()
}

/// Receives an email address and an API key: both are captured in the input (and the
/// output and metadata mention them too), and all of it is masked.
#[observe]
fn register_user(email: &str, api_key: &str) -> String {
    current_observation().set_metadata("contact", format!("Support <support@example.com>, key {api_key}"));
    format!("Welcome mail sent to {email}")
}

fn main() {
    let memory = MemorySink::new();
    let guard = langtrace::builder()
        .layer(|b| b.mask(redact))
        .sink(ConsoleSink::new())
        .sink(memory.clone())
        .init()
        .expect("valid langtrace settings");

    let sent = register_user("alice@example.com", "sk-live-0123456789abcdef");
    println!("the application still sees the real values: {sent}");

    guard.flush(Duration::from_secs(5)).expect("records reach the sinks");
    let recorded = memory.observation("register_user").expect("register_user was recorded");
    println!("recorded input:    {}", recorded.input_value().unwrap_or_default());
    println!("recorded output:   {}", recorded.output_value().unwrap_or_default());
    println!("recorded metadata: {}", Value::Object(recorded.metadata));
}
