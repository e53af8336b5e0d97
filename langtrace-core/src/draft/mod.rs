//! Observations in draft: what an observation is while it is being built, from the span
//! that opens it until the pipeline's worker has read it. The layer creates drafts, the
//! context API and the macro's runtime update them, the pipeline turns them into records;
//! none of those modules needs another to reach a draft.
//!
//! - `cell`: the observation under construction, shared by a span's extensions and the
//!   instrumented code, its common fields moved out on close, and the pool of cells;
//! - `slot`: captured inputs and outputs as JSON text, on their way to the pipeline;
//! - `trace`: the trace an observation belongs to, and propagation scopes.

pub(crate) mod cell;
pub(crate) mod slot;
mod trace;

pub(crate) use cell::{ObservationCell, ObservationState};
pub(crate) use trace::{ScopeData, TraceCell};
