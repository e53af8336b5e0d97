//! Waiting between failed deliveries: exponential back-off with jitter, reset by a
//! success, and the upstream's `Retry-After` (seconds or an HTTP date) honoured when it
//! asks for longer, up to [`MAX_RETRY_AFTER`]. Small and typed here: no back-off crate is
//! in the dependency tree, and the forwarder needs only this.

use std::time::{Duration, SystemTime};

/// The first wait after a failure.
const FIRST: Duration = Duration::from_millis(250);

/// The longest wait the back-off itself chooses.
const LONGEST: Duration = Duration::from_secs(30);

/// The longest `Retry-After` honoured: an upstream cannot stall forwarding for longer.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

/// The back-off state: failures in a row.
#[derive(Debug, Default)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// After a success: the next failure waits [`FIRST`] again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// The wait after one more failure: between half and all of `FIRST * 2^failures`
    /// (capped at [`LONGEST`]), or `retry_after` if longer (capped at [`MAX_RETRY_AFTER`]).
    pub fn next(&mut self, retry_after: Option<Duration>) -> Duration {
        let ceiling = FIRST.saturating_mul(1 << self.failures.min(16)).min(LONGEST);
        self.failures = self.failures.saturating_add(1);
        let jittered = ceiling / 2 + ceiling.mul_f64(random_fraction() / 2.0);
        retry_after.map_or(jittered, |asked| asked.min(MAX_RETRY_AFTER).max(jittered))
    }
}

/// A fraction in [0, 1) (0 if the system has no randomness to give).
fn random_fraction() -> f64 {
    getrandom::u32().map_or(0.0, |bits| f64::from(bits) / (f64::from(u32::MAX) + 1.0))
}

/// A `Retry-After` value: delay seconds, or an HTTP date (the time until it, zero if
/// past); `None` if it is neither.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_with_jitter_up_to_the_ceiling_and_reset() {
        let mut backoff = Backoff::default();
        for failure in 0..12u32 {
            let ceiling = FIRST.saturating_mul(1 << failure).min(LONGEST);
            let wait = backoff.next(None);
            assert!(wait >= ceiling / 2 && wait <= ceiling, "failure {failure}: {wait:?} for {ceiling:?}");
        }
        backoff.reset();
        assert!(backoff.next(None) <= FIRST);
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let mut backoff = Backoff::default();
        assert_eq!(backoff.next(Some(Duration::from_secs(7))), Duration::from_secs(7));
        assert_eq!(backoff.next(Some(Duration::from_secs(86_400))), MAX_RETRY_AFTER);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(90)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
