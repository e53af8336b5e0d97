//! What a prompt costs the application: a `get` the cache serves, a `get` that misses and
//! asks a loopback `langtrace serve` (served in this process, its own runtime thread),
//! and a `create`.
//!
//! `cargo bench -p langtrace-prompts --bench prompts` (`LANGTRACE_BENCH_QUICK=1`: fewer
//! rounds, well under 60 s). Prints one line of its own, last (the in-process server
//! prints its ready line first): `prompts: get_cached_ns=<n> get_miss_ms=<x> create_ms=<x>`,
//! each the median over
//! rounds: ns per cached `get(..).fetch_blocking()` (a round is many calls), ms per miss
//! (cache cleared before each), ms per new version.

use std::hint::black_box;
use std::time::{Duration, Instant};

use clap::Parser;
use langtrace_collector::cli::{Cli, Command};
use langtrace_collector::server::serve_notify;
use langtrace_prompts::{NewPrompt, Prompts};
use tokio::sync::oneshot;

const PUBLIC_KEY: &str = "pk-lt-bench";
const SECRET_KEY: &str = "sk-lt-bench-0123456789abcdef";

/// `langtrace serve` on a loopback port, stopped when the sender is dropped.
fn serve(data_dir: &std::path::Path) -> (String, oneshot::Sender<()>, std::thread::JoinHandle<()>) {
    let argv = [
        "langtrace",
        "serve",
        "--http-addr",
        "127.0.0.1:0",
        "--grpc-addr",
        "127.0.0.1:0",
        "--data-dir",
        data_dir.to_str().expect("UTF-8 path"),
        "--init-public-key",
        PUBLIC_KEY,
        "--init-secret-key",
        SECRET_KEY,
    ];
    let Ok(Cli { command: Command::Serve(args) }) = Cli::try_parse_from(argv) else { panic!("serve flags refused") };
    let (listening_tx, listening_rx) = oneshot::channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
        runtime
            .block_on(serve_notify(args, Some(listening_tx), async move {
                let _ = stopped.await;
            }))
            .expect("collector runs");
    });
    let listening = listening_rx.blocking_recv().expect("collector listening");
    (format!("http://{}", listening.http_addr), stop, thread)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn millis(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1e3
}

fn main() {
    let quick = std::env::var("LANGTRACE_BENCH_QUICK").is_ok_and(|v| v == "1");
    let (rounds, calls_per_round) = if quick { (50, 20_000) } else { (300, 200_000) };
    let data_dir = tempfile::tempdir().expect("temporary directory");
    let (base_url, stop, server) = serve(data_dir.path());
    let prompts = Prompts::builder()
        .public_key(PUBLIC_KEY)
        .secret_key(SECRET_KEY)
        .base_url(base_url)
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
    drop(stop);
    server.join().expect("collector stopped");
    println!("prompts: get_cached_ns={get_cached_ns:.0} get_miss_ms={get_miss_ms:.2} create_ms={create_ms:.2}");
}
