//! Shared by the collector's tests and benchmarks (benches include it with
//! `#[path = "../tests/support/mod.rs"] mod support;`):
//!
//! - [`collector`]: a running `langtrace serve`, in this process (a thread with its own
//!   runtime) or as a child process (for a restart over the same data directory, a kill,
//!   a measurement of the server alone, or reading its log);
//! - [`demo`]: a running `langtrace demo`, its URL and keys read from its ready line;
//! - [`http`]: a blocking client bound to a base URL and a key pair;
//! - [`otlp`]: attributes, spans, requests, their encodings, and sending them;
//! - [`otlp_receiver`]: a real OTLP/HTTP receiver on loopback (an upstream for forwarding)
//!   that can be made to answer 503 or 400, and polling with a deadline;
//! - [`bombs`]: hostile OTLP exports sized by the caller (empty-span bombs, too many
//!   attributes) and a raw gRPC export;
//! - [`heavy`]: heavy requests aimed at the writer (many tags, overflowing tokens, a
//!   large input);
//! - [`auth`]: the initial project's test keys and the Basic header;
//! - [`cli`]: the command line's one-off writes (projects, keys);
//! - [`browser`]: headless Chromium through chromedriver, for the browser tests and the UI
//!   benchmark;
//! - [`installs`]: third-party clients (a Python virtualenv, a Node project) installed
//!   once under the target directory;
//! - [`log`]: a server's log captured line by line;
//! - [`mock_openai`]: a mock OpenAI-compatible provider with scripted answers;
//! - [`slow`]: raw HTTP/1.1 over TCP: slow-header clients, bodies announced and not sent;
//! - [`measure`]: what the benchmarks compute (medians, percentiles, peak RSS);
//! - [`direct`]: a store written through the writer with no server, for benchmarks;
//! - [`postgres`]: a throwaway PostgreSQL cluster under the target directory, a database
//!   per test.
#![allow(dead_code)]

pub mod auth;
pub mod bombs;
pub mod browser;
pub mod cli;
pub mod collector;
pub mod demo;
pub mod direct;
pub mod heavy;
pub mod http;
mod in_process;
pub mod installs;
pub mod log;
pub mod measure;
pub mod mock_openai;
pub mod otlp;
pub mod otlp_receiver;
pub mod postgres;
mod process;
pub mod slow;

// The names most tests use; each test binary uses some of them.
#[allow(unused_imports)]
pub use auth::{basic, Keys, PUBLIC_KEY, SECRET_KEY};
#[allow(unused_imports)]
pub use collector::{Collector, DataDir};
#[allow(unused_imports)]
pub use demo::Demo;
