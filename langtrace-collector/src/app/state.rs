//! The state every handler can reach.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::app::reads::Reads;
use crate::app::ApiError;
use crate::auth::Authenticator;
use crate::store::db;
use crate::store::Store;
use crate::writer::Writer;

/// What every handler can reach; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Read access.
    pub store: Store,
    /// The single writer.
    pub writer: Writer,
    /// Key checks.
    pub auth: Authenticator,
    /// Server settings the handlers need.
    pub limits: Arc<Limits>,
    /// Read slots and time budget.
    pub reads: Reads,
    /// Model prices, matched before the writer.
    pub prices: crate::pricing::SharedPrices,
    /// Slots for decoding exports.
    pub decode_slots: crate::receive::slots::DecodeSlots,
    /// The key that seals LLM connection secrets.
    pub keyring: Arc<crate::secrets::key::Keyring>,
    /// The client that calls LLM providers.
    pub providers: crate::providers::Providers,
    /// Forwarding to an upstream OTLP endpoint, when configured.
    pub forward: Option<Arc<crate::forward::Forwarding>>,
}

/// Request limits and where media live.
#[derive(Debug)]
pub struct Limits {
    /// Largest request body, after decompression too.
    pub max_body_bytes: usize,
    /// Longest wait for an ingest request's body.
    pub body_timeout: Duration,
    /// How much one OTLP export may ask the collector to build.
    pub decode: crate::receive::limits::DecodeLimits,
    /// Where uploaded media bytes are stored (content-addressed).
    pub media_dir: PathBuf,
    /// The externally visible base URL, for media upload URLs.
    pub public_url: String,
    /// Caps on stored tags, metadata, inputs and outputs.
    pub stored: crate::store::write::StoredCaps,
}

impl AppState {
    /// Runs a read on a blocking thread with a pooled read-only connection, admitted and
    /// budgeted by [`Reads`] (stopped when the request is dropped).
    pub async fn read<T: Send + 'static>(
        &self,
        query: impl FnOnce(&db::Connection) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        self.reads.run(&self.store, query).await
    }
}
