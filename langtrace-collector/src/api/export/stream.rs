//! The streamed answer of an export. The rows are read [`BATCH_ROWS`] at a time, each
//! batch as one API read (a read slot and the read time budget, on a blocking thread,
//! see [`crate::app::reads`]) that also encodes it; the encoded batch goes to the
//! response body through a channel of [`QUEUED_CHUNKS`]. The next batch is read only
//! once the channel has room, so an export holds at most a few batches whatever its
//! size, and stops at the next batch once its client has gone.
//!
//! The first batch is read before the answer starts, so an export that cannot start (no
//! read slot, a failing query) answers its error status. A later failure can no longer
//! change the status: the body is cut off (the chunked encoding never ends), which every
//! HTTP client reports as an incomplete download, and the cause goes to the log.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use tokio::sync::mpsc;

use super::format::Format;
use super::{Encoder, Item};
use crate::app::{ApiError, AppState};
use crate::store::db::Connection;

/// Rows read per batch (each input and output may be as large as the ingest cap).
pub const BATCH_ROWS: u32 = 100;

/// Encoded batches waiting for the client at most.
pub const QUEUED_CHUNKS: usize = 2;

/// An export's rows, read batch by batch.
pub trait Batches: Send + 'static {
    /// The next [`BATCH_ROWS`] rows at most, after those already read; none at the end.
    fn next(&mut self, connection: &Connection) -> Result<Vec<Item>, ApiError>;
}

/// An export under way: its rows and its encoder.
struct Export {
    batches: Box<dyn Batches>,
    encoder: Box<dyn Encoder>,
    done: bool,
}

impl Export {
    /// Reads and encodes the next batch (the encoder's end after the last).
    fn step(mut self, connection: &Connection) -> Result<(Self, Vec<u8>), ApiError> {
        let items = self.batches.next(connection)?;
        let mut out = Vec::new();
        for item in &items {
            self.encoder.item(item, &mut out);
        }
        if items.is_empty() {
            self.encoder.finish(&mut out);
            self.done = true;
        }
        Ok((self, out))
    }
}

/// A body chunk, or the error that cuts the body off.
type Chunk = Result<Bytes, std::io::Error>;

/// The streamed answer of an export of `batches` encoded by `encoder` as `format`,
/// downloaded as `<file_stem>.<extension>`.
pub async fn respond(
    state: AppState,
    file_stem: &str,
    format: Format,
    batches: impl Batches,
    mut encoder: impl Encoder,
) -> Result<Response, ApiError> {
    let mut first = Vec::new();
    encoder.start(&mut first);
    let export = Export { batches: Box::new(batches), encoder: Box::new(encoder), done: false };
    let (export, batch) = state.read(move |connection| export.step(connection)).await?;
    first.extend(batch);
    let (sender, mut receiver) = mpsc::channel::<Chunk>(QUEUED_CHUNKS);
    sender.try_send(Ok(first.into())).expect("a new channel has room");
    if !export.done {
        tokio::spawn(produce(state, export, sender));
    }
    let chunks = futures_util::stream::poll_fn(move |context| receiver.poll_recv(context));
    let mut response = Response::new(Body::from_stream(chunks));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
    let disposition = format!("attachment; filename=\"{file_stem}.{}\"", format.extension());
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).map_err(ApiError::internal)?);
    Ok(response)
}

/// Reads, encodes and queues the batches after the first, each once the channel has
/// room; stops when the client has gone or a read fails.
async fn produce(state: AppState, mut export: Export, sender: mpsc::Sender<Chunk>) {
    loop {
        let Ok(room) = sender.reserve().await else { return };
        let (next, chunk) = match state.read(move |connection| export.step(connection)).await {
            Ok(stepped) => stepped,
            Err(error) => {
                tracing::warn!(%error, "an export stopped before its end");
                room.send(Err(std::io::Error::other(error.to_string())));
                return;
            }
        };
        if !chunk.is_empty() {
            room.send(Ok(chunk.into()));
        }
        if next.done {
            return;
        }
        export = next;
    }
}
