//! The workload both benchmarks instrument: a small fn (an int and a short string) called
//! in batches of `BATCH` under one parent, once per instrumentation.

use std::hint::black_box;

use langtrace::observe;

/// Calls per batch (all under one parent).
pub const BATCH: u64 = 100;

#[inline(never)]
#[observe]
fn observed(n: u64, s: &str) -> usize {
    n as usize + s.len()
}

/// `BATCH` `#[observe]` calls under one `#[observe]` parent.
#[inline(never)]
#[observe]
pub fn observed_batch() {
    for i in 0..BATCH {
        black_box(observed(black_box(i), black_box("hello")));
    }
}

#[inline(never)]
#[tracing::instrument]
fn instrumented(n: u64, s: &str) -> usize {
    n as usize + s.len()
}

/// `BATCH` `#[tracing::instrument]` calls under one instrumented parent.
#[inline(never)]
#[tracing::instrument]
pub fn instrumented_batch() {
    for i in 0..BATCH {
        black_box(instrumented(black_box(i), black_box("hello")));
    }
}
