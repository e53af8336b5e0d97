//! Shared harness of the integration tests: a real `LangtraceLayer` in a real
//! `tracing` subscriber, delivering through the real pipeline into a `MemorySink`.
#![allow(dead_code)]

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use langtrace::tracing::Dispatch;
use langtrace::tracing_subscriber::layer::SubscriberExt;
use langtrace::{
    observe, LangtraceBuilder, LangtraceGuard, LangtraceLayer, MemorySink, ObservationRecord, TraceRecord,
};

/// A subscriber with the langtrace layer and a memory sink.
pub struct Harness {
    pub sink: MemorySink,
    pub guard: LangtraceGuard,
    pub dispatch: Dispatch,
}

impl Harness {
    /// Default settings, environment ignored.
    pub fn new() -> Self {
        Self::with(|builder| builder)
    }

    /// Settings adjusted by `configure`, environment ignored unless it sets a lookup.
    pub fn with(configure: impl FnOnce(LangtraceBuilder) -> LangtraceBuilder) -> Self {
        let sink = MemorySink::new();
        let builder = configure(LangtraceLayer::builder().ignore_env().sink(sink.clone()));
        let (layer, guard) = builder.build().expect("valid settings");
        let dispatch = Dispatch::new(langtrace::tracing_subscriber::registry().with(layer));
        Self { sink, guard, dispatch }
    }

    /// Runs `f` with this harness as the thread's subscriber.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        langtrace::tracing::dispatcher::with_default(&self.dispatch, f)
    }

    /// Runs a future to completion on a current-thread runtime with this subscriber.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        self.run(|| runtime.block_on(future))
    }

    /// Flushes the pipeline and returns the finished observations.
    pub fn observations(&self) -> Vec<ObservationRecord> {
        self.guard.flush(Duration::from_secs(10)).expect("flush");
        self.sink.observations()
    }

    /// Flushes the pipeline and returns the finished traces.
    pub fn traces(&self) -> Vec<TraceRecord> {
        self.guard.flush(Duration::from_secs(10)).expect("flush");
        self.sink.traces()
    }

    /// The observation named `name` (flushing first).
    pub fn observation(&self, name: &str) -> ObservationRecord {
        self.observations()
            .into_iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("no observation named {name}"))
    }
}

/// A harness installed as the global default subscriber, for tests whose work runs on
/// threads the test does not control (tokio worker threads, spawned threads).
pub fn global() -> &'static Harness {
    static GLOBAL: OnceLock<Harness> = OnceLock::new();
    GLOBAL.get_or_init(|| {
        let harness = Harness::new();
        langtrace::tracing::dispatcher::set_global_default(harness.dispatch.clone()).expect("first global subscriber");
        harness
    })
}

/// A mask replacing the password `hunter2` anywhere in a value.
pub fn redact(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(text) => Value::String(text.replace("hunter2", "[REDACTED]")),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, redact(v))).collect()),
        other => other,
    }
}

/// Runs `scenario` under a fresh [`Harness`] and returns the finished
/// observations in close order.
pub fn record(scenario: impl FnOnce()) -> Vec<ObservationRecord> {
    let harness = Harness::new();
    harness.run(scenario);
    harness.observations()
}

/// [`record`] for a future, run to completion on a current-thread runtime.
pub fn record_async(scenario: impl Future<Output = ()>) -> Vec<ObservationRecord> {
    let harness = Harness::new();
    harness.block_on(scenario);
    harness.observations()
}

/// The only observation named `name`.
pub fn only<'a>(observations: &'a [ObservationRecord], name: &str) -> &'a ObservationRecord {
    let mut matching = observations.iter().filter(|obs| obs.name == name);
    let found = matching.next().unwrap_or_else(|| panic!("no observation named {name:?} in {observations:#?}"));
    assert!(matching.next().is_none(), "several observations named {name:?}");
    found
}

/// Asserts that `child` is a direct child of `parent`, in the same trace.
pub fn assert_child_of(child: &ObservationRecord, parent: &ObservationRecord) {
    assert_eq!(child.parent_id.as_ref(), Some(&parent.id));
    assert_eq!(child.trace_id, parent.trace_id);
}

/// Neither `Serialize` nor `Debug`: captured as a placeholder.
pub struct Opaque;

/// An observed sync fn, for tests that need one next to what they observe.
#[observe]
pub fn add(a: i32, b: i32) -> i32 {
    a + b
}

/// An observed async fn that yields before answering, for tests of nesting.
#[observe]
pub async fn count_words(text: &str) -> usize {
    tokio::task::yield_now().await;
    text.split_whitespace().count()
}
