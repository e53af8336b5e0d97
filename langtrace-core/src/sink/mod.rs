//! Where records go. A [`Sink`] receives processed records in batches on the pipeline's
//! worker thread; the [`pipeline`](crate::pipeline) sits between the layer and the sinks.

use crate::config::Config;
use crate::record::Record;

pub mod console;
pub mod memory;

/// Why a sink could not take a batch; the pipeline counts its records as failed.
#[derive(Debug, thiserror::Error)]
#[error("sink failed: {0}")]
pub struct SinkError(pub String);

/// A destination for records. Called from one worker thread, never from the
/// instrumented code, so an implementation may block (with its own timeouts).
pub trait Sink: Send + 'static {
    /// Receives the layer's resolved settings once, before the first batch, so a sink
    /// can describe the process (environment, release, version) the way its
    /// destination expects, e.g. as an OTLP resource.
    fn configure(&mut self, config: &Config) {
        let _ = config;
    }

    /// Takes one batch of processed records, in the order they finished.
    fn export(&mut self, batch: &[Record]) -> Result<(), SinkError>;

    /// Sends anything the sink buffers; called when the application flushes.
    fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    /// Releases resources; called once, after the last batch.
    fn shutdown(&mut self) -> Result<(), SinkError> {
        self.flush()
    }
}
