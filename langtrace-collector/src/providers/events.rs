//! A provider's server-sent events read into [`Delta`]s by an adapter's parser: each
//! event gives some deltas or says the stream is over; a transport failure (timeout, cut
//! connection) or an unreadable event ends the stream with its [`ProviderError`].

use std::collections::VecDeque;

use eventsource_stream::{Event, EventStreamError};
use futures_util::{Stream, StreamExt};

use super::{Delta, DeltaStream, ProviderError};

/// What an adapter makes of one event: deltas, or `None` at the end of the answer.
pub type Parsed = Result<Option<Vec<Delta>>, ProviderError>;

/// The deltas `parse` reads from `events`.
pub fn deltas(
    events: impl Stream<Item = Result<Event, EventStreamError<reqwest::Error>>> + Send + 'static,
    parse: impl FnMut(&Event) -> Parsed + Send + 'static,
) -> DeltaStream {
    let state = (Box::pin(events), parse, VecDeque::new(), false);
    Box::pin(futures_util::stream::unfold(state, |(mut events, mut parse, mut pending, mut over)| async move {
        loop {
            if let Some(delta) = pending.pop_front() {
                return Some((Ok(delta), (events, parse, pending, over)));
            }
            if over {
                return None;
            }
            let failure = match events.next().await {
                None => return None,
                Some(Ok(event)) => match parse(&event) {
                    Ok(Some(deltas)) => {
                        pending.extend(deltas);
                        continue;
                    }
                    Ok(None) => {
                        over = true;
                        continue;
                    }
                    Err(error) => error,
                },
                Some(Err(EventStreamError::Transport(error))) => ProviderError::transport(&error),
                Some(Err(error)) => {
                    ProviderError::gateway(502, format!("the provider's stream is unreadable: {error}"))
                }
            };
            over = true;
            return Some((Err(failure), (events, parse, pending, over)));
        }
    }))
}
