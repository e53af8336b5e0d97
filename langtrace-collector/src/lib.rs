//! The langtrace collector: receives OTLP (HTTP and gRPC), maps spans from any source to
//! observation and trace records with `langtrace-core`'s convention mapper, stores them
//! durably in an embedded SQLite database through a single batching writer, and serves a
//! query API shaped like Langfuse's public API.
//!
//! Data flow: `receive/` (decode, auth) → `ingest` (bounded queue, single writer) →
//! `store/` (schema, writes with trace rollups, queries) ← `api/` (JSON routes).

#![warn(missing_docs)]

pub mod api;
pub mod auth;
pub mod cli;
pub mod demo;
pub mod ingest;
pub mod pricing;
pub mod receive;
pub mod server;
pub mod store;
/// The browser UI, embedded in the binary and served at `/`.
pub mod ui;
