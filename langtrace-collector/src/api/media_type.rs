//! How stored media bytes are labelled when served. The declared content type is whatever
//! a client announced, so it is parsed strictly (one `type/subtype` of token characters,
//! parameters dropped, lower-cased) and served inline only when that essence is on
//! [`INLINE`] or is `audio/*` / `video/*`; anything else (a list such as
//! `image/png,text/html`, `text/html`, `image/svg+xml`, garbage) is served as
//! `application/octet-stream` with `Content-Disposition: attachment`, so a browser never
//! renders it in this origin.

use axum::http::{header, HeaderMap, HeaderValue};

/// Types served inline besides `audio/*` and `video/*`.
pub const INLINE: &[&str] =
    &["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "application/json"];

/// What everything off the allowlist is served as.
const DOWNLOAD: &str = "application/octet-stream";

/// Sets `Content-Type` (and `Content-Disposition: attachment` for a download) for bytes
/// declared as `declared`.
pub fn label(headers: &mut HeaderMap, declared: &str) {
    match inline_essence(declared) {
        Some(essence) => {
            let value = HeaderValue::from_str(&essence).expect("token characters are a valid header value");
            headers.insert(header::CONTENT_TYPE, value);
        }
        None => {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(DOWNLOAD));
            headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
        }
    }
}

/// The essence of `declared` when it may be served inline.
fn inline_essence(declared: &str) -> Option<String> {
    let essence = declared.split(';').next()?.trim().to_ascii_lowercase();
    let (kind, subtype) = essence.split_once('/')?;
    let valid = |part: &str| !part.is_empty() && part.chars().all(is_token_char);
    if !valid(kind) || !valid(subtype) {
        return None;
    }
    let allowed = matches!(kind, "audio" | "video") || INLINE.contains(&essence.as_str());
    allowed.then_some(essence)
}

/// RFC 9110's `tchar`.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served(declared: &str) -> (String, bool) {
        let mut headers = HeaderMap::new();
        label(&mut headers, declared);
        let content_type = headers[header::CONTENT_TYPE].to_str().unwrap().to_owned();
        (content_type, headers.contains_key(header::CONTENT_DISPOSITION))
    }

    #[test]
    fn allowlisted_essences_are_inline_with_parameters_dropped() {
        assert_eq!(served("image/png"), ("image/png".into(), false));
        assert_eq!(served("IMAGE/JPEG; q=1"), ("image/jpeg".into(), false));
        assert_eq!(served("text/plain; charset=utf-8"), ("text/plain".into(), false));
        assert_eq!(served("audio/ogg"), ("audio/ogg".into(), false));
        assert_eq!(served("video/mp4"), ("video/mp4".into(), false));
        assert_eq!(served("application/pdf"), ("application/pdf".into(), false));
    }

    #[test]
    fn everything_else_is_an_attachment() {
        for declared in [
            "image/png,text/html",
            "image/png, text/html",
            "text/html",
            "image/svg+xml",
            "application/javascript",
            "image/",
            "/png",
            "image",
            "",
            "image/png\u{0}",
            "audio/ogg video/mp4",
        ] {
            assert_eq!(served(declared), (DOWNLOAD.into(), true), "{declared:?}");
        }
    }
}
