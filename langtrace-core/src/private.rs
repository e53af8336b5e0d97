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

use crate::layer::{close_with, take_just_opened, Find, LayerContext, Recorded};
use crate::payload::{serialize, JsonBuffer, PayloadSlot};
use crate::process::truncation_marker;
use crate::record::{Level, Payload, Tick, Timestamp};
use crate::span_state::lock;

/// Wraps a borrowed value for autoref-specialised capture:
/// `(&&&Capture(&x)).__lt_capture()` uses `Serialize`, else `Debug`, else a placeholder.
pub struct Capture<'a, T: ?Sized>(pub &'a T);

/// Writes a value as JSON. Object-safe (unlike `Serialize`), so a capture can borrow
/// the value and serialize it later without allocating first.
pub trait WriteJson {
    /// Appends the JSON text of `self` to `out`.
    fn write_json(&self, out: &mut JsonBuffer) -> serde_json::Result<()>;
}

impl<T: Serialize> WriteJson for T {
    fn write_json(&self, out: &mut JsonBuffer) -> serde_json::Result<()> {
        serde_json::to_writer(out, self)
    }
}

/// A captured value, borrowed until it is written.
pub enum Captured<'a> {
    /// Serialized through `Serialize`.
    Serialize(&'a dyn WriteJson),
    /// Recorded as its `Debug` text.
    Debug(&'a dyn Debug),
    /// Neither: a placeholder naming the type.
    Opaque(&'static str),
}

impl Captured<'_> {
    /// Appends the JSON text; a value whose `Serialize` fails becomes a string saying why.
    /// Appends the JSON text; a value whose `Serialize` or `Debug` fails or panics becomes
    /// a string saying so (instrumentation never fails the call it observes).
    fn write(&self, out: &mut JsonBuffer) {
        let start = out.len();
        let written = catch_unwind(AssertUnwindSafe(|| match self {
            Captured::Serialize(value) => value.write_json(out),
            Captured::Debug(value) => serde_json::to_writer(&mut *out, &DebugText(*value)),
            Captured::Opaque(type_name) => serde_json::to_writer(&mut *out, &format!("<unserializable {type_name}>")),
        }));
        let failure = match written {
            Ok(Ok(())) => return,
            Ok(Err(error)) => format!("<unserializable: {error}>"),
            Err(_) => "<unserializable: it panicked>".to_owned(),
        };
        out.truncate(start);
        let _ = serde_json::to_writer(out, &failure);
    }

    fn into_value(self) -> Value {
        let mut slot = PayloadSlot::default();
        slot.write(|out| self.write(out));
        slot.take_captured().into_payload().map_or(Value::Null, Payload::into_value)
    }
}

/// Serializes a `Debug` value as a JSON string without an intermediate `String`.
struct DebugText<'a>(&'a dyn Debug);

impl Serialize for DebugText<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{:?}", self.0))
    }
}

/// Capture through `Serialize` (highest priority).
pub trait ViaSerialize<'a> {
    /// The captured value.
    fn __lt_capture(&self) -> Captured<'a>;
}
impl<'a, T: Serialize> ViaSerialize<'a> for &&Capture<'a, T> {
    fn __lt_capture(&self) -> Captured<'a> {
        Captured::Serialize(self.0)
    }
}

/// Capture through `Debug` (when not `Serialize`).
pub trait ViaDebug<'a> {
    /// The captured value.
    fn __lt_capture(&self) -> Captured<'a>;
}
impl<'a, T: Debug> ViaDebug<'a> for &Capture<'a, T> {
    fn __lt_capture(&self) -> Captured<'a> {
        Captured::Debug(self.0)
    }
}

/// Capture of anything else: a placeholder naming the type.
pub trait ViaPlaceholder {
    /// The captured value.
    fn __lt_capture(&self) -> Captured<'static>;
}
impl<T: ?Sized> ViaPlaceholder for Capture<'_, T> {
    fn __lt_capture(&self) -> Captured<'static> {
        Captured::Opaque(std::any::type_name::<T>())
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

/// The observation `#[observe]` opened: its span, and (when the langtrace layer records
/// it) its shared state, found once so later updates need no lookup.
pub struct Observation {
    // Declared first so it is released before the span closes and the cell can be recycled.
    recorded: Option<Recorded>,
    span: Span,
}

impl Observation {
    /// Wraps `span`, without input.
    #[inline]
    pub fn new(span: Span) -> Self {
        if span.is_disabled() {
            return Self { recorded: None, span };
        }
        Self::lookup(span)
    }

    /// Finds the span's observation: handed over by the layer that just opened it, or
    /// looked up.
    fn lookup(span: Span) -> Self {
        let recorded = span
            .with_subscriber(|(id, dispatch)| {
                let context = dispatch.downcast_ref::<LayerContext>().filter(|context| context.enabled())?;
                take_just_opened(id, context).or_else(|| {
                    let mut recorded = None;
                    context.with_span(dispatch, id, Find::This, &mut |state| recorded = context.recorded(state));
                    Some(recorded)
                })
            })
            .flatten()
            .flatten();
        Self { recorded, span }
    }

    /// Wraps `span` and records `input()` as its input when recorded with capture on.
    #[inline]
    pub fn open<'a, const N: usize>(span: Span, input: impl FnOnce() -> InputObject<'a, N>) -> Self {
        if span.is_disabled() {
            return Self { recorded: None, span };
        }
        Self::open_enabled(span, input)
    }

    /// `open` for a span some subscriber wants: kept out of line, so the disabled path
    /// inlined into every observed fn stays small.
    #[inline(never)]
    fn open_enabled<'a, const N: usize>(span: Span, input: impl FnOnce() -> InputObject<'a, N>) -> Self {
        let observation = Self::lookup(span);
        InputSink { recorded: observation.recorded.as_ref() }.capture(input);
        observation
    }

    /// Runs `f` inside the span.
    pub fn in_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        self.span.in_scope(f)
    }

    /// Ends the observation: runs `report` (the span is no longer entered, so user
    /// `Serialize` impls may trace), stores output, error and end time, then closes the
    /// span unless something else still holds it.
    fn finish(&mut self, report: impl FnOnce(&mut Finisher<'_>)) {
        let Some(recorded) = self.recorded.take() else {
            self.span = Span::none();
            return;
        };
        let trace_record = {
            let mut observation = lock(&recorded.cell);
            let capture_output = recorded.capture.is_some() && !observation.output_explicit;
            let mut finisher = Finisher { output: capture_output.then_some(&mut observation.output), error: None };
            report(&mut finisher);
            let error = finisher.error;
            if let Some(message) = error {
                observation.level = Level::Error;
                observation.status_message = Some(message);
            }
            observation.end = Some(Tick::now());
            observation.close(&recorded.trace)
        };
        close_with(&mut self.span, recorded, trace_record);
    }

    /// Records a panic as ERROR, ends the observation, and continues the panic.
    fn finish_panic(&mut self, payload: Box<dyn Any + Send>) -> ! {
        self.finish(|finisher| finisher.error(panic_message(&*payload)));
        resume_unwind(payload)
    }

    #[inline]
    fn is_disabled(&self) -> bool {
        self.span.is_disabled()
    }

    /// Runs `f` in the span, catching a panic.
    fn call<R>(&self, f: impl FnOnce() -> R) -> std::thread::Result<R> {
        let _entered = self.span.enter();
        catch_unwind(AssertUnwindSafe(f))
    }
}

/// The captured arguments, written as one JSON object when the observation is recorded.
pub struct InputObject<'a, const N: usize>([(&'static str, Captured<'a>); N]);

impl<const N: usize> InputObject<'_, N> {
    fn write(self, out: &mut JsonBuffer) {
        out.push(b'{');
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // Names are Rust identifiers: nothing to escape.
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            value.write(out);
        }
        out.push(b'}');
    }
}

/// The named arguments `#[observe]` captures.
pub fn input_object<'a, const N: usize>(fields: [(&'static str, Captured<'a>); N]) -> InputObject<'a, N> {
    InputObject(fields)
}

/// What the code after an observed call reports: its output or its error.
pub struct Finisher<'p> {
    /// Where the output goes; `None` when output capture is off.
    output: Option<&'p mut PayloadSlot>,
    error: Option<String>,
}

impl Finisher<'_> {
    /// Records the output; `build` runs only when output capture is on.
    pub fn output<'a>(&mut self, build: impl FnOnce() -> Captured<'a>) {
        if let Some(slot) = self.output.as_deref_mut() {
            slot.write(|out| build().write(out));
        }
    }

    fn output_value(&mut self, value: Value) {
        if let Some(slot) = self.output.as_deref_mut() {
            slot.set(value);
        }
    }

    /// Sets level ERROR with this status message.
    pub fn error(&mut self, message: String) {
        self.error = Some(message);
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("non-string panic payload");
    format!("panicked: {message}")
}

/// Where a sync fn's body records its input, first thing: nothing happens when the
/// observation is not recorded, and the input is serialized without holding any lock
/// (the span is entered, so user `Serialize` impls may update this observation).
pub struct InputSink<'o> {
    recorded: Option<&'o Recorded>,
}

impl InputSink<'_> {
    /// Records `input()` as the observation's input when it is recorded with capture on.
    #[inline]
    pub fn capture<'a, const N: usize>(&mut self, input: impl FnOnce() -> InputObject<'a, N>) {
        if let Some(recorded) = self.recorded.filter(|recorded| recorded.capture.is_some()) {
            serialize(
                |out| input().write(out),
                |text| {
                    let mut state = lock(&recorded.cell);
                    if !state.input.is_set() {
                        state.input.set_text(text);
                    }
                },
            );
        }
    }
}

/// Runs a sync fn body inside the observation of `span`.
#[inline]
pub fn observe_sync<R>(
    span: Span,
    body: impl FnOnce(&mut InputSink<'_>) -> R,
    on_return: impl FnOnce(&mut Finisher<'_>, &R),
) -> R {
    if span.is_disabled() {
        return body(&mut InputSink { recorded: None });
    }
    observe_sync_enabled(span, body, on_return)
}

/// `observe_sync` for a span some subscriber wants, kept out of line so the disabled
/// path inlined into every observed fn stays small.
#[inline(never)]
fn observe_sync_enabled<R>(
    span: Span,
    body: impl FnOnce(&mut InputSink<'_>) -> R,
    on_return: impl FnOnce(&mut Finisher<'_>, &R),
) -> R {
    let mut observation = Observation::lookup(span);
    let result = {
        let mut sink = InputSink { recorded: observation.recorded.as_ref() };
        observation.call(|| body(&mut sink))
    };
    match result {
        Ok(ret) => {
            observation.finish(|finisher| on_return(finisher, &ret));
            ret
        }
        Err(payload) => observation.finish_panic(payload),
    }
}

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
