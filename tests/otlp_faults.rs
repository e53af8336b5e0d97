//! The OTLP bridge when the endpoint misbehaves: down at start, throttling with
//! `Retry-After`, rejecting, hanging, and a queue that overflows meanwhile. The
//! application is never blocked and every lost record is counted.

mod common;
mod receiver;

use std::time::{Duration, Instant};

use common::Harness;
use langtrace::otlp::{ExportCounters, OtlpSink, RetryPolicy};
use langtrace::{observe, FlushError};
use receiver::{free_port, Receiver, Reply};

#[observe]
fn work(i: usize) -> usize {
    i + 1
}

fn sink_to(url: String) -> OtlpSink {
    OtlpSink::builder().env_lookup(|_| None).endpoint(url).build().expect("valid exporter")
}

#[test]
fn endpoint_down_at_start_then_up_gets_the_buffered_records() {
    let (http_port, grpc_port) = (free_port(), free_port());
    let sink = OtlpSink::builder()
        .env_lookup(|_| None)
        .endpoint(format!("http://127.0.0.1:{http_port}/v1/traces"))
        .timeout(Duration::from_secs(30))
        .retry_policy(
            RetryPolicy::default()
                .with_max_retries(100)
                .with_initial_delay(Duration::from_millis(50))
                .with_max_delay(Duration::from_millis(200)),
        )
        .build()
        .unwrap();
    let harness = Harness::with(|b| b.sink(sink));
    harness.run(|| {
        (0..20).for_each(|i| {
            work(i);
        })
    });
    // Nothing listens yet: the export keeps retrying, so a short flush cannot complete.
    assert_eq!(harness.guard.flush(Duration::from_millis(300)), Err(FlushError::Timeout(Duration::from_millis(300))));
    assert_eq!(harness.guard.stats().exported, 0);

    let receiver = Receiver::start_on(http_port, grpc_port);
    harness.guard.flush(Duration::from_secs(30)).expect("delivered once the endpoint is up");
    assert_eq!(receiver.spans().len(), 20);
    assert_eq!(harness.guard.stats().exported, 40, "20 observation and 20 trace records");
}

#[test]
fn throttling_with_retry_after_is_retried_after_the_delay() {
    let receiver = Receiver::start();
    receiver.script([Reply::Status(503, Some(1)), Reply::Status(429, None)]);
    let harness = Harness::with(|b| b.sink(sink_to(receiver.traces_url())));
    harness.run(|| work(1));
    harness.guard.flush(Duration::from_secs(20)).unwrap();
    let requests = receiver.requests();
    assert_eq!(requests.len(), 3, "503, then 429, then accepted");
    let waited = requests[1].at - requests[0].at;
    assert!(waited >= Duration::from_secs(1), "Retry-After: 1 honoured, waited {waited:?}");
    assert_eq!(requests[2].request, requests[0].request, "the same batch is resent");
    assert_eq!((harness.guard.stats().exported, harness.guard.stats().failed), (2, 0));
}

#[test]
fn a_rejected_batch_is_dropped_counted_and_not_retried() {
    let receiver = Receiver::start();
    receiver.script([Reply::Status(400, None)]);
    let sink = sink_to(receiver.traces_url());
    let counters = sink.counters();
    let harness = Harness::with(|b| b.sink(sink));
    harness.run(|| {
        (0..5).for_each(|i| {
            work(i);
        })
    });
    harness.guard.flush(Duration::from_secs(20)).unwrap();
    assert_eq!(receiver.requests().len(), 1, "a 400 is never retried");
    assert_eq!(harness.guard.stats().failed, 10, "5 observation and 5 trace records");
    assert_eq!(ExportCounters::get(&counters.spans_failed), 5);

    // The exporter keeps working for the next batch.
    harness.run(|| work(9));
    harness.guard.flush(Duration::from_secs(20)).unwrap();
    assert_eq!(receiver.requests().len(), 2);
    assert_eq!(ExportCounters::get(&counters.spans_exported), 1);
}

#[test]
fn grpc_unavailable_is_retried() {
    let receiver = Receiver::start();
    receiver.script([Reply::Status(503, None)]);
    let sink = OtlpSink::builder()
        .env_lookup(|_| None)
        .endpoint(receiver.grpc_url())
        .protocol(langtrace::otlp::Protocol::Grpc)
        .build()
        .unwrap();
    let harness = Harness::with(|b| b.sink(sink));
    harness.run(|| work(1));
    harness.guard.flush(Duration::from_secs(20)).unwrap();
    assert_eq!(receiver.requests().len(), 2, "UNAVAILABLE, then accepted");
    assert_eq!(harness.guard.stats().exported, 2);
}

#[test]
fn a_hanging_endpoint_never_holds_flush_or_shutdown_past_their_timeout() {
    let receiver = Receiver::start();
    receiver.always(Reply::Hang);
    let mut harness =
        Harness::with(|b| b.sink(sink_to(receiver.traces_url())).shutdown_timeout(Duration::from_millis(100)));
    harness.run(|| {
        (0..10).for_each(|i| {
            work(i);
        })
    });
    let started = Instant::now();
    assert!(matches!(harness.guard.flush(Duration::from_millis(200)), Err(FlushError::Timeout(_))));
    assert!(started.elapsed() < Duration::from_secs(2), "flush returned after {:?}", started.elapsed());
    assert_eq!(receiver.wait_for_requests(1, Duration::from_secs(10)).len(), 1, "the request reached the endpoint");

    let started = Instant::now();
    let app = harness.run(|| (0..1000).map(work).sum::<usize>());
    assert_eq!(app, 500_500, "the application runs on while the export hangs");
    assert!(harness.guard.shutdown(Duration::from_millis(200)).is_err());
    assert!(started.elapsed() < Duration::from_secs(2), "shutdown returned after {:?}", started.elapsed());
}

#[test]
fn queue_overflow_while_the_endpoint_hangs_drops_and_counts_with_bounded_memory() {
    let receiver = Receiver::start();
    receiver.always(Reply::Hang);
    let harness = Harness::with(|b| {
        b.sink(sink_to(receiver.traces_url()))
            .max_queue_size(64)
            .flush_at(16)
            .shutdown_timeout(Duration::from_millis(100))
    });
    harness.run(|| work(0));
    harness.guard.flush(Duration::from_millis(1)).ok();
    receiver.wait_for_requests(1, Duration::from_secs(10));
    // The worker is now stuck in an export: everything beyond the queue is dropped.
    harness.run(|| {
        (0..10_000).for_each(|i| {
            work(i);
        })
    });
    let stats = harness.guard.stats();
    assert!(stats.queued <= 64, "{stats:?}");
    // Each call makes an observation record and a trace record.
    assert_eq!(stats.dropped + stats.queued, 20_000, "every record is queued or counted as dropped: {stats:?}");
}
