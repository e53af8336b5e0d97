//! langtrace integrations for Rust LLM client crates that emit no spans of their own.
//!
//! Each integration wraps a client call in a `tracing` span that speaks the OpenTelemetry
//! GenAI convention (`gen_ai.*` fields): the [`LangtraceLayer`](langtrace_core::LangtraceLayer)
//! reads it as a generation (model, messages in the normal form, parameters, tools,
//! usage, time to first token, errors), and any other OpenTelemetry pipeline reads it as
//! a GenAI span. Nothing is sent anywhere by this crate; nothing here panics or blocks.
//!
//! - `openai` (feature `async-openai`): chat completions, plain and streamed, and
//!   embeddings of the `async-openai` crate.
//! - `ollama` (feature `ollama`): chat, plain and streamed, generate and embeddings of
//!   the `ollama-rs` crate.
//!
//! Crates that trace themselves need no integration: `genai` with its `otel` feature
//! works with the layer alone, and `rig-core` with `#[observe(as_type = generation,
//! rig_fields)]` on the enclosing function (see `docs/integrations.md`).

#![warn(missing_docs)]

#[cfg(any(feature = "async-openai", feature = "ollama"))]
mod generation;
#[cfg(any(feature = "async-openai", feature = "ollama"))]
mod json;
#[cfg(feature = "ollama")]
pub mod ollama;
#[cfg(feature = "async-openai")]
pub mod openai;
#[cfg(any(feature = "async-openai", feature = "ollama"))]
mod stream;
