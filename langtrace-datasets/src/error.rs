//! The one error type of the datasets client: the variants of `langtrace_api::Error`
//! and the client's own. No variant carries a key: requests authenticate with a header
//! that no error repeats.

langtrace_api::client_error! {
    /// Why a dataset or experiment operation failed.
    pub enum Error {
        /// [`Experiment::run`](crate::Experiment::run) was called without a task.
        #[error("the experiment has no task: call .task(..) before .run()")]
        MissingTask,
    }
}
