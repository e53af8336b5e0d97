//! Streaming: an export reads its rows batch by batch while it is being downloaded, so a
//! row stored after the download started, behind every row not yet read, still reaches
//! it (an export built whole before answering could not hold it), and the download holds
//! every row once.

use std::io::{BufRead, BufReader, Read};

use serde_json::Value;

use crate::client::send;
use crate::support::otlp::{span, text, SpanBuilder};
use crate::support::Collector;

/// Traces stored before the export: far more bytes than socket buffers and the server's
/// queue of batches hold.
const TRACES: u32 = 3000;
/// Bytes of each one's input.
const INPUT_BYTES: usize = 10_000;

/// Trace `n` as raw id bytes.
fn trace_bytes(n: u32) -> Vec<u8> {
    let mut id = vec![0xab; 16];
    id[12..].copy_from_slice(&n.to_be_bytes());
    id
}

/// Trace `n`, started `start` ms after T0, with a large input.
fn large(n: u32, start: u64) -> SpanBuilder {
    let input = format!("\"{}\"", "x".repeat(INPUT_BYTES));
    span(0, 1).trace_id(trace_bytes(n)).at(start, 1).attributes(vec![text("langfuse.observation.input", input)])
}

#[test]
fn rows_stored_after_an_export_started_still_reach_it() {
    let collector = Collector::start();
    for chunk in (1..=TRACES).collect::<Vec<_>>().chunks(300) {
        send(&collector, chunk.iter().map(|&n| large(n, 1000 + u64::from(n))).collect());
    }
    let response = collector
        .client()
        .get(collector.url("/api/public/traces/export"))
        .header("authorization", collector.authorization())
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut reader = BufReader::new(response);
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["id"], hex(&trace_bytes(TRACES)), "newest first");

    // Older than every trace: the export's last row, if it is read after now.
    send(&collector, vec![large(0, 0)]);
    let mut rest = String::new();
    reader.read_to_string(&mut rest).unwrap();
    let ids: Vec<String> = rest
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), TRACES as usize, "every trace once, and the late one");
    assert_eq!(ids.last().unwrap(), &hex(&trace_bytes(0)), "the trace stored after the export started");
    assert_eq!(ids[0], hex(&trace_bytes(TRACES - 1)));
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
