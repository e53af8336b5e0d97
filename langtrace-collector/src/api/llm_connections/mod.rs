//! LLM connections on Langfuse's routes and shapes (`/api/public/llm-connections`): a
//! project's provider keys, listed, upserted on the provider name, deleted; and
//! langtrace's own connection test. The secret is sealed before the writer sees it and
//! is never answered, logged or sent anywhere but to its provider.
//!
//! - `wire`: the JSON shapes and the validation of an upsert;
//! - `manage`: list, upsert, delete;
//! - `check`: `POST /api/public/llm-connections/{id}/test`.

pub mod check;
pub mod manage;
pub mod wire;

use crate::app::{ApiError, AppState};
use crate::providers::{Adapter, Endpoint};
use crate::store::connections::ConnectionRow;

/// The connection of `row`, its secret and extra headers opened, ready to call.
pub fn endpoint(state: &AppState, row: &ConnectionRow) -> Result<Endpoint, ApiError> {
    let adapter =
        Adapter::parse(&row.adapter).ok_or_else(|| ApiError::internal(format!("stored adapter {:?}", row.adapter)))?;
    let secret_box = state.keyring.get().map_err(ApiError::internal)?;
    let undecryptable = |_| {
        ApiError::Conflict(format!(
            "the secret of LLM connection '{}' cannot be decrypted: it was stored under another encryption key \
             (--encryption-key / LANGTRACE_ENCRYPTION_KEY, or the data directory's encryption.key); store the \
             connection again",
            row.provider
        ))
    };
    let secret = secret_box.open(&row.sealed_secret).map_err(undecryptable)?;
    let extra_headers = match &row.sealed_extra_headers {
        Some(sealed) => {
            let text = secret_box.open(sealed).map_err(undecryptable)?;
            serde_json::from_str::<Vec<(String, String)>>(&text).map_err(ApiError::internal)?
        }
        None => Vec::new(),
    };
    let base_url = row.base_url.clone().unwrap_or_else(|| adapter.default_base_url().to_owned());
    Ok(Endpoint { adapter, base_url, secret, extra_headers })
}
