//! The `serve` settings of authentication: how long a verified key is trusted before it
//! is read again, and how many failed attempts a client or key gets per minute.

use std::time::Duration;

use clap::Args;

/// Longest `--key-cache-ttl`: a revocation elsewhere always takes effect within it.
const MAX_KEY_CACHE_TTL: Duration = Duration::from_secs(600);

/// Authentication settings of `langtrace serve`.
#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    /// How long a verified key is trusted before the store is asked again (at most 10m;
    /// `0s` asks on every request): a key revoked or rotated by `langtrace keys` stops
    /// working on a running server within this time, one revoked through its API at once.
    #[arg(long, env = "LANGTRACE_KEY_CACHE_TTL", default_value = "30s", value_parser = key_cache_ttl)]
    pub key_cache_ttl: Duration,
    /// Failed authentications per minute from one client address (IPv6: per /64) and for
    /// one key before every attempt from it, or with it, gets 429 + `Retry-After` for the
    /// rest of the minute; 0 turns the limit off.
    #[arg(long, env = "LANGTRACE_AUTH_FAILURE_LIMIT", default_value_t = 20)]
    pub auth_failure_limit: u32,
}

impl Default for AuthArgs {
    fn default() -> Self {
        Self { key_cache_ttl: Duration::from_secs(30), auth_failure_limit: 20 }
    }
}

/// A `humantime` duration of at most [`MAX_KEY_CACHE_TTL`].
fn key_cache_ttl(text: &str) -> Result<Duration, String> {
    let ttl = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if ttl > MAX_KEY_CACHE_TTL {
        return Err(format!("at most {}", humantime::format_duration(MAX_KEY_CACHE_TTL)));
    }
    Ok(ttl)
}
