//! Media attached explicitly, as Langfuse's `LangfuseMedia` allows: bytes or a file with a
//! validated content type, usable as or inside an input, output or metadata value.
//!
//! A [`Media`] serializes as a data URI carrying where it came from
//! (`data:<type>;langtrace-source=<bytes|file>;base64,<payload>`); the pipeline's media step
//! (`pipeline/media.rs`) turns it into the same `@@@langfuseMedia:...@@@` reference as any
//! data URI, with `source=bytes` or `source=file`, and its bytes go through the same
//! upload flow. Media larger than the payload limit are refused there and counted
//! ([`PipelineStats::media_refused`](crate::PipelineStats)).

use std::io::Read;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Serialize, Serializer};

use crate::record::MediaSource;

/// The data URI parameter that says where explicit media came from.
pub(crate) const SOURCE_PARAM: &str = "langtrace-source";

/// The most bytes [`Media::from_file`] reads: a larger file is refused before it is read.
pub const MAX_MEDIA_FILE_BYTES: u64 = 64 << 20;

/// Top-level media types a content type may have (RFC 6838).
const TOP_LEVEL_TYPES: [&str; 9] =
    ["application", "audio", "font", "image", "message", "model", "multipart", "text", "video"];

/// Content types by file extension (lower case), for [`Media::from_file`].
const BY_EXTENSION: [(&str, &str); 17] = [
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("svg", "image/svg+xml"),
    ("mp3", "audio/mpeg"),
    ("wav", "audio/wav"),
    ("ogg", "audio/ogg"),
    ("m4a", "audio/mp4"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
    ("pdf", "application/pdf"),
    ("json", "application/json"),
    ("txt", "text/plain"),
    ("csv", "text/csv"),
    ("md", "text/markdown"),
];

/// Why a [`Media`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The content type is not `type/subtype` with a registered top-level type.
    #[error("invalid media content type {0:?}: expected type/subtype such as image/png, without parameters")]
    ContentType(String),
    /// The file's extension names no known content type.
    #[error("no content type known for the extension of {0}: give one with Media::from_file_as")]
    UnknownExtension(PathBuf),
    /// The file is larger than [`MAX_MEDIA_FILE_BYTES`].
    #[error("{path} holds {size} bytes, more than the {MAX_MEDIA_FILE_BYTES} a Media reads")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
    },
    /// The file could not be read.
    #[error("cannot read media file {path}: {error}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: std::io::Error,
    },
}

/// Bytes with a content type, attached to an input, output or metadata value as a media
/// reference (serialize it into the value: `json!({"image": media})`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Media {
    content_type: String,
    bytes: Vec<u8>,
    source: MediaSource,
}

impl Media {
    /// Media of `content_type` (`type/subtype`, such as `image/png`; case-insensitive).
    pub fn from_bytes(content_type: &str, bytes: impl Into<Vec<u8>>) -> Result<Self, MediaError> {
        Ok(Media { content_type: validate(content_type)?, bytes: bytes.into(), source: MediaSource::Bytes })
    }

    /// The file at `path`, its content type from its extension (`png`, `jpg`, `mp3`,
    /// `wav`, `mp4`, `pdf`, `json`, `txt`, ...).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, MediaError> {
        let path = path.as_ref();
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        let content_type = BY_EXTENSION
            .iter()
            .find(|(known, _)| Some(*known) == extension.as_deref())
            .map(|(_, content_type)| *content_type)
            .ok_or_else(|| MediaError::UnknownExtension(path.to_owned()))?;
        Self::from_file_as(path, content_type)
    }

    /// The file at `path`, of `content_type`.
    pub fn from_file_as(path: impl AsRef<Path>, content_type: &str) -> Result<Self, MediaError> {
        let path = path.as_ref();
        let content_type = validate(content_type)?;
        let read_error = |error| MediaError::Read { path: path.to_owned(), error };
        let file = std::fs::File::open(path).map_err(read_error)?;
        let size = file.metadata().map_err(read_error)?.len();
        if size > MAX_MEDIA_FILE_BYTES {
            return Err(MediaError::TooLarge { path: path.to_owned(), size });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        // Bounded even if the file grows while it is read.
        file.take(MAX_MEDIA_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(read_error)?;
        if bytes.len() as u64 > MAX_MEDIA_FILE_BYTES {
            return Err(MediaError::TooLarge { path: path.to_owned(), size: bytes.len() as u64 });
        }
        Ok(Media { content_type, bytes, source: MediaSource::File })
    }

    /// The content type, in lower case.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl Serialize for Media {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let payload = STANDARD.encode(&self.bytes);
        let source = self.source.as_str();
        serializer.serialize_str(&format!("data:{};{SOURCE_PARAM}={source};base64,{payload}", self.content_type))
    }
}

/// `content_type` in lower case if it is `type/subtype` with a registered top-level type
/// and a subtype of token characters (RFC 6838), without parameters.
fn validate(content_type: &str) -> Result<String, MediaError> {
    let lower = content_type.trim().to_ascii_lowercase();
    let valid = lower.split_once('/').is_some_and(|(top, subtype)| {
        let token = |c: char| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c);
        TOP_LEVEL_TYPES.contains(&top)
            && (1..=127).contains(&subtype.len())
            && subtype.starts_with(|c: char| c.is_ascii_alphanumeric())
            && subtype.chars().all(token)
    });
    if valid {
        Ok(lower)
    } else {
        Err(MediaError::ContentType(content_type.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_validated_and_lower_cased() {
        assert_eq!(Media::from_bytes("Image/PNG", b"x".to_vec()).unwrap().content_type(), "image/png");
        assert_eq!(
            Media::from_bytes("application/vnd.api+json", b"{}".to_vec()).unwrap().content_type(),
            "application/vnd.api+json"
        );
        for bad in [
            "",
            "png",
            "image/",
            "/png",
            "image/png; charset=x",
            "image/png,evil",
            "foo/bar",
            "image/p|ng",
            "image/p@ng",
        ] {
            let error = Media::from_bytes(bad, b"x".to_vec()).unwrap_err();
            assert!(matches!(error, MediaError::ContentType(_)), "{bad:?}: {error}");
        }
    }

    #[test]
    fn files_take_their_type_from_the_extension_or_the_caller() {
        let dir = std::env::temp_dir().join(format!("langtrace-media-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let png = dir.join("pixel.PNG");
        std::fs::write(&png, b"\x89PNG").unwrap();
        let media = Media::from_file(&png).unwrap();
        assert_eq!((media.content_type(), media.bytes()), ("image/png", &b"\x89PNG"[..]));
        let raw = dir.join("recording.raw");
        std::fs::write(&raw, b"RIFF").unwrap();
        assert!(matches!(Media::from_file(&raw), Err(MediaError::UnknownExtension(_))));
        assert_eq!(Media::from_file_as(&raw, "audio/wav").unwrap().content_type(), "audio/wav");
        let missing = Media::from_file(dir.join("missing.png")).unwrap_err();
        assert!(missing.to_string().contains("missing.png"), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn media_serialize_as_data_uris_that_say_their_source() {
        let media = Media::from_bytes("image/png", b"\x89PNG".to_vec()).unwrap();
        let value = serde_json::to_value(serde_json::json!({"image": media})).unwrap();
        let expected = format!("data:image/png;langtrace-source=bytes;base64,{}", STANDARD.encode(b"\x89PNG"));
        assert_eq!(value["image"], expected);
    }
}
