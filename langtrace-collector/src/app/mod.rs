//! What the receivers and the API share, so neither imports the other: the application
//! state, the one error type, the extractor of the authenticated project, and the headers
//! of every API response.

mod authed;
mod error;
pub mod headers;
pub mod reads;
mod state;

pub use authed::Authed;
pub use error::ApiError;
pub use state::{AppState, Limits};
