//! Settings of LLM connections: the key that seals their secrets and how long a provider
//! may take.

use std::time::Duration;

use clap::Args;

use crate::secrets::key::{parse_hex_key, HexKey};

/// LLM connection settings of `langtrace serve`.
#[derive(Debug, Clone, Args)]
pub struct ConnectionArgs {
    /// The 256-bit key (64 hex characters) that encrypts LLM connection secrets at rest.
    /// Unset: a key file `encryption.key` in the data directory, created on first use.
    #[arg(long, env = "LANGTRACE_ENCRYPTION_KEY", value_parser = parse_hex_key, hide_env_values = true)]
    pub encryption_key: Option<HexKey>,
    /// Longest a provider call may take from start to its last byte (playground, proxy,
    /// connection tests); past it the run ends with 504.
    #[arg(long, env = "LANGTRACE_PROVIDER_TIMEOUT", default_value = "120s", value_parser = crate::duration::positive)]
    pub provider_timeout: Duration,
    /// Longest a provider may stay silent: to connect, to its first byte, between two
    /// bytes of its stream; past it the run ends with 504.
    #[arg(long, env = "LANGTRACE_PROVIDER_IDLE_TIMEOUT", default_value = "30s", value_parser = crate::duration::positive)]
    pub provider_idle_timeout: Duration,
}

impl Default for ConnectionArgs {
    /// The defaults of `langtrace serve` (`langtrace demo` uses them): a key file, 120 s
    /// per call, 30 s of silence.
    fn default() -> Self {
        ConnectionArgs {
            encryption_key: None,
            provider_timeout: Duration::from_secs(120),
            provider_idle_timeout: Duration::from_secs(30),
        }
    }
}
