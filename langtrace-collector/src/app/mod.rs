//! What the receivers and the API share, so neither imports the other: the application
//! state, the one error type, and the extractor of the authenticated project.

mod authed;
mod error;
pub mod reads;
mod state;

pub use authed::Authed;
pub use error::ApiError;
pub use state::{AppState, Limits};
