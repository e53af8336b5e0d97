//! What a prompt costs the application: a `get` the cache serves, a `get` that misses and
//! asks a loopback `langtrace serve` (served in this process, its own runtime thread),
//! and a `create`, through the Rust client `langtrace::prompts`.
//!
//! `cargo bench -p langtrace-collector --bench prompts` (`LANGTRACE_BENCH_QUICK=1`: fewer
//! rounds, well under 60 s). Prints one line: `prompts: get_cached_ns=<n> get_miss_ms=<x>
//! create_ms=<x>`, each the median over rounds: ns per cached `get(..).fetch_blocking()` (a
//! round is many calls), ms per miss (cache cleared before each), ms per new version.

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use langtrace::prompts::{NewPrompt, Prompts};
use support::measure::{median, quick};
use support::{Collector, PUBLIC_KEY, SECRET_KEY};

fn millis(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1e3
}

fn main() {
    let (rounds, calls_per_round) = if quick() { (50, 20_000) } else { (300, 200_000) };
    let collector = Collector::start();
    let prompts = Prompts::builder()
        .public_key(PUBLIC_KEY)
        .secret_key(SECRET_KEY)
        .base_url(collector.base_url.clone())
        .build()
        .expect("prompt client");

    let create_ms = median(
        (0..rounds)
            .map(|round| {
                let prompt = NewPrompt::text("bench/answer", format!("Round {round}: answer {{{{question}}}}"))
                    .labels(["production"]);
                let start = Instant::now();
                prompts.create(prompt).send_blocking().expect("created");
                millis(start.elapsed())
            })
            .collect(),
    );

    let get_miss_ms = median(
        (0..rounds)
            .map(|_| {
                prompts.clear_cache();
                let start = Instant::now();
                black_box(prompts.get("bench/answer").fetch_blocking().expect("fetched"));
                millis(start.elapsed())
            })
            .collect(),
    );

    prompts.get("bench/answer").fetch_blocking().expect("cached");
    let get_cached_ns = median(
        (0..rounds)
            .map(|_| {
                let start = Instant::now();
                for _ in 0..calls_per_round {
                    black_box(prompts.get(black_box("bench/answer")).fetch_blocking().expect("cached"));
                }
                start.elapsed().as_nanos() as f64 / f64::from(calls_per_round)
            })
            .collect(),
    );

    drop(prompts);
    drop(collector);
    println!("prompts: get_cached_ns={get_cached_ns:.0} get_miss_ms={get_miss_ms:.2} create_ms={create_ms:.2}");
}
