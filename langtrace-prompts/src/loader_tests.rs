//! The loader against a stand-in source and a hand-moved clock.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use tokio::sync::Semaphore;

use super::*;

/// What the stand-in answers to one fetch.
#[derive(Clone, Copy)]
enum Answer {
    Text(&'static str),
    NotFound,
    Down,
}

/// A source answering from a script, optionally holding each fetch at a gate.
struct Script {
    answers: Mutex<VecDeque<Answer>>,
    fetches: AtomicUsize,
    gate: Option<Arc<Semaphore>>,
}

impl Fetch for Script {
    async fn fetch(&self, name: &str, _: &Selector) -> Result<Prompt, Error> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        if let Some(gate) = &self.gate {
            gate.acquire().await.expect("gate open").forget();
        }
        let answer = self.answers.lock().unwrap().pop_front().unwrap_or(Answer::Down);
        match answer {
            Answer::Text(text) => Ok(Prompt::Text(Arc::new(stored(name, text)))),
            Answer::NotFound => Err(Error::NotFound { message: "gone".into() }),
            Answer::Down => Err(Error::Transport("connection refused".into())),
        }
    }
}

/// A stored version 1 labelled `production`, as the API would answer it.
fn stored(name: &str, text: &str) -> TextPrompt {
    let body = serde_json::json!({"name": name, "version": 1, "prompt": text, "labels": ["production"]});
    serde_json::from_value(body).unwrap()
}

struct Setup {
    loader: Arc<Loader<Script>>,
    seconds: Arc<AtomicU64>,
}

fn setup(answers: &[Answer], gate: Option<Arc<Semaphore>>) -> Setup {
    let seconds = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let clock_seconds = Arc::clone(&seconds);
    let clock: Clock = Box::new(move || start + Duration::from_secs(clock_seconds.load(Ordering::SeqCst)));
    let script = Script { answers: Mutex::new(answers.iter().copied().collect()), fetches: AtomicUsize::new(0), gate };
    Setup { loader: Arc::new(Loader::new(script, clock).unwrap()), seconds }
}

fn request() -> Request {
    Request {
        name: "p".into(),
        selector: Selector::Label("production".into()),
        ttl: Duration::from_secs(60),
        max_retries: 2,
        fallback: None,
    }
}

fn text_of(prompt: &Prompt) -> &str {
    &prompt.as_text().expect("text prompt").prompt
}

impl Setup {
    fn fetches(&self) -> usize {
        self.loader.source.fetches.load(Ordering::SeqCst)
    }

    /// Waits until every task queued on the worker before this call has run.
    fn drain(&self) {
        self.loader.worker.block_on(async { Ok(()) }).unwrap();
    }
}

#[test]
fn a_miss_fetches_once_then_the_cache_serves() {
    let s = setup(&[Answer::Text("v1")], None);
    assert_eq!(text_of(&s.loader.get_blocking(request()).unwrap()), "v1");
    s.seconds.store(59, Ordering::SeqCst);
    assert_eq!(text_of(&s.loader.get_blocking(request()).unwrap()), "v1");
    assert_eq!(s.fetches(), 1);
}

#[test]
fn the_async_entry_point_needs_no_tokio_runtime() {
    let s = setup(&[Answer::Text("v1")], None);
    let prompt = futures::executor::block_on(s.loader.get(request())).unwrap();
    assert_eq!(text_of(&prompt), "v1");
    assert!(!prompt.is_fallback());
}

#[test]
fn a_stale_entry_is_served_at_once_while_one_refresh_runs() {
    let gate = Arc::new(Semaphore::new(1));
    let s = setup(&[Answer::Text("v1"), Answer::Text("v2")], Some(Arc::clone(&gate)));
    assert_eq!(text_of(&s.loader.get_blocking(request()).unwrap()), "v1");
    s.seconds.store(61, Ordering::SeqCst);
    // The refresh waits at the closed gate; both gets answer the stale prompt meanwhile.
    assert_eq!(text_of(&s.loader.get_blocking(request()).unwrap()), "v1");
    assert_eq!(text_of(&futures::executor::block_on(s.loader.get(request())).unwrap()), "v1");
    s.drain();
    assert_eq!(s.fetches(), 2, "one refresh for two stale gets");
    gate.add_permits(1);
    s.drain();
    // The refreshed entry is fresh again: served with no further fetch.
    assert_eq!(text_of(&s.loader.get_blocking(request()).unwrap()), "v2");
    assert_eq!(s.fetches(), 2);
}

#[test]
fn a_404_on_refresh_evicts_and_a_failure_keeps_the_entry() {
    let s = setup(&[Answer::Text("v1"), Answer::Down, Answer::NotFound], None);
    s.loader.get_blocking(request()).unwrap();
    s.seconds.store(61, Ordering::SeqCst);
    assert_eq!(text_of(&s.loader.get_blocking(request()).unwrap()), "v1");
    s.drain();
    // The failed refresh kept the entry; this get starts the next refresh, answered 404.
    assert_eq!(text_of(&s.loader.get_blocking(request()).unwrap()), "v1");
    s.drain();
    assert_eq!(s.fetches(), 3);
    let now = Instant::now() + Duration::from_secs(61);
    assert_eq!(s.loader.cache.lookup("p", &request().selector, now), Lookup::Miss);
}

#[test]
fn a_failed_fetch_retries_then_serves_the_fallback() {
    let s = setup(&[], None);
    let with_fallback = Request { fallback: Some(Fallback::Text("fallback {{x}}".into())), ..request() };
    let prompt = s.loader.get_blocking(with_fallback).unwrap();
    assert!(prompt.is_fallback());
    assert_eq!(text_of(&prompt), "fallback {{x}}");
    assert_eq!(prompt.labels(), ["production"]);
    assert_eq!(s.fetches(), 3, "two retries");
    // Fallbacks are not cached.
    let error = s.loader.get_blocking(Request { max_retries: 0, ..request() }).unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error}");
    assert_eq!(s.fetches(), 4);
}

#[test]
fn a_404_is_not_retried_and_a_zero_ttl_always_fetches() {
    let s = setup(&[Answer::NotFound, Answer::Text("a"), Answer::Text("b")], None);
    assert!(matches!(s.loader.get_blocking(request()), Err(Error::NotFound { .. })));
    assert_eq!(s.fetches(), 1);
    let uncached = Request { ttl: Duration::ZERO, ..request() };
    assert_eq!(text_of(&s.loader.get_blocking(uncached.clone()).unwrap()), "a");
    assert_eq!(text_of(&s.loader.get_blocking(uncached).unwrap()), "b");
}
