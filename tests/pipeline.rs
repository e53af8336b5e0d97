//! Delivery: the bounded queue counts what it drops, flush and shutdown return within
//! their timeouts even when a sink hangs, failing sinks are counted, and the console
//! sink prints finished traces as trees.

mod common;

use std::io::Write;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Harness;
use langtrace::{observe, ConsoleSink, Cost, FlushError, Record, Sink, SinkError, Usage};

/// A sink that announces each export and then blocks until released.
struct GateSink {
    entered: Sender<()>,
    release: Receiver<()>,
}

impl Sink for GateSink {
    fn export(&mut self, _batch: &[Record]) -> Result<(), SinkError> {
        let _ = self.entered.send(());
        let _ = self.release.recv();
        Ok(())
    }
}

fn gate() -> (GateSink, Receiver<()>, Sender<()>) {
    let (entered_tx, entered_rx) = channel();
    let (release_tx, release_rx) = channel();
    (GateSink { entered: entered_tx, release: release_rx }, entered_rx, release_tx)
}

#[observe]
fn unit(n: u32) -> u32 {
    n
}

#[test]
fn a_full_queue_drops_and_counts_and_memory_stays_bounded() {
    let (sink, entered, release) = gate();
    let harness = Harness::with(|b| b.sink(sink).max_queue_size(8).flush_at(1));
    harness.run(|| unit(0));
    entered.recv().unwrap(); // the worker holds the first batch and is blocked in the sink
    let left_in_queue = harness.guard.stats().queued; // 0 or 1 of the first call's 2 records
    harness.run(|| {
        (1..=100).for_each(|n| {
            unit(n);
        })
    });
    let stats = harness.guard.stats();
    assert_eq!(stats.queued, 8, "the queue never grows past its capacity");
    let accepted = 8 - left_in_queue;
    assert_eq!(stats.dropped, 100 * 2 - accepted, "each call is an observation and a trace record");
    for _ in 0..100 {
        let _ = release.send(());
    }
    harness.guard.flush(Duration::from_secs(10)).unwrap();
    let stats = harness.guard.stats();
    let delivered = 2 - left_in_queue + 8; // the first batch, then a full queue
    assert_eq!((stats.queued, stats.exported), (0, delivered));
    assert_eq!(harness.sink.records().len() as u64, delivered);
}

#[observe]
fn tree_root() -> u32 {
    (1..=3).map(unit).sum()
}

#[test]
fn a_trace_starting_while_the_queue_is_full_is_shed_whole_and_counted() {
    let (sink, entered, release) = gate();
    let harness = Harness::with(|b| b.sink(sink).max_queue_size(8).flush_at(1));
    harness.run(|| unit(0));
    entered.recv().unwrap(); // the worker is blocked in the sink
    harness.run(|| {
        (1..=10).for_each(|n| {
            unit(n);
        })
    });
    let before = harness.guard.stats();
    assert!(before.dropped > 0 && before.queued == 8, "{before:?}");

    assert_eq!(harness.run(tree_root), 6, "the application is unaffected");
    let after = harness.guard.stats();
    assert_eq!(after.dropped - before.dropped, 5, "4 observations and the trace record, counted");
    assert_eq!(after.queued, 8);

    for _ in 0..100 {
        let _ = release.send(());
    }
    harness.guard.flush(Duration::from_secs(10)).unwrap();
    let shed = harness.sink.observations();
    assert!(shed.iter().all(|o| o.name != "tree_root"), "no part of the shed trace is sent");
    assert!(shed.len() <= 9);
    // Once the worker has emptied the queue, traces are recorded whole again.
    harness.run(tree_root);
    let observations = harness.observations();
    assert_eq!(observations.iter().filter(|o| o.name == "tree_root").count(), 1);
    assert_eq!(observations.len() - shed.len(), 4);
}

#[test]
fn flush_returns_within_its_timeout_when_a_sink_hangs() {
    let (sink, entered, release) = gate();
    let harness = Harness::with(|b| b.sink(sink));
    harness.run(|| unit(1));
    let started = Instant::now();
    let result = harness.guard.flush(Duration::from_millis(200));
    assert_eq!(result, Err(FlushError::Timeout(Duration::from_millis(200))));
    assert!(started.elapsed() < Duration::from_secs(5), "flush took {:?}", started.elapsed());
    entered.recv().unwrap();
    release.send(()).unwrap();
    let _ = release.send(());
    harness.guard.flush(Duration::from_secs(10)).unwrap();
    assert_eq!(harness.sink.observations().len(), 1, "nothing is lost once the sink recovers");
}

#[test]
fn shutdown_returns_within_its_timeout_and_later_records_are_counted_as_dropped() {
    let (sink, entered, release) = gate();
    let mut harness = Harness::with(|b| b.sink(sink).flush_at(1));
    harness.run(|| unit(1));
    entered.recv().unwrap();
    let started = Instant::now();
    assert!(matches!(harness.guard.shutdown(Duration::from_millis(100)), Err(FlushError::Timeout(_))));
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(release); // the sink returns; the worker finishes shutting down
    let deadline = Instant::now() + Duration::from_secs(10);
    while harness.guard.flush(Duration::from_secs(1)) != Err(FlushError::Stopped) {
        assert!(Instant::now() < deadline, "pipeline never stopped");
    }
    let before = harness.guard.dropped();
    harness.run(|| unit(2));
    assert_eq!(harness.guard.dropped(), before + 2);
    harness.guard.shutdown(Duration::from_secs(1)).unwrap_err();
}

struct FailingSink;

impl Sink for FailingSink {
    fn export(&mut self, _batch: &[Record]) -> Result<(), SinkError> {
        Err(SinkError("endpoint said no".into()))
    }
}

struct PanickingSink;

impl Sink for PanickingSink {
    fn export(&mut self, _batch: &[Record]) -> Result<(), SinkError> {
        panic!("sink bug")
    }
}

#[test]
fn failing_and_panicking_sinks_are_counted_not_fatal() {
    for harness in [Harness::with(|b| b.sink(FailingSink)), Harness::with(|b| b.sink(PanickingSink))] {
        harness.run(|| unit(1));
        harness.guard.flush(Duration::from_secs(10)).unwrap();
        assert_eq!(harness.guard.stats().failed, 2);
        harness.run(|| unit(2));
        harness.guard.flush(Duration::from_secs(10)).unwrap();
        assert_eq!(harness.guard.stats().failed, 4, "the worker survives");
    }
}

#[derive(Clone, Default)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[observe(as_type = generation, model = "mock-llm")]
fn llm(prompt: &str) -> String {
    langtrace::current_observation().set_usage(Usage::tokens(120, 45)).set_cost(Cost::usd(0.0012, 0.0009));
    prompt.to_uppercase()
}

#[observe(as_type = tool)]
fn lookup(city: &str) -> Result<u32, String> {
    Err(format!("unknown city {city}"))
}

#[observe(as_type = chain)]
fn chain() -> String {
    langtrace::current_trace().set_user_id("user-9").add_tags(["demo"]);
    let _ = lookup("Atlantis");
    llm("hello")
}

#[test]
fn console_sink_prints_the_trace_tree() {
    let buffer = SharedBuffer::default();
    let harness = Harness::with(|b| b.sink(ConsoleSink::to_writer(buffer.clone())).environment("dev"));
    harness.run(chain);
    harness.guard.flush(Duration::from_secs(10)).unwrap();
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("TRACE chain "), "{text}");
    assert!(
        lines[0].contains("env=dev") && lines[0].contains("user=user-9") && lines[0].contains("tags=demo"),
        "{text}"
    );
    assert!(lines[1].starts_with("└─ CHAIN chain ["), "{text}");
    assert!(lines[2].starts_with("   ├─ TOOL lookup ERROR \"unknown city Atlantis\" ["), "{text}");
    assert!(lines[3].starts_with("   └─ GENERATION llm (mock-llm) ["), "{text}");
    assert!(lines[3].contains("tokens=120+45=165") && lines[3].contains("cost=$0.002100"), "{text}");
}
