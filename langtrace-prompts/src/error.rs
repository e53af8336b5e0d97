//! The one error type of the prompt client: the variants of `langtrace_api::Error`
//! and the client's own. No variant carries a key: requests authenticate with a header
//! that no error repeats.

langtrace_api::client_error! {
    /// Why a prompt operation failed.
    pub enum Error {
        /// The client's background thread could not start or has stopped.
        #[error("prompt client thread unavailable: {0}")]
        Worker(String),
    }
}
