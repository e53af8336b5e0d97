//! Shared harness of the integration tests: a real `LangtraceLayer` in a real `tracing`
//! subscriber, delivering through the real pipeline into a `MemorySink`.
#![allow(dead_code)]

pub mod mock_ollama;
pub mod mock_openai;
#[cfg(feature = "test-rig")]
pub mod weather;

use std::future::Future;
use std::time::Duration;

use langtrace_core::{LangtraceGuard, LangtraceLayer, MemorySink, ObservationRecord};
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt;

/// A subscriber with the langtrace layer and a memory sink.
pub struct Harness {
    sink: MemorySink,
    guard: LangtraceGuard,
    dispatch: Dispatch,
}

impl Harness {
    /// Default settings, environment ignored.
    pub fn new() -> Self {
        let sink = MemorySink::new();
        let (layer, guard) = LangtraceLayer::builder().ignore_env().sink(sink.clone()).build().expect("valid settings");
        let dispatch = Dispatch::new(tracing_subscriber::registry().with(layer));
        Self { sink, guard, dispatch }
    }

    /// Runs a future to completion on a current-thread runtime with this subscriber, so
    /// the client, the mock server and the spans share one thread.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        tracing::dispatcher::with_default(&self.dispatch, || runtime.block_on(future))
    }

    /// Flushes the pipeline and returns the finished observations.
    pub fn observations(&self) -> Vec<ObservationRecord> {
        self.guard.flush(Duration::from_secs(10)).expect("flush");
        self.sink.observations()
    }
}
