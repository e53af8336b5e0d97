//! [`ExportCounters`]: what one OTLP sink exported, gave up on, uploaded and dropped.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters of one exporter since it started, shared with
/// [`OtlpSink::counters`](crate::OtlpSink::counters).
#[derive(Debug, Default)]
pub struct ExportCounters {
    /// Spans the endpoint accepted.
    pub spans_exported: AtomicU64,
    /// Spans given up on: rejected (4xx other than 429) or still failing when the retry
    /// window closed.
    pub spans_failed: AtomicU64,
    /// Media payloads uploaded.
    pub media_uploaded: AtomicU64,
    /// Media payloads the server already had (or this process already uploaded).
    pub media_already_stored: AtomicU64,
    /// Media uploads that failed.
    pub media_failed: AtomicU64,
    /// Media payloads not uploaded because no Langfuse server is configured.
    pub media_skipped: AtomicU64,
    /// Scores the Langfuse scores API stored.
    pub scores_sent: AtomicU64,
    /// Scores the server refused or that could not be sent (one attempt each).
    pub scores_failed: AtomicU64,
    /// Scores dropped because no Langfuse server is configured: OTLP carries no scores.
    pub scores_dropped: AtomicU64,
}

impl ExportCounters {
    /// Reads one counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}
