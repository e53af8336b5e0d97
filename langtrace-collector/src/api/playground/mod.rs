//! The playground: `POST /api/playground/chat` (the UI's route, streamed as server-sent
//! events or answered whole) and the OpenAI-compatible proxy `POST /v1/chat/completions`
//! (OpenAI's wire format, `model` = `<provider>:<model>`). Both call a provider through
//! the project's LLM connection and trace every run as a generation in the reserved
//! environment [`ENVIRONMENT`].
//!
//! - `request`: the UI's body, parsed into a provider request;
//! - `run`: one run: connection, provider stream, timing, the trace write;
//! - `trace`: the generation a run becomes;
//! - `failure`: provider failures as answers (Langfuse's `{"message"}`, OpenAI's `{"error"}`);
//! - `chat`, `proxy`: the two routes.

pub mod chat;
pub mod failure;
pub mod proxy;
pub mod request;
pub mod run;
pub mod trace;

/// The environment of playground runs; ingested spans may not use it (see
/// `receive::decode`).
pub const ENVIRONMENT: &str = "langtrace-playground";
