//! What the delivery loop last saw of the upstream, shared with the status routes: when
//! it last accepted a batch, the last error (cleared by a success), and whether this
//! collector is the one delivering. The counts live in the store
//! ([`super::outbox::totals`]).

use std::sync::Mutex;

/// The upstream's last success and error; shared by the delivery loop and the routes.
#[derive(Debug, Default)]
pub struct Live {
    inner: Mutex<Seen>,
}

/// A copy of [`Live`] at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    /// When a batch was last delivered (ns since the epoch).
    pub last_success_ns: Option<i64>,
    /// The last failure since then (its status or transport error).
    pub last_error: Option<String>,
    /// Whether this collector delivers (of those sharing a database, one does).
    pub delivering: bool,
}

impl Live {
    /// A batch was delivered at `now_ns`.
    pub fn succeeded(&self, now_ns: i64) {
        let mut seen = self.lock();
        seen.last_success_ns = Some(now_ns);
        seen.last_error = None;
    }

    /// A request failed (to be retried, or refused for good).
    pub fn failed(&self, reason: String) {
        self.lock().last_error = Some(reason);
    }

    /// This collector took (or lost) the delivery, see [`super::leader`].
    pub fn delivering(&self, delivering: bool) {
        self.lock().delivering = delivering;
    }

    /// What was seen so far.
    pub fn seen(&self) -> Seen {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        // A panic while holding this lock cannot leave the two fields inconsistent.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
