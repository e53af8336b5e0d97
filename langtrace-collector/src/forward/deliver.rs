//! The delivery loop, run while this collector holds the [`Leadership`]: reads the
//! pending exports (a bounded batch) past the last one it sent, sends them upstream as
//! one request, and once the upstream answered (delivered on 2xx, dropped on a final
//! refusal) hands the batch to the settler and goes on with the next one. The settler
//! records each batch through the writer, in order: its rows are deleted and its spans
//! counted. Once every batch handed over is recorded, the loop reads from the oldest row
//! again, so an export committed late below a sent one (another collector's) is sent
//! too. Sending does not wait for that commit (which waits its turn behind ingest in the
//! writer's queue); at most
//! [`SETTLING`] batches are answered and not yet recorded. On a passing failure the loop
//! waits ([`Backoff`], honouring `Retry-After`) and sends the same batch again. With
//! nothing pending it waits for the next commit of spans ([`Forwarding::wake`]).
//!
//! A crash between the upstream's 2xx and the settling commit sends that batch (and any
//! other not yet recorded) again at the next start: delivery is at least once across
//! crashes, exactly once otherwise.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::backoff::Backoff;
use super::batch::{self, MAX_BYTES, MAX_SPANS};
use super::leader::Leadership;
use super::outbox::{self, Outcome, PendingExport};
use super::upstream::{Answer, Upstream};
use super::Forwarding;
use crate::store::db;
use crate::store::{self, Store};
use crate::writer::{WriteError, Writer};

/// How long an idle loop waits for a wake-up before looking at the outbox again (a
/// safety net: every commit of spans wakes it).
const IDLE_RECHECK: Duration = Duration::from_secs(5);

/// Batches answered by the upstream and not yet recorded, at most.
const SETTLING: usize = 8;

/// Runs until the runtime stops (or the writer does); the settler stops with it.
pub async fn run(forwarding: Arc<Forwarding>, store: Store, writer: Writer, upstream: Upstream) {
    let (settle, answered) = mpsc::channel(SETTLING);
    let unsettled = Arc::new(AtomicUsize::new(0));
    let _settler = AbortOnDrop(tokio::spawn(settle_in_order(writer, answered, unsettled.clone())));
    let leadership = Arc::new(Mutex::new(Leadership::new(store.clone())));
    let mut backoff = Backoff::default();
    let mut sent_through = 0;
    loop {
        let leading = leads(&leadership).await;
        forwarding.live.delivering(leading == Ok(true));
        match leading {
            Ok(true) => {}
            Ok(false) => {
                tokio::time::sleep(IDLE_RECHECK).await;
                continue;
            }
            Err(error) => {
                tracing::error!(%error, "forwarding cannot reach the database; retrying");
                tokio::time::sleep(backoff.next(None)).await;
                continue;
            }
        }
        if unsettled.load(Ordering::Acquire) == 0 {
            // Everything sent is deleted: read from the oldest row again.
            sent_through = 0;
        }
        let exports = match read(&store, move |c| outbox::pending(c, sent_through, MAX_SPANS, MAX_BYTES)).await {
            Ok(exports) => exports,
            Err(error) => {
                tracing::error!(%error, "forwarding cannot read the outbox; retrying");
                tokio::time::sleep(backoff.next(None)).await;
                continue;
            }
        };
        let Some(through) = exports.last().map(|export| export.seq) else {
            let _ = tokio::time::timeout(IDLE_RECHECK, forwarding.wake.notified()).await;
            continue;
        };
        let seqs: Vec<i64> = exports.iter().map(|export| export.seq).collect();
        let Some(outcome) = deliver(&forwarding, &upstream, exports, &mut backoff).await else {
            continue;
        };
        unsettled.fetch_add(1, Ordering::AcqRel);
        if settle.send((seqs, outcome)).await.is_err() {
            // The settler stopped with the writer.
            return;
        }
        sent_through = through;
    }
}

/// Whether this collector delivers now (asked on a blocking thread: it may wait on the
/// database).
async fn leads(leadership: &Arc<Mutex<Leadership>>) -> Result<bool, String> {
    let leadership = leadership.clone();
    let asked = tokio::task::spawn_blocking(move || leadership.lock().unwrap_or_else(PoisonError::into_inner).holds());
    match asked.await {
        Ok(answer) => answer.map_err(|error| error.to_string()),
        Err(error) => Err(error.to_string()),
    }
}

/// Aborts its task when dropped (the delivery loop's settler, when the loop is aborted).
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Sends one batch: its outcome, or `None` after waiting out a passing failure.
async fn deliver(
    forwarding: &Forwarding,
    upstream: &Upstream,
    exports: Vec<PendingExport>,
    backoff: &mut Backoff,
) -> Option<Outcome> {
    let spans: i64 = exports.iter().map(|export| export.spans).sum();
    let gzip = upstream.gzip();
    let body = match tokio::task::spawn_blocking(move || batch::join(&exports, gzip)).await {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "putting a forwarded batch together failed");
            tokio::time::sleep(backoff.next(None)).await;
            return None;
        }
    };
    match upstream.send(body).await {
        Answer::Delivered => {
            forwarding.live.succeeded(store::now_ns());
            backoff.reset();
            Some(Outcome::Delivered)
        }
        Answer::Refused { reason, message } => {
            tracing::warn!(spans, %reason, %message, "the upstream refused a forwarded batch; its spans are dropped");
            forwarding.live.failed(reason);
            Some(Outcome::Dropped)
        }
        Answer::Retry { after, reason, message } => {
            let wait = backoff.next(after);
            // Warned once per new failure; repeats of it only at debug level.
            if forwarding.live.seen().last_error.as_deref() != Some(reason.as_str()) {
                tracing::warn!(spans, %reason, %message, ?wait, "forwarding failed; retrying");
            } else {
                tracing::debug!(spans, %reason, %message, ?wait, "forwarding failed again; retrying");
            }
            forwarding.live.failed(reason);
            tokio::time::sleep(wait).await;
            None
        }
    }
}

/// Records each answered batch (its exports' positions and its outcome), in order, until
/// the delivery loop or the writer stops, counting down `unsettled`. A write that fails
/// (the writer's queue full under a burst of ingest, say) is tried again after a wait: a
/// batch is never skipped, so each settles exactly its own exports.
async fn settle_in_order(
    writer: Writer,
    mut answered: mpsc::Receiver<(Vec<i64>, Outcome)>,
    unsettled: Arc<AtomicUsize>,
) {
    while let Some((seqs, outcome)) = answered.recv().await {
        let mut backoff = Backoff::default();
        let seqs = Arc::new(seqs);
        loop {
            let settled = seqs.clone();
            match writer.write(move |tx| outbox::settle(tx, &settled, outcome)).await {
                Ok(_) => {
                    unsettled.fetch_sub(1, Ordering::AcqRel);
                    break;
                }
                Err(WriteError::Stopped) => return,
                Err(WriteError::Overloaded) => tokio::time::sleep(backoff.next(None)).await,
                Err(error) => {
                    tracing::error!(%error, "forwarding cannot record a delivered batch; retrying");
                    tokio::time::sleep(backoff.next(None)).await;
                }
            }
        }
    }
}

/// Runs `query` on a pooled read connection, on a blocking thread.
async fn read<T: Send + 'static>(
    store: &Store,
    query: impl FnOnce(&db::Connection) -> db::Result<T> + Send + 'static,
) -> Result<T, String> {
    let store = store.clone();
    match tokio::task::spawn_blocking(move || store.read(query)).await {
        Ok(result) => result.map_err(|error: db::Error| error.to_string()),
        Err(error) => Err(error.to_string()),
    }
}
