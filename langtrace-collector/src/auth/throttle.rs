//! The failed-authentication limit: at most `limit` failures per minute from one client
//! address (IPv6 by /64, the block one host usually holds) and for one stored key; past
//! it, every attempt from that address or with that key is refused (429 + `Retry-After`)
//! until the minute that started with the first failure is over, the right secret
//! included, so guessing gets no answer at all. Only failures count. Memory is bounded:
//! each table tracks at most [`TRACKED`] subjects, expired windows are dropped first,
//! then the oldest.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long failures count.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Subjects tracked per table at most.
pub const TRACKED: usize = 4096;

/// Failures in the current window of one subject.
#[derive(Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// Failure windows by subject, at most [`TRACKED`].
struct Counters<K> {
    windows: HashMap<K, Window>,
}

impl<K: Hash + Eq + Clone> Counters<K> {
    fn new() -> Self {
        Self { windows: HashMap::new() }
    }

    /// How long `subject` stays refused, if it has reached `limit`.
    fn refused_for(&self, subject: &K, limit: u32, now: Instant) -> Option<Duration> {
        let window = self.windows.get(subject)?;
        let ends = window.started + WINDOW;
        (window.failures >= limit && ends > now).then(|| ends - now)
    }

    fn record(&mut self, subject: &K, now: Instant) {
        if let Some(window) = self.windows.get_mut(subject) {
            if now.saturating_duration_since(window.started) < WINDOW {
                window.failures = window.failures.saturating_add(1);
            } else {
                *window = Window { started: now, failures: 1 };
            }
            return;
        }
        if self.windows.len() >= TRACKED {
            self.windows.retain(|_, window| now.saturating_duration_since(window.started) < WINDOW);
        }
        if self.windows.len() >= TRACKED {
            let oldest = self.windows.iter().min_by_key(|(_, window)| window.started).map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                self.windows.remove(&oldest);
            }
        }
        self.windows.insert(subject.clone(), Window { started: now, failures: 1 });
    }
}

/// Failed authentications per client address and per key; `limit` 0 turns it off.
pub struct FailureLimit {
    limit: u32,
    clients: Mutex<Counters<IpAddr>>,
    keys: Mutex<Counters<String>>,
}

impl FailureLimit {
    /// At most `limit` failures per [`WINDOW`] per client and per key (0: no limit).
    pub fn new(limit: u32) -> Self {
        Self { limit, clients: Mutex::new(Counters::new()), keys: Mutex::new(Counters::new()) }
    }

    /// Refused with the time left when `client` or `public_key` has reached the limit.
    pub fn check(&self, client: Option<IpAddr>, public_key: Option<&str>, now: Instant) -> Result<(), Duration> {
        if self.limit == 0 {
            return Ok(());
        }
        let by_client = client.and_then(|ip| {
            self.clients.lock().unwrap_or_else(PoisonError::into_inner).refused_for(&block(ip), self.limit, now)
        });
        let by_key = public_key.and_then(|key| {
            self.keys.lock().unwrap_or_else(PoisonError::into_inner).refused_for(&key.to_owned(), self.limit, now)
        });
        match by_client.max(by_key) {
            // Whole seconds, rounded up: what `Retry-After` can say.
            Some(left) => Err(Duration::from_secs((left.as_secs_f64().ceil() as u64).max(1))),
            None => Ok(()),
        }
    }

    /// Counts a failure of `client` and, when it names a stored key, of `public_key`.
    pub fn record(&self, client: Option<IpAddr>, public_key: Option<&str>, now: Instant) {
        if self.limit == 0 {
            return;
        }
        if let Some(ip) = client {
            self.clients.lock().unwrap_or_else(PoisonError::into_inner).record(&block(ip), now);
        }
        if let Some(key) = public_key {
            self.keys.lock().unwrap_or_else(PoisonError::into_inner).record(&key.to_owned(), now);
        }
    }
}

/// The subject an address counts as: itself for IPv4 (IPv4-mapped IPv6 included), its
/// /64 for IPv6.
fn block(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_over_the_limit_waits_out_the_window() {
        let limit = FailureLimit::new(2);
        let now = Instant::now();
        let client = Some(IpAddr::from([192, 0, 2, 1]));
        limit.record(client, None, now);
        assert!(limit.check(client, None, now).is_ok());
        limit.record(client, None, now);
        assert_eq!(limit.check(client, None, now + Duration::from_secs(20)), Err(Duration::from_secs(40)));
        assert!(limit.check(Some(IpAddr::from([192, 0, 2, 2])), None, now).is_ok(), "other clients pass");
        assert!(limit.check(client, None, now + WINDOW).is_ok());
    }

    #[test]
    fn ipv6_counts_by_64_block() {
        let limit = FailureLimit::new(1);
        let now = Instant::now();
        limit.record(Some("2001:db8::1".parse().unwrap()), None, now);
        assert!(limit.check(Some("2001:db8::ffff:1".parse().unwrap()), None, now).is_err());
        assert!(limit.check(Some("2001:db8:0:1::1".parse().unwrap()), None, now).is_ok());
    }

    #[test]
    fn the_tables_stay_bounded() {
        let limit = FailureLimit::new(1);
        let now = Instant::now();
        for n in 0..(TRACKED as u32 + 100) {
            limit.record(Some(IpAddr::from(n.to_be_bytes())), Some(&format!("pk-{n}")), now);
        }
        assert_eq!(limit.clients.lock().unwrap().windows.len(), TRACKED);
        assert_eq!(limit.keys.lock().unwrap().windows.len(), TRACKED);
        let newest = Some(IpAddr::from((TRACKED as u32 + 99).to_be_bytes()));
        assert!(limit.check(newest, None, now).is_err(), "the newest subject is tracked");
    }

    #[test]
    fn zero_turns_the_limit_off() {
        let limit = FailureLimit::new(0);
        let now = Instant::now();
        let client = Some(IpAddr::from([192, 0, 2, 1]));
        limit.record(client, Some("pk"), now);
        assert!(limit.check(client, Some("pk"), now).is_ok());
    }
}
