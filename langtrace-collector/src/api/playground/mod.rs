//! The playground: `POST /api/playground/chat` (the UI's route, streamed as server-sent
//! events or answered whole) and the OpenAI-compatible proxy `POST /v1/chat/completions`
//! (OpenAI's wire format, `model` = `<provider>:<model>`). Both call a provider through
//! the project's LLM connection and trace every run as a generation in the reserved
//! environment [`ENVIRONMENT`].
//!
//! - `request`: the UI's body, parsed into a provider request;
//! - `openai_body`: the proxy's body (OpenAI's), parsed into a provider request;
//! - `validate`: the checks both bodies pass (sampling parameters, tools);
//! - `run`: one run: connection, provider stream, timing, the trace write;
//! - `trace`: the generation a run becomes;
//! - `failure`: provider failures as answers (Langfuse's `{"message"}`, OpenAI's `{"error"}`);
//! - `chat`, `proxy`: the two routes.

pub mod chat;
pub mod failure;
pub mod openai_body;
pub mod proxy;
pub mod request;
pub mod run;
pub mod trace;
pub mod validate;

/// The environment of playground runs; ingested spans and scores that name it are
/// normalised to `default` (see `langtrace_core::environment`).
pub const ENVIRONMENT: &str = langtrace_core::environment::PLAYGROUND;
