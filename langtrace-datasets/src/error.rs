//! The one error type of the datasets client. No variant carries a key: requests
//! authenticate with a header that no error repeats.

use langtrace_core::ConfigError;

/// Why a dataset or experiment operation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting was refused (half a key pair, a base URL that is not a URL).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Neither the builder nor the environment gives Langfuse keys.
    #[error("no Langfuse keys: set LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY or pass them to the builder")]
    NotConfigured,
    /// The server has no such dataset, item, trace or observation (404).
    #[error("not found: {message}")]
    NotFound {
        /// The server's message.
        message: String,
    },
    /// The server refused the request.
    #[error("the server answered {status}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// The request did not complete (connection, timeout).
    #[error("request failed: {0}")]
    Transport(String),
    /// [`Experiment::run`](crate::Experiment::run) was called without a task.
    #[error("the experiment has no task: call .task(..) before .run()")]
    MissingTask,
    /// The answer was not the JSON expected.
    #[error("unexpected answer: {0}")]
    Decode(String),
}

impl Error {
    /// Whether trying again may succeed: connection failures, 429 and 5xx.
    pub(crate) fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(_) => true,
            Error::Api { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}
