//! Media payloads taken out of observations: where they were found and what an exporter
//! needs to upload them (see `docs/wire-format.md`, "Media references").

use serde::{Deserialize, Serialize};

/// Which part of an observation a media payload was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaField {
    /// The input.
    Input,
    /// The output.
    Output,
    /// The metadata.
    Metadata,
}

/// Where a media payload came from (the `source=` part of the reference string).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaSource {
    /// A `data:<mime>;base64,...` URI in traced text.
    Base64DataUri,
    /// Bytes given explicitly.
    Bytes,
    /// A file read by the application.
    File,
}

impl MediaSource {
    /// The spelling used inside media reference strings.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaSource::Base64DataUri => "base64_data_uri",
            MediaSource::Bytes => "bytes",
            MediaSource::File => "file",
        }
    }
}

/// A media payload taken out of an observation and replaced by its reference string;
/// the bytes travel with the record so an exporter can upload them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaRecord {
    /// URL-safe content id: SHA-256 of the bytes, URL-safe base64, 22 characters.
    pub media_id: String,
    /// MIME type, e.g. `image/png`.
    pub content_type: String,
    /// SHA-256 of the bytes, standard base64 (what Langfuse's media API expects).
    pub sha256_hash: String,
    /// The field the payload was found in.
    pub field: MediaField,
    /// Where the payload came from.
    pub source: MediaSource,
    /// The `@@@langfuseMedia:...@@@` string that replaced the payload.
    pub reference: String,
    /// The decoded bytes.
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

mod base64_bytes {
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        base64::engine::general_purpose::STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}
