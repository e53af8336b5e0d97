//! One poll of a client's answer stream inside its generation, shared by the
//! integrations' observed streams: they differ only in what they gather from each item.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::generation::GenerationSpan;

/// Polls `inner` in the generation's span while the generation is open: an item marks
/// the first chunk and goes to `gather`, an error item goes to `fail`. The caller
/// finishes the generation when the answer is `Ready(None)`.
pub(crate) fn poll_in_generation<S, T, E>(
    inner: &mut S,
    generation: Option<&mut GenerationSpan>,
    cx: &mut Context<'_>,
    gather: impl FnOnce(&T),
    fail: impl FnOnce(&GenerationSpan, &E),
) -> Poll<Option<Result<T, E>>>
where
    S: Stream<Item = Result<T, E>> + Unpin,
{
    let Some(generation) = generation else { return Pin::new(inner).poll_next(cx) };
    let polled = generation.span().in_scope(|| Pin::new(&mut *inner).poll_next(cx));
    match &polled {
        Poll::Ready(Some(Ok(item))) => {
            generation.first_chunk();
            gather(item);
        }
        Poll::Ready(Some(Err(error))) => fail(generation, error),
        Poll::Ready(None) | Poll::Pending => {}
    }
    polled
}
