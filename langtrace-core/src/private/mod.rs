//! Runtime support for the code `#[observe]` generates, laid out as the expansion is:
//! argument and result capture, the observation around a call, futures, and streams
//! and iterators. Not a public API: names and signatures change with the macro.

mod capture;
mod future;
mod observation;
mod sequence;

pub use capture::{
    input_object, Capture, Captured, ErrViaDebug, ErrViaDisplay, ErrViaPlaceholder, ErrorMessage, InputObject,
    ViaDebug, ViaPlaceholder, ViaSerialize, WriteJson,
};
pub use future::ObservedFuture;
pub use observation::{observe_sync, Finisher, InputSink, Observation};
pub use sequence::{ItemCapture, NoCapture, ObservedIter, ObservedStream};
pub use serde_json::Value as JsonValue;
pub use tracing;
