//! Deleting traces through the writer: one job per bounded step (see
//! [`crate::store::write::delete`]), so ingest batches interleave with a deletion of any
//! size, then one job releasing the media bytes nothing references any more. Each job is
//! acknowledged once committed and synced, so a deletion answered is durable.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::store::db;
use crate::store::write::delete::{self, Step};
use crate::writer::{LockKey, WriteError, Writer};

/// Tries of a step while the writer's queue is full: a deletion yields to ingest rather
/// than fail at its first refusal.
const TRIES_WHEN_FULL: u32 = 100;
/// The wait between two tries.
const WAIT_WHEN_FULL: Duration = Duration::from_millis(50);

/// Deletes `trace_ids` of `project_id` with every row they own, and the media bytes in
/// `media_dir` no project references once they are gone; the traces removed.
pub async fn traces(
    writer: &Writer,
    media_dir: &Path,
    project_id: &str,
    trace_ids: Vec<String>,
) -> Result<usize, WriteError> {
    let (project_id, trace_ids) = (Arc::<str>::from(project_id), Arc::new(trace_ids));
    // Spans of these traces arriving at another collector meanwhile wait for each step.
    let locks: Vec<LockKey> = trace_ids.iter().map(|trace_id| LockKey::trace(&project_id, trace_id)).collect();
    loop {
        let step = patiently(writer, &locks, {
            let (project_id, trace_ids) = (project_id.clone(), trace_ids.clone());
            move || {
                let (project_id, trace_ids) = (project_id.clone(), trace_ids.clone());
                move |tx: &db::Transaction<'_>| delete::step(tx, &project_id, &trace_ids)
            }
        })
        .await?;
        let Step::Done { traces, media_hashes } = step else { continue };
        if !media_hashes.is_empty() {
            let (media_dir, hashes) = (PathBuf::from(media_dir), Arc::new(media_hashes));
            patiently(writer, &[], move || {
                let (media_dir, hashes) = (media_dir.clone(), hashes.clone());
                move |tx: &db::Transaction<'_>| delete::release_media(tx, &media_dir, &hashes)
            })
            .await?;
        }
        return Ok(traces);
    }
}

/// Runs the job `make` builds holding `locks`, again while the writer's queue is full (up
/// to [`TRIES_WHEN_FULL`] times).
async fn patiently<T, F>(writer: &Writer, locks: &[LockKey], make: impl Fn() -> F) -> Result<T, WriteError>
where
    T: Send + 'static,
    F: FnMut(&db::Transaction<'_>) -> db::Result<T> + Send + 'static,
{
    let mut tries = 0;
    loop {
        match writer.write_locked(locks.to_vec(), make()).await {
            Err(WriteError::Overloaded) if tries + 1 < TRIES_WHEN_FULL => {
                tries += 1;
                tokio::time::sleep(WAIT_WHEN_FULL).await;
            }
            outcome => return outcome,
        }
    }
}
