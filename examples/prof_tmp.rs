use langtrace::tracing::Dispatch;
use langtrace::tracing_subscriber::layer::SubscriberExt;
use langtrace::{observe, LangtraceLayer};
use std::hint::black_box;
use std::time::{Duration, Instant};
#[inline(never)]
#[observe]
fn observed(n: u64, s: &str) -> usize {
    n as usize + s.len()
}
#[inline(never)]
#[observe]
fn observed_batch() {
    for i in 0..100 {
        black_box(observed(black_box(i), black_box("hello")));
    }
}
fn main() {
    if std::env::var("BARE").is_ok() { bare_main(); return; }
    let (layer, guard) = LangtraceLayer::builder().ignore_env().sink(NoopSink).build().expect("settings");
    let ours = Dispatch::new(langtrace::tracing_subscriber::registry().with(layer));
    langtrace::tracing::dispatcher::with_default(&ours, || {
        for _ in 0..std::env::var("ROUNDS").map_or(5, |v| v.parse().unwrap()) {
            let t = Instant::now();
            for _ in 0..2000 {
                observed_batch();
            }
            println!("{:.1} ns/call", t.elapsed().as_nanos() as f64 / 200_000.0);
        }
    });
    guard.flush(Duration::from_secs(30)).unwrap();
    println!("{:?}", guard.stats());
}
#[inline(never)]
#[tracing::instrument(skip_all)]
fn bare(n: u64, s: &str) -> usize {
    n as usize + s.len()
}
#[inline(never)]
#[tracing::instrument(skip_all)]
fn bare_batch() {
    for i in 0..100 {
        black_box(bare(black_box(i), black_box("hello")));
    }
}
pub fn bare_main() {
    let d = Dispatch::new(langtrace::tracing_subscriber::registry());
    langtrace::tracing::dispatcher::with_default(&d, || {
        for _ in 0..1 {
            let t = Instant::now();
            for _ in 0..2000 {
                bare_batch();
            }
            println!("bare registry {:.1} ns/call", t.elapsed().as_nanos() as f64 / 200_000.0);
        }
    });
}
struct NoopSink;
impl langtrace::Sink for NoopSink {
    fn export(&mut self, batch: &[langtrace::Record]) -> Result<(), langtrace::SinkError> {
        black_box(batch);
        Ok(())
    }
}
