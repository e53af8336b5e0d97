//! Scores (numeric, boolean, categorical, text) on a trace, an observation or a session:
//! `POST /api/public/scores` (one object, or an array answered 202/207 as Langfuse does),
//! `POST /api/public/ingestion` (`score-create` events, always 207), and the lists
//! `GET /api/public/scores` (also `/v2/scores`, page-based) and `/v3/scores` (cursor).

mod create;
mod list;

pub use create::{create, ingestion};
pub use list::{list, list_v3, Score};
