//! The JSON shapes of LLM connections (Langfuse's): the upsert body, validated into a
//! sealed [`NewConnection`], and the answer, which carries a masked form of the secret
//! (first 6 characters, `...`, last 4) and the names of the extra headers, never their
//! values.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::wire::iso;
use crate::app::ApiError;
use crate::providers::Adapter;
use crate::secrets::SecretBox;
use crate::store::connections::ConnectionRow;
use crate::store::write::connections::NewConnection;

/// Longest provider name.
const MAX_PROVIDER_LEN: usize = 100;

/// Body of `PUT /api/public/llm-connections`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpsertBody {
    provider: String,
    adapter: String,
    secret_key: String,
    #[serde(rename = "baseURL")]
    base_url: Option<String>,
    custom_models: Option<Vec<String>>,
    with_default_models: Option<bool>,
    extra_headers: Option<BTreeMap<String, String>>,
    config: Option<Value>,
}

impl UpsertBody {
    /// The connection to store: validated (400 naming the field), the secret and extra
    /// headers sealed.
    pub fn validate(self, secret_box: &SecretBox) -> Result<NewConnection, ApiError> {
        let bad = |message: &str| Err(ApiError::BadRequest(message.to_owned()));
        if self.provider.trim().is_empty() || self.provider.len() > MAX_PROVIDER_LEN || self.provider.contains(':') {
            return bad("provider must be 1-100 characters without ':' (the proxy's model is '<provider>:<model>')");
        }
        let Some(adapter) = Adapter::parse(&self.adapter) else {
            return bad("adapter must be one of: openai, anthropic");
        };
        if self.secret_key.is_empty() {
            return bad("secretKey must not be empty");
        }
        let base_url = match self.base_url.filter(|url| !url.trim().is_empty()) {
            Some(url) if reqwest::Url::parse(url.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) => {
                Some(url.trim().trim_end_matches('/').to_owned())
            }
            Some(_) => return bad("baseURL must be an http:// or https:// URL"),
            None => None,
        };
        let extra_headers: Vec<(String, String)> = self.extra_headers.unwrap_or_default().into_iter().collect();
        for (name, value) in &extra_headers {
            let valid = reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_ok()
                && reqwest::header::HeaderValue::from_str(value).is_ok();
            if !valid {
                return Err(ApiError::BadRequest(format!(
                    "extraHeaders: {name:?} is not a valid header name and value"
                )));
            }
        }
        if self.config.as_ref().is_some_and(|config| !config.is_object() && !config.is_null()) {
            return bad("config must be an object");
        }
        let header_keys: Vec<&String> = extra_headers.iter().map(|(name, _)| name).collect();
        Ok(NewConnection {
            id: format!("llmc-{}", crate::auth::random_hex(12)),
            display_secret: display_secret(&self.secret_key),
            sealed_secret: secret_box.seal(&self.secret_key),
            extra_header_keys: serde_json::to_string(&header_keys).map_err(ApiError::internal)?,
            sealed_extra_headers: (!extra_headers.is_empty())
                .then(|| serde_json::to_string(&extra_headers).map(|text| secret_box.seal(&text)))
                .transpose()
                .map_err(ApiError::internal)?,
            provider: self.provider,
            adapter: adapter.as_str().to_owned(),
            base_url,
            custom_models: serde_json::to_string(&self.custom_models.unwrap_or_default())
                .map_err(ApiError::internal)?,
            with_default_models: self.with_default_models.unwrap_or(true),
            config: self.config.filter(|c| !c.is_null()).map(|c| c.to_string()),
        })
    }
}

/// The masked form of a secret: its first 6 characters, `...`, its last 4 (only `...`
/// for a secret too short to show 10 characters of).
pub fn display_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 16 {
        return "...".to_owned();
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}...{tail}")
}

/// A connection as the API answers it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LlmConnection {
    id: String,
    provider: String,
    adapter: String,
    display_secret_key: String,
    #[serde(rename = "baseURL")]
    base_url: Option<String>,
    custom_models: Vec<String>,
    with_default_models: bool,
    extra_header_keys: Vec<String>,
    config: Option<Value>,
    created_at: String,
    updated_at: String,
}

impl From<ConnectionRow> for LlmConnection {
    fn from(row: ConnectionRow) -> Self {
        LlmConnection {
            id: row.id,
            provider: row.provider,
            adapter: row.adapter,
            display_secret_key: row.display_secret,
            base_url: row.base_url,
            custom_models: serde_json::from_str(&row.custom_models).unwrap_or_default(),
            with_default_models: row.with_default_models,
            extra_header_keys: serde_json::from_str(&row.extra_header_keys).unwrap_or_default(),
            config: row.config.and_then(|text| serde_json::from_str(&text).ok()),
            created_at: iso(row.created_at),
            updated_at: iso(row.updated_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::display_secret;

    #[test]
    fn secrets_are_masked() {
        assert_eq!(display_secret("sk-proj-abcdefghijklmnop1234"), "sk-pro...1234");
        assert_eq!(display_secret("short-secret"), "...");
    }
}
