//! Langfuse prompt management for Rust: fetch, cache, compile and manage versioned
//! prompts over Langfuse's public API, against Langfuse itself or `langtrace serve`.
//!
//! ```no_run
//! use langtrace_prompts::{Prompts, Prompt};
//! use serde_json::json;
//!
//! # fn main() -> Result<(), langtrace_prompts::Error> {
//! // LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY, LANGFUSE_BASE_URL, as for `init()`.
//! let prompts = Prompts::from_env()?;
//! let prompt = prompts.get("support/answer").label("production").fallback_text("Answer: {{question}}").fetch_blocking()?;
//! if let Prompt::Text(text) = &prompt {
//!     let filled = text.compile(&json!({"question": "Where is my order?"}));
//!     println!("{filled}");
//! }
//! # Ok(()) }
//! ```
//!
//! - The cache behaves as Langfuse's SDKs: 60 s by default, an expired prompt served at
//!   once while one background refresh runs, a 404 on refresh evicts.
//! - Every request runs on one background thread owned by the client (a single-threaded
//!   Tokio runtime): `fetch().await` works on any executor, `fetch_blocking()` anywhere,
//!   and the application needs no runtime.
//! - `current_observation().set_prompt(&prompt)` links a generation to the version
//!   (nothing for a fallback).

#![warn(missing_docs)]

mod api;
mod cache;
mod client;
mod compile;
mod error;
mod loader;
mod manage;
mod model;
mod template;
mod worker;

pub use client::{
    GetPrompt, Prompts, PromptsBuilder, DEFAULT_CACHE_TTL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, MAX_RETRIES_LIMIT,
    PRODUCTION,
};
pub use compile::{CompileError, Compiled};
pub use error::Error;
pub use manage::{Call, NewPrompt, Versions};
pub use model::{ChatMessage, ChatPrompt, Message, Prompt, PromptVersion, TextPrompt};
