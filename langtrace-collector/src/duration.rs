//! Durations as settings take them: `humantime` text (`10s`, `2m`), longer than zero.

use std::time::Duration;

/// Parses a `humantime` duration longer than zero (a `clap` value parser).
pub fn positive(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(duration) if duration.is_zero() => Err("must be longer than 0s".to_owned()),
        Ok(duration) => Ok(duration),
        Err(error) => Err(error.to_string()),
    }
}
