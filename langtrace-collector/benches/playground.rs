//! What the OpenAI-compatible proxy adds to a call: the same streamed chat completion
//! sent to the mock provider directly and through `POST /v1/chat/completions` of a
//! loopback `langtrace serve` (served in this process) that relays it, parses it and
//! traces the run.
//!
//! `cargo bench -p langtrace-collector --bench playground` (`LANGTRACE_BENCH_QUICK=1`:
//! fewer rounds). Prints one line: `playground: proxy_overhead_ms=<x>
//! first_token_relay_ms=<x>`: the median time of a whole streamed call through the proxy
//! minus the median directly, and the same for the time to the first content chunk.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Read;
use std::time::{Duration, Instant};

use serde_json::json;
use support::measure::{median, quick};
use support::mock_openai::MockOpenAi;
use support::{Collector, PUBLIC_KEY, SECRET_KEY};

/// What the first content chunk carries (the mock's answers start with "Mock").
const FIRST_CONTENT: &[u8] = br#""content":"Mock"#;

fn millis(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1e3
}

/// One streamed call to `url`: (ms to the first content chunk, ms to the end).
fn call(client: &reqwest::blocking::Client, url: &str, authorization: &str, model: &str) -> (f64, f64) {
    let body = json!({"model": model, "stream": true, "messages": [{"role": "user", "content": "benchmark question"}]});
    let start = Instant::now();
    let mut response = client.post(url).header("authorization", authorization).json(&body).send().expect("an answer");
    assert!(response.status().is_success(), "{}", response.status());
    let (mut seen, mut buffer, mut first) = (Vec::new(), [0u8; 4096], None);
    loop {
        let read = response.read(&mut buffer).expect("the stream");
        if read == 0 {
            break;
        }
        seen.extend_from_slice(&buffer[..read]);
        if first.is_none() && seen.windows(FIRST_CONTENT.len()).any(|w| w == FIRST_CONTENT) {
            first = Some(millis(start.elapsed()));
        }
    }
    assert!(seen.ends_with(b"data: [DONE]\n\n"), "a whole stream");
    (first.expect("a content chunk"), millis(start.elapsed()))
}

fn main() {
    let rounds = if quick() { 30 } else { 300 };
    let collector = Collector::start();
    let mock = MockOpenAi::start();
    let connection =
        json!({"provider": "mock", "adapter": "openai", "secretKey": "sk-bench-0123456789", "baseURL": mock.base_url});
    let put = collector.client().put(collector.url("/api/public/llm-connections"));
    assert!(put
        .header("authorization", collector.authorization())
        .json(&connection)
        .send()
        .unwrap()
        .status()
        .is_success());
    let client = reqwest::blocking::Client::new();
    let direct_url = format!("{}/chat/completions", mock.base_url);
    let proxy_url = collector.url("/v1/chat/completions");
    let bearer = format!("Bearer {PUBLIC_KEY}:{SECRET_KEY}");
    // Warm both paths (connections, the collector's key cache and prices).
    call(&client, &direct_url, "Bearer sk-bench", "mock-gpt");
    call(&client, &proxy_url, &bearer, "mock:mock-gpt");
    let (mut direct, mut proxied) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
    for _ in 0..rounds {
        let (first, total) = call(&client, &direct_url, "Bearer sk-bench", "mock-gpt");
        direct.0.push(first);
        direct.1.push(total);
        let (first, total) = call(&client, &proxy_url, &bearer, "mock:mock-gpt");
        proxied.0.push(first);
        proxied.1.push(total);
    }
    let overhead = median(proxied.1) - median(direct.1);
    let first_token = median(proxied.0) - median(direct.0);
    println!("playground: proxy_overhead_ms={overhead:.2} first_token_relay_ms={first_token:.2}");
}
