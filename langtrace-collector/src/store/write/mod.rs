//! Writes, run by the single writer inside its batch transaction: observations (an
//! identical span sent twice replaces itself), then one rollup per touched trace. What
//! they store is capped ([`StoredCaps`]) before the writer sees it. Prompt versions, labels
//! and deletions (`prompts`), each in one transaction.

mod caps;
pub mod connections;
mod observations;
pub mod prompts;
mod rollup;
mod totals;

pub use caps::StoredCaps;
pub use observations::{observations, prepare, PreparedBatch};

/// JSON text of a value (`null` if it cannot be written, which serde_json's own maps and
/// vectors never cause).
fn json_text(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

#[cfg(test)]
mod tests;
