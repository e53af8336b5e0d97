//! Streams and iterators inside their observation: items captured for the output, the
//! first item's time as completion start time.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use serde_json::Value;

use super::capture::Captured;
use super::observation::Observation;
use crate::draft::cell::lock;
use crate::pipeline::truncate::truncation_marker;
use crate::record::Timestamp;

/// Captures stream or iterator items for the output; [`NoCapture`] captures nothing.
pub trait ItemCapture<T> {
    /// The captured item, or `None` when not capturing.
    fn capture(&mut self, item: &T) -> Option<Value>;
}

/// Captures no items (`capture_output = false`).
pub struct NoCapture;

impl<T> ItemCapture<T> for NoCapture {
    fn capture(&mut self, _item: &T) -> Option<Value> {
        None
    }
}

impl<T, F: for<'a> FnMut(&'a T) -> Captured<'a>> ItemCapture<T> for F {
    fn capture(&mut self, item: &T) -> Option<Value> {
        Some(self(item).into_value())
    }
}

/// The observation of a stream or iterator, with what its items produced so far.
struct ItemLog {
    observation: Observation,
    items: Vec<Value>,
    bytes: usize,
    truncated: bool,
    first_seen: bool,
}

impl ItemLog {
    fn new(observation: Observation) -> Self {
        Self { observation, items: Vec::new(), bytes: 0, truncated: false, first_seen: false }
    }

    fn item<T>(&mut self, item: &T, capture: &mut impl ItemCapture<T>) {
        let Some(recorded) = &self.observation.recorded else { return };
        if !self.first_seen {
            self.first_seen = true;
            lock(&recorded.cell).completion_start_time.get_or_insert_with(Timestamp::now);
        }
        let Some(limit) = recorded.capture else { return };
        if self.bytes > limit {
            self.truncated = true;
            return;
        }
        if let Some(value) = capture.capture(item) {
            self.bytes += value.as_str().map_or(16, str::len);
            self.items.push(value);
        }
    }

    /// Ends the observation: strings concatenate into the output, anything else is a list.
    fn finish(&mut self) {
        let marker = self.truncated.then(|| truncation_marker(self.bytes));
        let items = std::mem::take(&mut self.items);
        let output = if items.iter().all(Value::is_string) {
            let mut text: String = items.iter().filter_map(Value::as_str).collect();
            text.extend(marker);
            Value::String(text)
        } else {
            let mut items = items;
            items.extend(marker.map(Value::String));
            Value::Array(items)
        };
        self.observation.finish(|finisher| finisher.output_value(output));
    }
}

pin_project_lite::pin_project! {
    /// A stream inside its observation, which stays open until the stream ends; the
    /// first item's time is the completion start time (time to first token).
    pub struct ObservedStream<S, C> {
        #[pin]
        stream: S,
        log: ItemLog,
        capture: C,
    }
}

impl<S: Stream> ObservedStream<S, NoCapture> {
    /// Wraps `stream` without capturing items.
    pub fn new(observation: Observation, stream: S) -> Self {
        Self { stream, log: ItemLog::new(observation), capture: NoCapture }
    }
}

impl<S: Stream, C> ObservedStream<S, C> {
    /// Captures each item with `capture` for the output.
    pub fn capture_items<C2: for<'a> FnMut(&'a S::Item) -> Captured<'a>>(self, capture: C2) -> ObservedStream<S, C2> {
        ObservedStream { stream: self.stream, log: self.log, capture }
    }
}

impl<S: Stream, C: ItemCapture<S::Item>> Stream for ObservedStream<S, C> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let mut this = self.project();
        if this.log.observation.is_disabled() {
            return this.stream.poll_next(cx);
        }
        match this.log.observation.call(|| this.stream.as_mut().poll_next(cx)) {
            Ok(Poll::Ready(Some(item))) => {
                this.log.item(&item, this.capture);
                Poll::Ready(Some(item))
            }
            Ok(Poll::Ready(None)) => {
                this.log.finish();
                Poll::Ready(None)
            }
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => this.log.observation.finish_panic(payload),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stream.size_hint()
    }
}

/// An iterator inside its observation, like [`ObservedStream`].
pub struct ObservedIter<I, C> {
    iter: I,
    log: ItemLog,
    capture: C,
}

impl<I: Iterator> ObservedIter<I, NoCapture> {
    /// Wraps `iter` without capturing items.
    pub fn new(observation: Observation, iter: I) -> Self {
        Self { iter, log: ItemLog::new(observation), capture: NoCapture }
    }
}

impl<I: Iterator, C> ObservedIter<I, C> {
    /// Captures each item with `capture` for the output.
    pub fn capture_items<C2: for<'a> FnMut(&'a I::Item) -> Captured<'a>>(self, capture: C2) -> ObservedIter<I, C2> {
        ObservedIter { iter: self.iter, log: self.log, capture }
    }
}

impl<I: Iterator, C: ItemCapture<I::Item>> Iterator for ObservedIter<I, C> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        if self.log.observation.is_disabled() {
            return self.iter.next();
        }
        let iter = &mut self.iter;
        match self.log.observation.call(|| iter.next()) {
            Ok(Some(item)) => {
                self.log.item(&item, &mut self.capture);
                Some(item)
            }
            Ok(None) => {
                self.log.finish();
                None
            }
            Err(payload) => self.log.observation.finish_panic(payload),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}
