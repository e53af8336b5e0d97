//! The langtrace collector: receives OTLP (HTTP and gRPC), maps spans from any source to
//! observation records with `langtrace-core`'s one convention mapper, stores them durably
//! in an embedded SQLite database through a single batching writer, and serves a query
//! API shaped like Langfuse's public API and a web UI.
//!
//! Data flow: `receive/` (transports, decode, replies) → `writer/` (admission, bounded
//! queue, group commit, sync, checkpoints) → `store/` (schema, writes with trace rollups,
//! typed reads) ← `api/` (Langfuse's wire shapes) ← `routes` (every route) ← `server`
//! (assembly). `app` holds what receivers and API share (state, the error type, the
//! authenticated project).

#![warn(missing_docs)]

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
#[cfg(feature = "demo")]
pub mod demo;
pub mod duration;
pub mod forward;
pub mod lifecycle;
pub mod pricing;
pub mod providers;
pub mod receive;
pub mod routes;
pub mod secrets;
pub mod server;
pub mod store;
pub mod time;
/// The browser UI, embedded in the binary and served at `/`.
pub mod ui;
pub mod writer;
