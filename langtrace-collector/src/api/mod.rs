//! The JSON API under `/api/public`, one file per resource, on Langfuse's paths and
//! shapes where Langfuse has the same thing. Handlers are thin: the authenticated project
//! ([`crate::app::Authed`]), typed query parameters ([`query::Query`]), path parameters ([`path::PathParams`])
//! and JSON bodies ([`body::JsonBody`]), all answering bad input with the API's JSON error, a store read on a
//! blocking thread or a write through the writer, and a typed response. This module is
//! the only place that knows Langfuse's wire spellings (camelCase, ISO times, upper-case
//! enums); the store deals in rows.

pub mod body;
pub mod comments;
pub mod datasets;
pub mod export;
pub mod forwarding;
pub mod health;
pub mod keys;
pub mod llm_connections;
pub mod media;
pub mod media_type;
pub mod metrics;
pub mod models;
pub mod observations;
pub mod observations_v2;
pub mod paging;
pub mod path;
pub mod playground;
pub mod preview;
pub mod prometheus;
pub mod prompts;
pub mod query;
pub mod retention;
pub mod score_filter;
pub mod scores;
pub mod sessions;
pub mod share;
pub mod trace_delete;
pub mod trace_update;
pub mod traces;
pub mod users;
pub mod wire;
