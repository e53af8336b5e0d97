//! A trace's flags set by people rather than by its spans: `public` (readable on the
//! share path) and `bookmarked` (starred in the UI), changed in the single writer. A span
//! that marks its trace public later makes it public again (see `rollup`).

use crate::store::db::{self, params, Transaction};

/// The flags a request changes; unset ones are kept.
#[derive(Debug, Clone, Copy, Default)]
pub struct TraceFlags {
    /// Shareable by public link.
    pub public: Option<bool>,
    /// Starred.
    pub bookmarked: Option<bool>,
}

/// Sets `flags` on trace `id` of `project_id`; whether the trace exists.
pub fn set(tx: &Transaction<'_>, project_id: &str, id: &str, flags: TraceFlags) -> db::Result<bool> {
    let changed = tx
        .prepare_cached(
            "UPDATE traces SET public = COALESCE(?3, public), bookmarked = COALESCE(?4, bookmarked),
             updated_at = ?5 WHERE project_id = ?1 AND id = ?2",
        )?
        .execute(params![project_id, id, flags.public, flags.bookmarked, crate::store::now_ns()])?;
    Ok(changed == 1)
}
