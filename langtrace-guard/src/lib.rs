//! # langtrace-guard
//!
//! Input and output scanners for LLM applications, in pure Rust and without models:
//! block a prompt before it reaches the model, redact PII and secrets before the model
//! and the trace store see them, restore them in the answer, check the answer. Every
//! scanner run is traced as a `guardrail` observation under the current langtrace
//! observation. Re-exported by the `langtrace` facade as `langtrace::guard`.
//!
//! - [`Scanner`]: the trait of every check, built-in or yours (an ONNX classifier, a
//!   moderation API, an LLM judge); a [`Scan`] holds the sanitized text, the verdict,
//!   LLM Guard's risk score and the [`Finding`]s.
//! - [`Guard`]: input and output chains; [`Guard::scan_input`] and
//!   [`Guard::scan_output`] return the sanitized text or [`Blocked`].
//! - [`scanners`]: invisible text, banned substrings (and a heuristic jailbreak phrase
//!   list), regular expressions, secrets, PII with an anonymize vault and a
//!   deanonymizer, token limit, JSON, reading time, refusals.
//!
//! Tracing: each scanner of a chain opens a `guardrail` observation named after it,
//! with metadata `valid`, `risk` and `findings` (kinds and counts, never values), level
//! `WARNING` when it found something. Its input is the chain's sanitized text; the raw
//! text only with [`Guard::record_raw_text`]. [`Guard::record_scores`] records each
//! run's risk as a `guard.<scanner>` score on the trace.

#![warn(missing_docs)]

mod guard;
mod scan;
pub mod scanners;
mod trace;

pub use guard::{Blocked, Guard, Scanned, Verdict};
pub use scan::{apply_replacements, non_overlapping, Finding, Scan, ScanContext, Scanner, FULL_RISK, NO_RISK};
