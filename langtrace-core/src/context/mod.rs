//! The context API: update the current observation or trace from inside instrumented
//! code, propagate trace attributes to everything opened in a scope, start traces with
//! chosen ids, read ids, record events, and carry the current observation across
//! threads and tasks.
//!
//! Every call is a no-op (and does no serialization work) when the code is not inside
//! a recorded observation: no layer, sampled out, or tracing disabled.

use serde::Serialize;
use serde_json::Value;
use tracing::Span;

use crate::layer::span_state::SpanState;
use crate::layer::{Find, LayerContext};

mod event;
mod observation;
mod propagation;
mod scope;
mod score;
mod trace;

pub use event::{event, EventBuilder};
pub use observation::{current_observation, current_observation_id, ObservationHandle};
pub use propagation::{spawn_thread, ObservationContext};
pub use scope::Scope;
pub use trace::{current_trace, current_trace_id, TraceHandle};

pub use crate::record::{Cost, Details, Score, ScoreValue, Usage};

/// Runs `f` on the state `find` selects from `span`, if the langtrace layer is present.
pub(crate) fn with_state<R>(span: &Span, find: Find, f: impl FnOnce(&mut SpanState, &LayerContext) -> R) -> Option<R> {
    span.with_subscriber(|(id, dispatch)| {
        let context = dispatch.downcast_ref::<LayerContext>()?;
        let mut f = Some(f);
        let mut out = None;
        context.with_span(dispatch, id, find, &mut |state| {
            if let Some(f) = f.take() {
                out = Some(f(state, context));
            }
        });
        out
    })
    .flatten()
}

/// Serializes a value for the record; values that fail to serialize (or panic doing
/// so) become a string saying why, so instrumentation never fails the application.
pub(crate) fn to_json(value: impl Serialize) -> Value {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| serde_json::to_value(value))) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => Value::String(format!("<unserializable: {error}>")),
        Err(_) => Value::String("<unserializable: it panicked>".to_owned()),
    }
}
