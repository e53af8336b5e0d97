//! The observation `#[observe]` opens around a call: finding it once, capturing input,
//! reporting output or error, and closing it; and the sync-fn expansion.

use std::any::Any;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use serde_json::Value;
use tracing::Span;

use super::capture::{Captured, InputObject};
use crate::draft::cell::lock;
use crate::draft::slot::{serialize, PayloadSlot};
use crate::layer::handoff::{close_with, take_just_opened};
use crate::layer::{Find, LayerContext, Recorded};
use crate::record::{Level, Tick};

/// The observation `#[observe]` opened: its span, and (when the langtrace layer records
/// it) its shared state, found once so later updates need no lookup.
pub struct Observation {
    // Declared first so it is released before the span closes and the cell can be recycled.
    pub(super) recorded: Option<Recorded>,
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
    pub(super) fn finish(&mut self, report: impl FnOnce(&mut Finisher<'_>)) {
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
    pub(super) fn finish_panic(&mut self, payload: Box<dyn Any + Send>) -> ! {
        self.finish(|finisher| finisher.error(panic_message(&*payload)));
        resume_unwind(payload)
    }

    #[inline]
    pub(super) fn is_disabled(&self) -> bool {
        self.span.is_disabled()
    }

    /// Runs `f` in the span, catching a panic.
    pub(super) fn call<R>(&self, f: impl FnOnce() -> R) -> std::thread::Result<R> {
        let _entered = self.span.enter();
        catch_unwind(AssertUnwindSafe(f))
    }
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

    /// Records the output as a value, when output capture is on.
    pub(super) fn output_value(&mut self, value: Value) {
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
