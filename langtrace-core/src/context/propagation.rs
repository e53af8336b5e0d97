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
/// (`00-<trace id>-<parent id>-<flags>`). The version is two lower-case hex digits other
/// than `ff`; version `00` has exactly four fields, a later version may append more
/// (ignored, as the W3C recommendation asks).
pub(crate) fn parse_traceparent(header: &str) -> Result<(TraceId, ObservationId), IdError> {
    let malformed = || IdError::Malformed { expected: 55, got: header.to_owned() };
    let mut parts = header.trim().split('-');
    let (Some(version), Some(trace), Some(parent), Some(flags)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let lower_hex =
        |text: &str, len: usize| text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let extra_fields = parts.next().is_some();
    if !lower_hex(version, 2) || version == "ff" || !lower_hex(flags, 2) || (version == "00" && extra_fields) {
        return Err(malformed());
    }
    Ok((TraceId::from_hex(trace)?, ObservationId::from_hex(parent)?))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::parse_traceparent;

    #[test]
    fn versions_and_fields_follow_the_w3c_rules() {
        let ids = "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331";
        assert!(parse_traceparent(&format!("00-{ids}-01")).is_ok());
        assert!(parse_traceparent(&format!("01-{ids}-01-later-fields")).is_ok());
        for bad in [format!("00-{ids}-01-extra"), format!("ff-{ids}-01"), format!("zz-{ids}-01"), format!("0-{ids}-01")]
        {
            assert!(parse_traceparent(&bad).is_err(), "{bad}");
        }
        assert!(parse_traceparent(&format!("00-{ids}-0g")).is_err());
    }

    proptest! {
        #[test]
        fn any_text_is_parsed_or_refused_without_panicking(header in any::<String>()) {
            let _ = parse_traceparent(&header);
        }

        #[test]
        fn mutated_headers_are_parsed_or_refused_without_panicking(
            position in 0usize..55,
            byte in any::<u8>(),
            cut in 0usize..60,
        ) {
            let mut header = b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_vec();
            header[position] = byte;
            header.truncate(cut);
            let _ = parse_traceparent(&String::from_utf8_lossy(&header));
        }

        #[test]
        fn generated_valid_headers_round_trip(trace in any::<u128>(), parent in any::<u64>(), flags in any::<u8>()) {
            prop_assume!(trace != 0 && parent != 0);
            let header = format!("00-{trace:032x}-{parent:016x}-{flags:02x}");
            let (trace_id, parent_id) = parse_traceparent(&header).unwrap();
            prop_assert_eq!(trace_id.to_string(), format!("{trace:032x}"));
            prop_assert_eq!(parent_id.to_string(), format!("{parent:016x}"));
        }
    }
}
