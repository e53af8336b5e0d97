//! Backup and restore: a backup taken while ingest runs restores into a fresh directory
//! whose API answers what the original answers for the same traces, media included; an
//! existing target and a non-empty data directory are refused without `--force`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use serde_json::Value;

use crate::support::otlp::{self, int, span, text};
use crate::support::{cli, Collector, DataDir};
use crate::upload_media;

/// Trace `n`: a root and a generation with `n` input tokens, in one export.
fn send_trace(collector: &Collector, n: u32) {
    let mut id = vec![0xcd; 12];
    id.extend_from_slice(&n.to_be_bytes());
    let generation = span(0, 2).parent(1).trace_id(id.clone()).attributes(vec![
        text("langfuse.observation.type", "generation"),
        int("gen_ai.usage.input_tokens", i64::from(n)),
    ]);
    otlp::send(collector, &collector.authorization(), &otlp::request([span(0, 1).trace_id(id), generation]));
}

/// Every trace the API lists, by id.
fn all_traces(collector: &Collector) -> BTreeMap<String, Value> {
    let mut traces = BTreeMap::new();
    for page in 1.. {
        let listed = collector.ok(&format!("/api/public/traces?limit=100&page={page}"));
        let data = listed["data"].as_array().unwrap();
        if data.is_empty() {
            break;
        }
        traces.extend(data.iter().map(|trace| (trace["id"].as_str().unwrap().to_owned(), trace.clone())));
    }
    traces
}

#[test]
fn a_backup_under_ingest_load_restores_into_a_fresh_directory_answering_the_same() {
    let collector = Collector::start();
    for n in 0..20 {
        send_trace(&collector, n);
    }
    let bytes = b"\x89PNG the backed-up bytes";
    let media_id = upload_media(&collector, &otlp::trace_id(1), bytes);
    let backups = tempfile::tempdir().unwrap();
    let target = backups.path().join("backup");
    let target_arg = target.to_str().unwrap();

    let (stop, acked) = (AtomicBool::new(false), AtomicUsize::new(0));
    let (acked_before, acked_after) = std::thread::scope(|scope| {
        let (first_acks, acks) = mpsc::channel();
        let (collector, stop, acked) = (&collector, &stop, &acked);
        scope.spawn(move || {
            for n in 1000.. {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                send_trace(collector, n);
                acked.fetch_add(1, Ordering::SeqCst);
                let _ = first_acks.send(());
            }
        });
        for _ in 0..3 {
            acks.recv().unwrap();
        }
        let before = acked.load(Ordering::SeqCst);
        cli::run(collector.data_dir(), &["backup", "--to", target_arg]);
        let after = acked.load(Ordering::SeqCst);
        stop.store(true, Ordering::SeqCst);
        (before, after)
    });

    let refused = cli::output(collector.data_dir(), &["backup", "--to", target_arg]);
    assert!(!refused.status.success(), "an existing target is refused");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"), "the way out is named");
    let forced = backups.path().join("forced");
    std::fs::create_dir(&forced).unwrap();
    cli::run(collector.data_dir(), &["backup", "--to", forced.to_str().unwrap(), "--force"]);

    let fresh = tempfile::tempdir().unwrap();
    let restored_dir = fresh.path().join("data");
    cli::run(&restored_dir, &["restore", "--from", target_arg]);
    let again = cli::output(&restored_dir, &["restore", "--from", target_arg]);
    assert!(!again.status.success(), "a data directory that is not empty is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));

    let original = all_traces(&collector);
    let restored_collector = Collector::setup().data_dir(DataDir::At(restored_dir)).in_process();
    let restored = all_traces(&restored_collector);
    let count = restored.len();
    assert!(
        (20 + acked_before..=20 + acked_after + 1).contains(&count),
        "the backup holds what was acknowledged before it: {count} traces, {acked_before} to {acked_after} sent under load"
    );
    for (id, trace) in &restored {
        assert_eq!(Some(trace), original.get(id), "trace {id} answers the same after a restore");
    }
    let (status, _, content) = restored_collector.get_raw(&format!("/api/public/media/{media_id}/content"));
    assert_eq!((status, content.as_slice()), (200, bytes.as_slice()), "media bytes are restored");
}
