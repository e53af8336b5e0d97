//! Waiting between failed deliveries: `backon`'s exponential back-off with jitter, reset
//! by a success, and the upstream's `Retry-After` (seconds or an HTTP date) honoured when
//! it asks for longer, up to [`MAX_RETRY_AFTER`].

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};

/// The first wait after a failure is between half of this and all of it.
const FIRST: Duration = Duration::from_millis(250);

/// The longest wait the back-off itself chooses.
const LONGEST: Duration = Duration::from_secs(30);

/// The longest `Retry-After` honoured: an upstream cannot stall forwarding for longer.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

/// The back-off state: where the schedule stands after the failures in a row.
#[derive(Debug)]
pub struct Backoff {
    schedule: ExponentialBackoff,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { schedule: schedule() }
    }
}

/// Doubling from `FIRST / 2` to `LONGEST / 2`, plus a jitter of up to as much again,
/// without end: the wait after failure `n` lies in `[c / 2, c)` for
/// `c = min(FIRST * 2^n, LONGEST)`.
fn schedule() -> ExponentialBackoff {
    ExponentialBuilder::default()
        .with_min_delay(FIRST / 2)
        .with_max_delay(LONGEST / 2)
        .with_factor(2.0)
        .with_jitter()
        .without_max_times()
        .build()
}

impl Backoff {
    /// After a success: the next failure waits about [`FIRST`] again.
    pub fn reset(&mut self) {
        self.schedule = schedule();
    }

    /// The wait after one more failure, or `retry_after` if longer (capped at
    /// [`MAX_RETRY_AFTER`]).
    pub fn next(&mut self, retry_after: Option<Duration>) -> Duration {
        let jittered = self.schedule.next().unwrap_or(LONGEST);
        retry_after.map_or(jittered, |asked| asked.min(MAX_RETRY_AFTER).max(jittered))
    }
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
