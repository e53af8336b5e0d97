//! `OTEL_EXPORTER_OTLP_HEADERS`: `key=value` pairs separated by commas, values
//! percent-encoded, as the OTLP specification defines them. Values carry credentials, so
//! no error repeats one: a refused setting is shown with its header names only.

use langtrace_core::config::Found;
use langtrace_core::ConfigError;

/// Parses `key=value,key2=value2` (values percent-decoded).
pub(super) fn parse_headers(found: &Found) -> Result<Vec<(String, String)>, ConfigError> {
    let refuse = |reason: String| redacted(found).invalid(reason);
    let mut headers = Vec::new();
    for (index, pair) in found.value.split(',').filter(|p| !p.trim().is_empty()).enumerate() {
        let (key, value) =
            pair.split_once('=').ok_or_else(|| refuse(format!("entry {} is not key=value", index + 1)))?;
        let key = key.trim();
        let value = percent_decode(value.trim())
            .ok_or_else(|| refuse(format!("bad percent-encoding in the value of `{key}`")))?;
        let name = http::HeaderName::try_from(key).map_err(|_| refuse(format!("`{key}` is not a header name")))?;
        http::HeaderValue::try_from(value.as_str())
            .map_err(|_| refuse(format!("the value of `{key}` is not a header value")))?;
        headers.push((name.as_str().to_owned(), value));
    }
    Ok(headers)
}

/// The setting as an error may show it: each entry's key with its value redacted.
fn redacted(found: &Found) -> Found {
    let entries: Vec<String> = found
        .value
        .split(',')
        .filter(|pair| !pair.trim().is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) => format!("{}=<redacted>", key.trim()),
            None => "<redacted>".to_owned(),
        })
        .collect();
    Found { value: entries.join(","), source: found.source.clone() }
}

/// Percent-decodes UTF-8 text; `None` for a `%` not followed by two hex digits (which
/// `percent-encoding` would pass through) or bytes that are not UTF-8.
pub(super) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let well_formed = bytes
        .iter()
        .enumerate()
        .filter(|(_, &byte)| byte == b'%')
        .all(|(at, _)| bytes.get(at + 1..at + 3).is_some_and(|digits| digits.iter().all(u8::is_ascii_hexdigit)));
    if !well_formed {
        return None;
    }
    percent_encoding::percent_decode_str(text).decode_utf8().ok().map(|text| text.into_owned())
}
