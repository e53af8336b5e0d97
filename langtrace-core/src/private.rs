//! Runtime support for the code `#[observe]` generates. Not a public API: names and
//! signatures change with the macro.

use std::any::Any;
use std::fmt::{Debug, Display};
use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use serde::Serialize;
use serde_json::Value;
use tracing::Span;

pub use serde_json::Value as JsonValue;
pub use tracing;

use crate::context::with_state;
use crate::layer::Find;
use crate::process::truncation_marker;
use crate::record::{Level, Timestamp};

/// Wraps a borrowed value for autoref-specialised capture:
/// `(&&&Capture(&x)).__lt_capture()` uses `Serialize`, else `Debug`, else a placeholder.
pub struct Capture<'a, T: ?Sized>(pub &'a T);

/// Capture through `Serialize` (highest priority).
pub trait ViaSerialize {
    /// The captured value.
    fn __lt_capture(&self) -> Value;
}
impl<T: Serialize + ?Sized> ViaSerialize for &&Capture<'_, T> {
    fn __lt_capture(&self) -> Value {
        crate::context::to_json(self.0)
    }
}

/// Capture through `Debug` (when not `Serialize`).
pub trait ViaDebug {
    /// The captured value.
    fn __lt_capture(&self) -> Value;
}
impl<T: Debug + ?Sized> ViaDebug for &Capture<'_, T> {
    fn __lt_capture(&self) -> Value {
        Value::String(format!("{:?}", self.0))
    }
}

/// Capture of anything else: a placeholder naming the type.
pub trait ViaPlaceholder {
    /// The captured value.
    fn __lt_capture(&self) -> Value;
}
impl<T: ?Sized> ViaPlaceholder for Capture<'_, T> {
    fn __lt_capture(&self) -> Value {
        Value::String(format!("<unserializable {}>", std::any::type_name::<T>()))
    }
}

/// Wraps an error for autoref-specialised messages: `Display`, else `Debug`, else a placeholder.
pub struct ErrorMessage<'a, T: ?Sized>(pub &'a T);

/// Error message through `Display`.
pub trait ErrViaDisplay {
    /// The message.
    fn __lt_message(&self) -> String;
}
impl<T: Display + ?Sized> ErrViaDisplay for &&ErrorMessage<'_, T> {
    fn __lt_message(&self) -> String {
        self.0.to_string()
    }
}

/// Error message through `Debug`.
pub trait ErrViaDebug {
    /// The message.
    fn __lt_message(&self) -> String;
}
impl<T: Debug + ?Sized> ErrViaDebug for &ErrorMessage<'_, T> {
    fn __lt_message(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// Error message of anything else.
pub trait ErrViaPlaceholder {
    /// The message.
    fn __lt_message(&self) -> String;
}
impl<T: ?Sized> ErrViaPlaceholder for ErrorMessage<'_, T> {
    fn __lt_message(&self) -> String {
        format!("error of type {}", std::any::type_name::<T>())
    }
}

/// Whether the span is a recorded observation with I/O capture on; if so, the payload
/// size limit.
fn capture_limit(span: &Span) -> Option<usize> {
    if span.is_disabled() {
        return None;
    }
    with_state(span, Find::This, |state, context| {
        let capture = context.config.capture_io && state.observation.as_ref().is_some_and(|o| !o.output_explicit);
        capture.then_some(context.config.max_payload_bytes)
    })
    .flatten()
}

/// Runs `build` only when the span is recorded with input capture on, and stores its
/// value as the observation's input.
pub fn capture_input(span: &Span, build: impl FnOnce() -> Value) {
    if capture_limit(span).is_none() {
        return;
    }
    let input = build();
    with_state(span, Find::This, |state, _| {
        if let Some(observation) = state.observation.as_deref_mut() {
            observation.input.get_or_insert(input);
        }
    });
}

/// The JSON object of named arguments.
pub fn input_object<const N: usize>(fields: [(&'static str, Value); N]) -> Value {
    Value::Object(fields.into_iter().map(|(name, value)| (name.to_owned(), value)).collect())
}

/// What the code after an observed call reports: its output or its error.
pub struct Finisher {
    capture_output: bool,
    output: Option<Value>,
    error: Option<String>,
}

impl Finisher {
    /// Records the output; `build` runs only when output capture is on.
    pub fn output(&mut self, build: impl FnOnce() -> Value) {
        if self.capture_output {
            self.output = Some(build());
        }
    }

    /// Sets level ERROR with this status message.
    pub fn error(&mut self, message: String) {
        self.error = Some(message);
    }
}

/// Ends the observation of `span`: runs `report` (outside any lock, so user `Serialize`
/// impls may trace), then stores output, error and end time.
fn finish(span: &Span, report: impl FnOnce(&mut Finisher)) {
    let Some(capture_output) = (if span.is_disabled() {
        None
    } else {
        with_state(span, Find::This, |state, context| {
            let observation = state.observation.as_ref()?;
            Some(context.config.capture_io && !observation.output_explicit)
        })
        .flatten()
    }) else {
        return;
    };
    let mut finisher = Finisher { capture_output, output: None, error: None };
    report(&mut finisher);
    let end_time = Timestamp::now();
    with_state(span, Find::This, |state, _| {
        let Some(observation) = state.observation.as_deref_mut() else { return };
        if let Some(output) = finisher.output {
            observation.output = Some(output);
        }
        if let Some(message) = finisher.error {
            observation.level = Level::Error;
            observation.status_message = Some(message);
        }
        observation.end_time = Some(end_time);
    });
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("non-string panic payload");
    format!("panicked: {message}")
}

/// Records a panic as ERROR, ends the observation, and continues the panic.
fn finish_panic(span: &Span, payload: Box<dyn Any + Send>) -> ! {
    finish(span, |finisher| finisher.error(panic_message(&*payload)));
    resume_unwind(payload)
}

/// Runs a sync fn body inside its observation.
#[inline]
pub fn observe_sync<R>(span: Span, body: impl FnOnce() -> R, on_return: impl FnOnce(&mut Finisher, &R)) -> R {
    if span.is_disabled() {
        return body();
    }
    let entered = span.enter();
    let result = catch_unwind(AssertUnwindSafe(body));
    drop(entered);
    match result {
        Ok(ret) => {
            finish(&span, |finisher| on_return(finisher, &ret));
            ret
        }
        Err(payload) => finish_panic(&span, payload),
    }
}

pin_project_lite::pin_project! {
    /// A future inside its observation: the span is entered on every poll, a panic is
    /// recorded and continued, and the observation ends when the future completes.
    pub struct ObservedFuture<F, C> {
        #[pin]
        future: F,
        span: Span,
        on_ready: Option<C>,
    }
}

impl<F, C> ObservedFuture<F, C>
where
    F: Future,
    C: FnOnce(&mut Finisher, &F::Output),
{
    /// Wraps `future`; `on_ready` reports its output.
    pub fn new(span: Span, future: F, on_ready: C) -> Self {
        Self { future, span, on_ready: Some(on_ready) }
    }
}

impl<F, C> Future for ObservedFuture<F, C>
where
    F: Future,
    C: FnOnce(&mut Finisher, &F::Output),
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        if this.span.is_disabled() {
            return this.future.poll(cx);
        }
        let entered = this.span.enter();
        let polled = catch_unwind(AssertUnwindSafe(|| this.future.as_mut().poll(cx)));
        drop(entered);
        match polled {
            Ok(Poll::Ready(output)) => {
                if let Some(on_ready) = this.on_ready.take() {
                    finish(this.span, |finisher| on_ready(finisher, &output));
                }
                // Close the observation now rather than when the future is dropped.
                *this.span = Span::none();
                Poll::Ready(output)
            }
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => finish_panic(&std::mem::replace(this.span, Span::none()), payload),
        }
    }
}

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

impl<T, F: FnMut(&T) -> Value> ItemCapture<T> for F {
    fn capture(&mut self, item: &T) -> Option<Value> {
        Some(self(item))
    }
}

/// Shared bookkeeping of observed streams and iterators.
struct ItemLog {
    /// `Some(limit)` while capturing output.
    limit: Option<usize>,
    items: Vec<Value>,
    bytes: usize,
    truncated: bool,
    first_seen: bool,
}

impl ItemLog {
    fn new(span: &Span) -> Self {
        Self { limit: capture_limit(span), items: Vec::new(), bytes: 0, truncated: false, first_seen: false }
    }

    fn item<T>(&mut self, span: &Span, item: &T, capture: &mut impl ItemCapture<T>) {
        if !self.first_seen {
            self.first_seen = true;
            let now = Timestamp::now();
            with_state(span, Find::This, |state, _| {
                if let Some(observation) = state.observation.as_deref_mut() {
                    observation.completion_start_time.get_or_insert(now);
                }
            });
        }
        let Some(limit) = self.limit else { return };
        if self.bytes > limit {
            self.truncated = true;
            return;
        }
        if let Some(value) = capture.capture(item) {
            self.bytes += value.as_str().map_or(16, str::len);
            self.items.push(value);
        }
    }

    /// Strings concatenate; anything else becomes a list.
    fn output(self) -> Value {
        let marker = self.truncated.then(|| truncation_marker(self.bytes));
        if self.items.iter().all(Value::is_string) {
            let mut text: String = self.items.iter().filter_map(Value::as_str).collect();
            text.extend(marker);
            Value::String(text)
        } else {
            let mut items = self.items;
            items.extend(marker.map(Value::String));
            Value::Array(items)
        }
    }

    fn finish(self, span: &mut Span) {
        if self.limit.is_some() {
            finish(span, |finisher| finisher.output(|| self.output()));
        } else {
            finish(span, |_| {});
        }
        *span = Span::none();
    }
}

pin_project_lite::pin_project! {
    /// A stream inside its observation, which stays open until the stream ends; the
    /// first item's time is the completion start time (time to first token).
    pub struct ObservedStream<S, C> {
        #[pin]
        stream: S,
        span: Span,
        capture: C,
        log: Option<ItemLog>,
    }
}

impl<S: Stream> ObservedStream<S, NoCapture> {
    /// Wraps `stream` without capturing items.
    pub fn new(span: Span, stream: S) -> Self {
        let log = Some(ItemLog::new(&span));
        Self { stream, span, capture: NoCapture, log }
    }
}

impl<S: Stream, C> ObservedStream<S, C> {
    /// Captures each item with `capture` for the output.
    pub fn capture_items<C2: FnMut(&S::Item) -> Value>(self, capture: C2) -> ObservedStream<S, C2> {
        ObservedStream { stream: self.stream, span: self.span, capture, log: self.log }
    }
}

impl<S: Stream, C: ItemCapture<S::Item>> Stream for ObservedStream<S, C> {
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let mut this = self.project();
        if this.span.is_disabled() {
            return this.stream.poll_next(cx);
        }
        let entered = this.span.enter();
        let polled = catch_unwind(AssertUnwindSafe(|| this.stream.as_mut().poll_next(cx)));
        drop(entered);
        match polled {
            Ok(Poll::Ready(Some(item))) => {
                if let Some(log) = this.log.as_mut() {
                    log.item(this.span, &item, this.capture);
                }
                Poll::Ready(Some(item))
            }
            Ok(Poll::Ready(None)) => {
                if let Some(log) = this.log.take() {
                    log.finish(this.span);
                }
                Poll::Ready(None)
            }
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => finish_panic(&std::mem::replace(this.span, Span::none()), payload),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stream.size_hint()
    }
}

/// An iterator inside its observation, like [`ObservedStream`].
pub struct ObservedIter<I, C> {
    iter: I,
    span: Span,
    capture: C,
    log: Option<ItemLog>,
}

impl<I: Iterator> ObservedIter<I, NoCapture> {
    /// Wraps `iter` without capturing items.
    pub fn new(span: Span, iter: I) -> Self {
        let log = Some(ItemLog::new(&span));
        Self { iter, span, capture: NoCapture, log }
    }
}

impl<I: Iterator, C> ObservedIter<I, C> {
    /// Captures each item with `capture` for the output.
    pub fn capture_items<C2: FnMut(&I::Item) -> Value>(self, capture: C2) -> ObservedIter<I, C2> {
        ObservedIter { iter: self.iter, span: self.span, capture, log: self.log }
    }
}

impl<I: Iterator, C: ItemCapture<I::Item>> Iterator for ObservedIter<I, C> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        if self.span.is_disabled() {
            return self.iter.next();
        }
        let entered = self.span.enter();
        let next = catch_unwind(AssertUnwindSafe(|| self.iter.next()));
        drop(entered);
        match next {
            Ok(Some(item)) => {
                if let Some(log) = self.log.as_mut() {
                    log.item(&self.span, &item, &mut self.capture);
                }
                Some(item)
            }
            Ok(None) => {
                if let Some(log) = self.log.take() {
                    log.finish(&mut self.span);
                }
                None
            }
            Err(payload) => finish_panic(&std::mem::replace(&mut self.span, Span::none()), payload),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.iter.size_hint()
    }
}
