//! The async-fn expansion: a future inside its observation.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::observation::{Finisher, Observation};

pin_project_lite::pin_project! {
    /// A future inside its observation: the span is entered on every poll, a panic is
    /// recorded and continued, and the observation ends when the future completes.
    pub struct ObservedFuture<F, C> {
        #[pin]
        future: F,
        observation: Observation,
        on_ready: Option<C>,
    }
}

impl<F, C> ObservedFuture<F, C>
where
    F: Future,
    C: FnOnce(&mut Finisher<'_>, &F::Output),
{
    /// Wraps `future`; `on_ready` reports its output.
    pub fn new(observation: Observation, future: F, on_ready: C) -> Self {
        Self { future, observation, on_ready: Some(on_ready) }
    }
}

impl<F, C> Future for ObservedFuture<F, C>
where
    F: Future,
    C: FnOnce(&mut Finisher<'_>, &F::Output),
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        if this.observation.is_disabled() {
            return this.future.poll(cx);
        }
        match this.observation.call(|| this.future.as_mut().poll(cx)) {
            Ok(Poll::Ready(output)) => {
                if let Some(on_ready) = this.on_ready.take() {
                    this.observation.finish(|finisher| on_ready(finisher, &output));
                }
                Poll::Ready(output)
            }
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => this.observation.finish_panic(payload),
        }
    }
}
