//! The HTTP plumbing of Langfuse's public API shared by langtrace's clients
//! (`langtrace-prompts`, `langtrace-datasets`): credentials to a reqwest client, the
//! error with the server's message, path encoding, and the retry of reads.

mod connection;
mod error;
mod path;
mod retry;

pub use connection::{execute, send, Connection, Settings};
pub use error::Error;
pub use path::encode;
pub use retry::{retry, Retries, Retryable};

/// Items the [`client_error!`] expansion names; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use langtrace_core::ConfigError;
}
