//! The bounded, asynchronous delivery between the layer and the sinks: a queue with a
//! fixed capacity (`queue`), one worker thread (`worker`) that processes records
//! (`processor`: defaults, [`mask`], [`media`] extraction, truncation) and hands them to
//! sinks in batches, and the application's [`LangtraceGuard`].

pub(crate) mod guard;
pub mod mask;
pub mod media;
pub(crate) mod processor;
pub(crate) mod queue;
pub(crate) mod truncate;
pub(crate) mod worker;

pub use guard::{FlushError, LangtraceGuard, PipelineStats};
pub use truncate::truncation_marker;
