//! Retrying reads with [`backon`]: one rule for which failures are worth another try
//! ([`Retryable`]: connection failures, 429 and 5xx) and a [`Retries`] schedule per client.

use std::future::Future;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable as _};

/// Whether a failed request may succeed when sent again.
pub trait Retryable {
    /// True for connection failures, 429 and 5xx; false for any other refusal.
    fn is_retryable(&self) -> bool;
}

/// How many times a failed read is sent again, and how long apart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Retries {
    times: usize,
    first_delay: Duration,
    factor: f32,
}

impl Retries {
    /// `times` retries, `delay` apart.
    pub const fn constant(times: usize, delay: Duration) -> Self {
        Self { times, first_delay: delay, factor: 1.0 }
    }

    /// `times` retries, the first after `first_delay`, each next one twice as late.
    pub const fn doubling(times: usize, first_delay: Duration) -> Self {
        Self { times, first_delay, factor: 2.0 }
    }

    fn schedule(&self) -> ExponentialBuilder {
        ExponentialBuilder::new()
            .with_min_delay(self.first_delay)
            .with_factor(self.factor)
            .with_max_times(self.times)
            .without_max_delay()
    }

    /// The waits before each retry, in order.
    pub fn delays(&self) -> impl Iterator<Item = Duration> {
        backon::BackoffBuilder::build(self.schedule())
    }
}

/// Runs `operation`, then again after each wait of `retries` while it fails with a
/// retryable error; the first success, or the last error.
pub async fn retry<T, E, Fut>(retries: &Retries, operation: impl FnMut() -> Fut) -> Result<T, E>
where
    E: Retryable,
    Fut: Future<Output = Result<T, E>>,
{
    operation.retry(retries.schedule()).when(E::is_retryable).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doubling_schedule_doubles_and_stops_after_its_retries() {
        let delays: Vec<_> = Retries::doubling(2, Duration::from_millis(250)).delays().collect();
        assert_eq!(delays, [Duration::from_millis(250), Duration::from_millis(500)]);
    }

    #[test]
    fn a_constant_schedule_keeps_its_delay() {
        let delays: Vec<_> = Retries::constant(3, Duration::from_millis(100)).delays().collect();
        assert_eq!(delays.len(), 3);
        for delay in delays {
            assert!(delay.abs_diff(Duration::from_millis(100)) < Duration::from_micros(1), "{delay:?}");
        }
        assert_eq!(Retries::constant(0, Duration::from_millis(100)).delays().count(), 0);
    }
}
