//! Scores from the application: `current_observation().score(...)` and
//! `current_trace().score(...)` reach the sinks with the ids of the observation and
//! trace they were recorded in, typed by their Rust value; outside a recorded trace
//! nothing is recorded; a full queue drops and counts them without blocking; the console
//! sink prints them; the mask covers their comments; the OTLP bridge counts them as
//! dropped without Langfuse keys and as failed when the server refuses them (delivery to
//! a real collector: `langtrace-collector/tests/guard.rs`).

mod common;
mod receiver;

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{redact, Harness};
use langtrace::otlp::{ExportCounters, OtlpSink};
use langtrace::{current_observation, current_trace, observe, ConsoleSink, Record, Score, ScoreValue, Sink, SinkError};

#[observe(as_type = generation)]
fn answer(question: &str) -> String {
    current_observation()
        .score("relevance", 0.75)
        .score("grounded", true)
        .record_score(Score::new("tone", "polite").comment("asked nicely").id("tone-1"));
    current_observation().score_trace("turn-ok", 1);
    format!("answer to {question}")
}

#[observe]
fn turn(question: &str) -> String {
    let text = answer(question);
    current_trace().score("user-feedback", "thumbs-up");
    text
}

#[test]
fn scores_carry_their_trace_observation_type_and_environment() {
    let harness = Harness::with(|b| b.environment("staging"));
    harness.run(|| turn("why?"));
    let generation = harness.observation("answer");
    let scores = harness.sink.scores();
    let summary: Vec<(&str, &ScoreValue, Option<_>)> =
        scores.iter().map(|s| (s.name.as_str(), &s.value, s.observation_id)).collect();
    assert_eq!(
        summary,
        [
            ("relevance", &ScoreValue::Numeric(0.75), Some(generation.id)),
            ("grounded", &ScoreValue::Boolean(true), Some(generation.id)),
            ("tone", &ScoreValue::Categorical("polite".into()), Some(generation.id)),
            ("turn-ok", &ScoreValue::Numeric(1.0), None),
            ("user-feedback", &ScoreValue::Categorical("thumbs-up".into()), None),
        ]
    );
    assert!(scores.iter().all(|s| s.trace_id == generation.trace_id && s.environment == "staging"));
    let tone = &scores[2];
    assert_eq!((tone.id.as_str(), tone.comment.as_deref()), ("tone-1", Some("asked nicely")));
    assert_eq!(harness.guard.stats().failed, 0);
}

#[test]
fn nothing_is_recorded_outside_a_trace_sampled_out_or_for_a_non_finite_number() {
    let harness = Harness::new();
    harness.run(|| {
        current_observation().score("outside", 1.0);
        current_trace().score("outside", 1.0);
    });
    #[observe]
    fn not_a_number() {
        current_observation().score("nan", f64::NAN).score("infinite", f64::INFINITY).score("kept", 0.0);
    }
    harness.run(not_a_number);
    harness.guard.flush(Duration::from_secs(10)).unwrap();
    let names: Vec<String> = harness.sink.scores().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["kept"]);

    let sampled_out = Harness::with(|b| b.sample_rate(0.0));
    sampled_out.run(|| turn("hidden"));
    sampled_out.guard.flush(Duration::from_secs(10)).unwrap();
    assert!(sampled_out.sink.records().is_empty());
    assert_eq!(sampled_out.guard.stats().dropped, 0);
}

/// A sink that announces each export and then blocks until released.
struct Gate {
    entered: Sender<()>,
    release: Receiver<()>,
}

impl Sink for Gate {
    fn export(&mut self, _batch: &[Record]) -> Result<(), SinkError> {
        let _ = self.entered.send(());
        let _ = self.release.recv();
        Ok(())
    }
}

#[observe]
fn first() {}

#[observe]
fn many_scores(count: u32) {
    for n in 0..count {
        current_observation().score("n", f64::from(n));
    }
}

#[test]
fn a_full_queue_drops_and_counts_scores_without_blocking() {
    let ((entered_tx, entered), (release, release_rx)) = (channel(), channel());
    let gate = Gate { entered: entered_tx, release: release_rx };
    let harness = Harness::with(|b| b.sink(gate).max_queue_size(16).flush_at(1));
    harness.run(first);
    entered.recv().unwrap(); // the worker holds the first batch and is blocked in the sink
    let left_in_queue = harness.guard.stats().queued; // 0 or 1 of the first call's 2 records
    harness.run(|| many_scores(1_000));
    let stats = harness.guard.stats();
    assert_eq!(stats.queued, 16, "the queue never grows past its capacity");
    let accepted = 16 - left_in_queue;
    assert_eq!(stats.dropped, 1_000 + 2 - accepted, "1,000 scores, the observation and the trace record");
    for _ in 0..100 {
        let _ = release.send(());
    }
    harness.guard.flush(Duration::from_secs(10)).unwrap();
    let kept = harness.sink.scores().len() as u64;
    assert!(kept <= 16 && kept + stats.dropped >= 1_000, "{kept} kept, {} dropped", stats.dropped);
}

#[test]
fn the_console_sink_prints_scores_and_the_mask_covers_comments() {
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Shared {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().write(bytes)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let out = Shared::default();
    let harness = Harness::with(|b| b.sink(ConsoleSink::to_writer(out.clone())).mask(redact));
    #[observe]
    fn judged() {
        current_observation().record_score(Score::new("safe", false).comment("password hunter2 in the answer"));
    }
    harness.run(judged);
    harness.guard.flush(Duration::from_secs(10)).unwrap();
    let printed = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    let line = printed.lines().find(|l| l.starts_with("SCORE")).unwrap_or_else(|| panic!("{printed}"));
    let score = &harness.sink.scores()[0];
    let observation = score.observation_id.unwrap();
    assert_eq!(
        line,
        format!(
            "SCORE safe=false trace={} observation={observation} \"password [REDACTED] in the answer\"",
            score.trace_id
        )
    );
}

#[observe]
fn scored_twice() {
    current_observation().score("a", 1.0).score_trace("b", false);
}

/// Exports one observation with two scores through an OTLP sink; returns the sink's
/// counters and the pipeline's failed count.
fn export_scored(sink: OtlpSink) -> (Arc<ExportCounters>, u64) {
    let counters = sink.counters();
    let harness = Harness::with(|b| b.sink(sink));
    harness.run(scored_twice);
    let _ = harness.guard.flush(Duration::from_secs(20));
    (counters, harness.guard.stats().failed)
}

#[test]
fn without_langfuse_keys_the_bridge_counts_scores_as_dropped() {
    let receiver = receiver::Receiver::start();
    let sink = OtlpSink::builder().env_lookup(|_| None).endpoint(receiver.traces_url()).build().unwrap();
    let (counters, failed) = export_scored(sink);
    let count = |counter| ExportCounters::get(counter);
    assert_eq!(count(&counters.spans_exported), 1);
    assert_eq!((count(&counters.scores_dropped), count(&counters.scores_sent), failed), (2, 0, 0));
}

#[test]
fn a_server_without_the_scores_api_fails_the_scores_and_the_batch() {
    let receiver = receiver::Receiver::start(); // answers 404 to /api/public/scores
    let sink =
        OtlpSink::builder().env_lookup(|_| None).langfuse("pk-lf-1", "sk-lf-1", receiver.base_url()).build().unwrap();
    let (counters, failed) = export_scored(sink);
    let count = |counter| ExportCounters::get(counter);
    assert_eq!(count(&counters.spans_exported), 1, "the spans still reach the server");
    assert_eq!((count(&counters.scores_failed), count(&counters.scores_sent)), (2, 0));
    assert!(failed > 0, "the pipeline counts the batch as failed");
}
