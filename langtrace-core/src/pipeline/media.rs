//! Media extraction: base64 data URIs anywhere in a value are replaced by Langfuse's
//! media reference string and their bytes kept for upload (see `docs/wire-format.md`,
//! "Media references").

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::record::{MediaField, MediaRecord, MediaSource};

/// Langfuse's media id of content with SHA-256 `digest`: the URL-safe base64 of the
/// digest, cut to 22 characters (identical bytes, identical id).
pub fn media_id(digest: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(digest).chars().take(22).collect()
}

/// Builds the media record (ids, hash, reference string) for some bytes.
pub fn media_record(bytes: Vec<u8>, content_type: &str, field: MediaField, source: MediaSource) -> MediaRecord {
    let digest = Sha256::digest(&bytes);
    let media_id = media_id(&digest);
    let reference = format!("@@@langfuseMedia:type={content_type}|id={media_id}|source={}@@@", source.as_str());
    MediaRecord {
        media_id,
        content_type: content_type.to_owned(),
        sha256_hash: STANDARD.encode(digest),
        field,
        source,
        reference,
        bytes,
    }
}

/// Decodes a `data:<mime>;base64,<payload>` URI; `None` for anything else.
fn parse_data_uri(text: &str) -> Option<(&str, Vec<u8>)> {
    let rest = text.strip_prefix("data:")?;
    let (header, payload) = rest.split_once(',')?;
    let mime = header.strip_suffix(";base64")?;
    if mime.is_empty() || !mime.contains('/') {
        return None;
    }
    let bytes = STANDARD.decode(payload.trim()).ok()?;
    Some((mime, bytes))
}

/// Replaces every data URI string in `value` (recursively) and appends its media record
/// to `found`, once per distinct media id.
pub(crate) fn extract(value: &mut Value, field: MediaField, found: &mut Vec<MediaRecord>) {
    match value {
        Value::String(text) if text.starts_with("data:") => {
            if let Some((mime, bytes)) = parse_data_uri(text) {
                let record = media_record(bytes, mime, field, MediaSource::Base64DataUri);
                *text = record.reference.clone();
                if !found.iter().any(|m| m.media_id == record.media_id) {
                    found.push(record);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| extract(item, field, found)),
        Value::Object(map) => map.values_mut().for_each(|item| extract(item, field, found)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn data_uris_become_references() {
        let png = STANDARD.encode(b"\x89PNG fake image bytes");
        let uri = format!("data:image/png;base64,{png}");
        let mut value = json!({"messages": [{"content": [{"type": "image_url", "image_url": {"url": uri}}]}], "text": "data: not media"});
        let mut found = Vec::new();
        extract(&mut value, MediaField::Input, &mut found);
        assert_eq!(found.len(), 1);
        let media = &found[0];
        assert_eq!(media.bytes, b"\x89PNG fake image bytes");
        assert_eq!(media.media_id.len(), 22);
        assert!(!media.media_id.contains('+') && !media.media_id.contains('/'));
        assert_eq!(
            value["messages"][0]["content"][0]["image_url"]["url"],
            json!(format!("@@@langfuseMedia:type=image/png|id={}|source=base64_data_uri@@@", media.media_id))
        );
        assert_eq!(value["text"], "data: not media");
        assert_eq!(media.sha256_hash, STANDARD.encode(Sha256::digest(b"\x89PNG fake image bytes")));
    }

    #[test]
    fn identical_bytes_share_an_id_and_bad_payloads_stay() {
        let uri = format!("data:audio/wav;base64,{}", STANDARD.encode(b"RIFF"));
        let mut value = json!([uri.clone(), uri, "data:image/png;base64,!!!notbase64"]);
        let mut found = Vec::new();
        extract(&mut value, MediaField::Output, &mut found);
        assert_eq!(found.len(), 1);
        assert_eq!(value[0], value[1]);
        assert_eq!(value[2], "data:image/png;base64,!!!notbase64");
    }
}
