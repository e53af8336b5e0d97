//! Time: [`Timestamp`], the wall-clock time records carry, and [`Tick`], the raw clock
//! reading the hot path takes and turns into a timestamp later.

use std::cell::Cell;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// A point in time as nanoseconds since the Unix epoch (the OTLP representation).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

/// How long a thread reuses one TSC-to-wall-clock anchor; renewing it bounds the drift
/// of the TSC against the (NTP-disciplined) system clock.
const ANCHOR_LIFETIME: Duration = Duration::from_secs(1);

thread_local! {
    /// This thread's anchor and the wall-clock nanoseconds it was made at.
    static ANCHOR: Cell<Option<(minstant::Anchor, u64)>> = const { Cell::new(None) };
}

/// A raw reading of the TSC: what the hot path stores (a few ns to take), turned into a
/// [`Timestamp`] later, off the application's thread.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tick(minstant::Instant);

impl Tick {
    /// Reads the clock.
    #[inline]
    pub fn now() -> Self {
        Self(minstant::Instant::now())
    }

    /// The wall-clock time of this reading, through this thread's anchor (renewed every
    /// [`ANCHOR_LIFETIME`], which bounds the drift of the TSC against the system clock).
    pub fn to_timestamp(self) -> Timestamp {
        ANCHOR.with(|cell| {
            if let Some((anchor, made)) = cell.get() {
                let nanos = self.0.as_unix_nanos(&anchor);
                if nanos.abs_diff(made) < ANCHOR_LIFETIME.as_nanos() as u64 {
                    return Timestamp(nanos);
                }
            }
            let anchor = minstant::Anchor::new();
            let made = minstant::Instant::now().as_unix_nanos(&anchor);
            cell.set(Some((anchor, made)));
            Timestamp(self.0.as_unix_nanos(&anchor))
        })
    }
}

impl Timestamp {
    /// The current wall-clock time, read from the TSC (falls back to the system clock
    /// where the TSC is unusable).
    pub fn now() -> Self {
        Tick::now().to_timestamp()
    }

    /// Time elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn duration_since(self, earlier: Timestamp) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }

    /// ISO-8601 / RFC 3339 text in UTC with nanoseconds, as Langfuse's attributes carry it.
    pub fn to_rfc3339(self) -> String {
        humantime::format_rfc3339_nanos(self.to_system_time()).to_string()
    }

    /// RFC 3339 with microseconds (`2024-05-01T12:00:00.123456Z`), the precision
    /// JavaScript and Python readers parse.
    pub fn to_rfc3339_micros(self) -> String {
        humantime::format_rfc3339_micros(self.to_system_time()).to_string()
    }

    /// RFC 3339 with milliseconds (`2024-05-01T12:00:00.123Z`), as Langfuse's API writes
    /// times.
    pub fn to_rfc3339_millis(self) -> String {
        humantime::format_rfc3339_millis(self.to_system_time()).to_string()
    }

    /// As a `SystemTime`.
    pub fn to_system_time(self) -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(self.0)
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
        Self(since_epoch.as_secs().saturating_mul(1_000_000_000).saturating_add(u64::from(since_epoch.subsec_nanos())))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_format_as_rfc3339() {
        assert_eq!(Timestamp(1_700_000_000_123_456_789).to_rfc3339(), "2023-11-14T22:13:20.123456789Z");
    }
}
