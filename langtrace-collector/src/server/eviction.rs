//! Making room at the connection cap: HTTP connections that wait for a request head (just
//! accepted, or kept alive after their last answer) can be closed to admit a new one.
//! At the cap, the connection that has waited longest is closed, so clients holding
//! sockets with half-sent heads cannot keep fresh requests out until the header-read
//! timeout frees them; an idle keep-alive client closed this way simply reconnects.
//! gRPC connections (HTTP/2, long-lived by design) are never evicted.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use futures_util::task::AtomicWaker;
use tokio::time::Instant;

/// `waiting_since` of a connection busy with a request.
const BUSY: u64 = u64::MAX;

/// Whether one HTTP connection waits for a request head, and whether it was evicted.
pub struct HeadWait {
    /// Milliseconds since the registry's epoch at which it began to wait, or [`BUSY`].
    waiting_since: AtomicU64,
    evicted: AtomicBool,
    /// Woken on eviction, so a read pending on the socket fails at once.
    waker: AtomicWaker,
    epoch: Instant,
}

impl HeadWait {
    /// Whether the connection was closed to make room: its reads and writes fail.
    /// Registers `waker` to be woken on eviction.
    pub fn evicted(&self, waker: &std::task::Waker) -> bool {
        self.waker.register(waker);
        self.evicted.load(Ordering::Acquire)
    }

    /// Marks the connection busy until the returned guard is dropped (its request
    /// answered), when it waits for a head again.
    pub fn busy(self: &Arc<Self>) -> Busy {
        self.waiting_since.store(BUSY, Ordering::Release);
        Busy(Arc::clone(self))
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }
}

/// A request in flight on a connection; see [`HeadWait::busy`].
pub struct Busy(Arc<HeadWait>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.waiting_since.store(self.0.now(), Ordering::Release);
    }
}

/// Every open HTTP connection's [`HeadWait`], shared by the cap.
#[derive(Clone)]
pub struct Evictable {
    connections: Arc<Mutex<Vec<Weak<HeadWait>>>>,
    epoch: Instant,
}

impl Evictable {
    /// No connection yet.
    pub fn new() -> Self {
        Self { connections: Arc::default(), epoch: Instant::now() }
    }

    /// Registers a connection just accepted (waiting for its first head).
    pub fn register(&self) -> Arc<HeadWait> {
        let wait = Arc::new(HeadWait {
            waiting_since: AtomicU64::new(self.epoch.elapsed().as_millis() as u64),
            evicted: AtomicBool::new(false),
            waker: AtomicWaker::new(),
            epoch: self.epoch,
        });
        let mut connections = self.lock();
        if connections.len() == connections.capacity() {
            connections.retain(|connection| connection.strong_count() > 0);
        }
        connections.push(Arc::downgrade(&wait));
        wait
    }

    /// Closes the connection that has waited longest for a request head, if any does;
    /// whether one was.
    pub fn evict_longest_waiting(&self) -> bool {
        let mut connections = self.lock();
        connections.retain(|connection| connection.strong_count() > 0);
        let longest = connections
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|wait| !wait.evicted.load(Ordering::Acquire))
            .filter(|wait| wait.waiting_since.load(Ordering::Acquire) != BUSY)
            .min_by_key(|wait| wait.waiting_since.load(Ordering::Acquire));
        let Some(wait) = longest else { return false };
        wait.evicted.store(true, Ordering::Release);
        wait.waker.wake();
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Weak<HeadWait>>> {
        self.connections.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::task::Waker;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_connection_waiting_longest_goes_first_and_busy_ones_never() {
        let evictable = Evictable::new();
        let first = evictable.register();
        tokio::time::advance(std::time::Duration::from_millis(5)).await;
        let second = evictable.register();
        let busy = first.busy();
        tokio::time::advance(std::time::Duration::from_millis(5)).await;
        let third = evictable.register();

        // `first` is busy: `second` has waited longest.
        assert!(evictable.evict_longest_waiting());
        let evicted = |wait: &Arc<HeadWait>| wait.evicted(Waker::noop());
        assert_eq!((evicted(&first), evicted(&second), evicted(&third)), (false, true, false));
        // Done with its request, `first` waits again, since after `third` began to.
        tokio::time::advance(std::time::Duration::from_millis(5)).await;
        drop(busy);
        assert!(evictable.evict_longest_waiting());
        assert!(evicted(&third) && !evicted(&first));
        assert!(evictable.evict_longest_waiting() && evicted(&first));
        assert!(!evictable.evict_longest_waiting(), "none left to evict");
    }
}
