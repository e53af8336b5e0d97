//! ISO-8601 times as nanoseconds since the epoch: the one parser the API's parameters and
//! bodies and the span attributes the writer reads (an experiment item's version) share.

use langtrace_core::record::Timestamp;

/// Parses an ISO-8601 time (`2024-05-01T12:00:00.123Z`, offset `Z` or `+00:00`) to
/// nanoseconds since the epoch.
pub fn parse_time(text: &str) -> Option<i64> {
    let trimmed = text.trim();
    let trimmed = trimmed.strip_suffix("+00:00").unwrap_or(trimmed).trim_end_matches('Z');
    let time = humantime::parse_rfc3339_weak(trimmed).ok()?;
    Some(Timestamp::from(time).0 as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_with_z_or_zero_offset() {
        assert_eq!(parse_time("2023-11-14T22:13:20.123Z"), Some(1_700_000_000_123_000_000));
        assert_eq!(parse_time("2023-11-14T22:13:20+00:00"), Some(1_700_000_000_000_000_000));
        assert_eq!(parse_time("yesterday"), None);
    }
}
