//! A provider's event stream with a bound on what it may send without completing an
//! event: the event-stream parser keeps every byte up to the end of an event and scans
//! them again for a line end each time more arrive, so a provider sending garbage without
//! event ends would make it grow, and its scans cost more and more, until the call's
//! timeout. Past [`MAX_PENDING_BYTES`] the body is no longer read and the answer fails
//! with a 502 saying so.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures_util::{future, stream, Stream, StreamExt};

use super::{DeltaStream, ProviderError};

/// Most bytes a provider may send between two events: 1 MiB, far above a streamed
/// chunk (a few hundred bytes; a tool call's arguments sent in one chunk, some KiB), low
/// enough that the parser's repeated scans stay cheap.
pub const MAX_PENDING_BYTES: usize = 1 << 20;

/// What was read since the last event, and whether the bound stopped the reading.
#[derive(Default)]
pub struct Bound {
    pending: AtomicUsize,
    exceeded: AtomicBool,
}

/// The events of `response`'s body, read while less than [`MAX_PENDING_BYTES`] wait for
/// the end of an event; the bound, for [`checked`].
pub fn events(
    response: reqwest::Response,
) -> (impl Stream<Item = Result<Event, EventStreamError<reqwest::Error>>> + Send + 'static, Arc<Bound>) {
    let bound = Arc::new(Bound::default());
    let reading = Arc::clone(&bound);
    let bytes = response.bytes_stream().take_while(move |chunk| {
        let size = chunk.as_ref().map_or(0, |bytes| bytes.len());
        let within = reading.pending.fetch_add(size, Ordering::Relaxed) + size <= MAX_PENDING_BYTES;
        if !within {
            reading.exceeded.store(true, Ordering::Relaxed);
        }
        future::ready(within)
    });
    let parsed = Arc::clone(&bound);
    let events = bytes.eventsource().inspect(move |event| {
        if event.is_ok() {
            parsed.pending.store(0, Ordering::Relaxed);
        }
    });
    (events, bound)
}

/// `deltas`, then a 502 if the bound stopped the reading of their body.
pub fn checked(deltas: DeltaStream, bound: Arc<Bound>) -> DeltaStream {
    let verdict = stream::once(async move { bound.exceeded.load(Ordering::Relaxed) }).filter_map(|exceeded| {
        future::ready(exceeded.then(|| {
            Err(ProviderError::gateway(
                502,
                format!("the provider sent more than {} MiB without completing an event", MAX_PENDING_BYTES >> 20),
            ))
        }))
    });
    Box::pin(deltas.chain(verdict))
}
