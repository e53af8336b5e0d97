//! Media extraction: base64 data URIs anywhere in a value (explicit [`Media`](crate::Media)
//! among them) are replaced by Langfuse's media reference string and their bytes kept for
//! upload (see `docs/wire-format.md`, "Media references").

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::attachment::SOURCE_PARAM;
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

/// Decodes a `data:<mime>;base64,<payload>` URI, and where it came from: explicit
/// [`Media`](crate::Media) say so with a `langtrace-source` parameter; `None` for anything
/// else.
fn parse_data_uri(text: &str) -> Option<(&str, Vec<u8>, MediaSource)> {
    let rest = text.strip_prefix("data:")?;
    let (header, payload) = rest.split_once(',')?;
    let header = header.strip_suffix(";base64")?;
    let explicit = header.rsplit_once(';').and_then(|(mime, param)| {
        let source = match param.strip_prefix(SOURCE_PARAM)?.strip_prefix('=')? {
            "bytes" => MediaSource::Bytes,
            "file" => MediaSource::File,
            _ => return None,
        };
        Some((mime, source))
    });
    let (mime, source) = explicit.unwrap_or((header, MediaSource::Base64DataUri));
    if mime.is_empty() || !mime.contains('/') {
        return None;
    }
    let bytes = STANDARD.decode(payload.trim()).ok()?;
    Some((mime, bytes, source))
}

/// Where extraction puts the media it finds.
pub(crate) trait Findings {
    /// The note that replaces explicit media of `mime` and `len` bytes when refused;
    /// `None` keeps it.
    fn refusal(&mut self, mime: &str, len: usize) -> Option<String>;
    /// Keeps a media record, once per media id.
    fn keep(&mut self, record: MediaRecord);
}

/// A plain list keeps every media.
impl Findings for Vec<MediaRecord> {
    fn refusal(&mut self, _mime: &str, _len: usize) -> Option<String> {
        None
    }

    fn keep(&mut self, record: MediaRecord) {
        if !self.iter().any(|m| m.media_id == record.media_id) {
            self.push(record);
        }
    }
}

/// What the pipeline's extraction found in a record's values: the media kept, and the
/// explicit media refused for being larger than the payload limit.
pub(crate) struct Found {
    /// One media record per distinct media id.
    pub media: Vec<MediaRecord>,
    /// Explicit media refused.
    pub refused: u64,
    /// The payload limit.
    max_bytes: usize,
}

impl Found {
    /// Nothing found yet; explicit media over `max_bytes` are to be refused.
    pub fn new(max_bytes: usize) -> Self {
        Found { media: Vec::new(), refused: 0, max_bytes }
    }
}

impl Findings for Found {
    fn refusal(&mut self, mime: &str, len: usize) -> Option<String> {
        (len > self.max_bytes).then(|| {
            self.refused += 1;
            format!("[media refused: {mime}, {len} bytes, over the {}-byte payload limit]", self.max_bytes)
        })
    }

    fn keep(&mut self, record: MediaRecord) {
        self.media.keep(record);
    }
}

/// Replaces every data URI string in `value` (recursively) by its media reference and
/// hands its media record to `found`. Explicit media `found` refuses are replaced by its
/// note instead (data URIs found in traced text are never refused: their bytes are in
/// memory already).
pub(crate) fn extract(value: &mut Value, field: MediaField, found: &mut impl Findings) {
    match value {
        Value::String(text) if text.starts_with("data:") => {
            if let Some((mime, bytes, source)) = parse_data_uri(text) {
                if source != MediaSource::Base64DataUri {
                    if let Some(note) = found.refusal(mime, bytes.len()) {
                        *text = note;
                        return;
                    }
                }
                let record = media_record(bytes, mime, field, source);
                *text = record.reference.clone();
                found.keep(record);
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

    #[test]
    fn explicit_media_keep_their_source_and_are_refused_over_the_limit() {
        let small = crate::Media::from_bytes("image/png", b"\x89PNG".to_vec()).unwrap();
        let large = crate::Media::from_bytes("audio/wav", vec![7u8; 2048]).unwrap();
        let mut value = serde_json::to_value(json!({"small": small, "large": large, "uri": format!("data:image/gif;base64,{}", STANDARD.encode([1u8; 2048]))})).unwrap();
        let mut found = Found::new(1024);
        extract(&mut value, MediaField::Metadata, &mut found);
        assert_eq!(found.refused, 1);
        assert_eq!(found.media.len(), 2, "the small explicit media and the data URI (not limited)");
        let small = found.media.iter().find(|m| m.content_type == "image/png").unwrap();
        assert_eq!((small.source, small.bytes.as_slice()), (MediaSource::Bytes, &b"\x89PNG"[..]));
        assert_eq!(value["small"], json!(small.reference));
        assert!(small.reference.ends_with("|source=bytes@@@"), "{}", small.reference);
        assert_eq!(value["large"], "[media refused: audio/wav, 2048 bytes, over the 1024-byte payload limit]");
        let mut unknown = json!("data:image/png;langtrace-source=elsewhere;base64,AAAA");
        extract(&mut unknown, MediaField::Input, &mut found);
        assert!(
            unknown.as_str().unwrap().contains("source=base64_data_uri"),
            "an unknown source is a plain parameter: {unknown}"
        );
    }
}
