//! The HTTP plumbing of Langfuse's public API shared by langtrace's clients
//! (`langtrace-prompts`, `langtrace-datasets`): credentials to a reqwest client, the
//! error with the server's message, path encoding.

mod connection;
mod error;
mod path;

pub use connection::{execute, send, Connection, Settings};
pub use error::Error;
pub use path::encode;

/// Items the [`client_error!`] expansion names; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use langtrace_core::ConfigError;
}
