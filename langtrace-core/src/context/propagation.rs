//! Carrying context across threads, tasks and processes: [`ObservationContext`],
//! [`spawn_thread`], and W3C `traceparent` headers.

use std::future::Future;

use tracing::instrument::{Instrument, Instrumented};
use tracing::Span;

use crate::ids::{IdError, ObservationId, TraceId};

/// A handle on the current observation to carry into another thread or task, so
/// observations opened there nest under it instead of starting new traces.
#[derive(Clone, Debug)]
pub struct ObservationContext {
    span: Span,
}

impl ObservationContext {
    /// Captures the calling code's context.
    pub fn current() -> Self {
        Self { span: Span::current() }
    }

    /// Runs `f` in the captured context (e.g. inside a thread pool job).
    pub fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        self.span.in_scope(f)
    }

    /// Runs a future in the captured context (e.g. before `tokio::spawn`).
    pub fn wrap<F: Future>(&self, future: F) -> Instrumented<F> {
        future.instrument(self.span.clone())
    }
}

/// `std::thread::spawn` that keeps the current observation as the parent of the
/// observations opened in the new thread.
pub fn spawn_thread<F, T>(f: F) -> std::thread::JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let context = ObservationContext::current();
    std::thread::spawn(move || context.in_scope(f))
}

/// The trace id and parent span id of a W3C `traceparent` header
/// (`00-<trace id>-<parent id>-<flags>`).
pub(crate) fn parse_traceparent(header: &str) -> Result<(TraceId, ObservationId), IdError> {
    let malformed = || IdError::Malformed { expected: 55, got: header.to_owned() };
    let mut parts = header.trim().split('-');
    let (Some(version), Some(trace), Some(parent), Some(flags), None) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    if version.len() != 2 || version == "ff" || hex::decode_to_slice(flags, &mut [0u8; 1]).is_err() {
        return Err(malformed());
    }
    Ok((TraceId::from_hex(trace)?, ObservationId::from_hex(parent)?))
}
