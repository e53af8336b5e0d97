//! The label history of a name (langtrace's own, beyond Langfuse): every move of a label
//! from one version to another, with the public key that made it and when.

use crate::store::db::{self, params, Connection, Transaction};

/// One label move. `from_version` is `None` for a label set for the first time,
/// `to_version` `None` for a label removed (its version deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMove {
    /// The label.
    pub label: String,
    /// Where it was.
    pub from_version: Option<i64>,
    /// Where it went.
    pub to_version: Option<i64>,
    /// The public key of the request that moved it.
    pub public_key: String,
    /// When (ns).
    pub at: i64,
}

/// Records `change` of `name`.
pub fn record(tx: &Transaction<'_>, project_id: &str, name: &str, change: &LabelMove) -> db::Result<()> {
    tx.prepare_cached(
        "INSERT INTO prompt_label_history (project_id, name, label, from_version, to_version, public_key, at, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
            (SELECT COALESCE(MAX(seq), 0) + 1 FROM prompt_label_history WHERE project_id = ?1 AND name = ?2))",
    )?
    .execute(params![
        project_id,
        name,
        change.label,
        change.from_version,
        change.to_version,
        change.public_key,
        change.at
    ])?;
    Ok(())
}

/// The moves of `name`'s labels, the last applied first (the single writer appends them
/// in the order it applies them).
pub fn of_name(connection: &Connection, project_id: &str, name: &str) -> db::Result<Vec<LabelMove>> {
    let mut statement = connection.prepare_cached(
        "SELECT label, from_version, to_version, public_key, at FROM prompt_label_history
         WHERE project_id = ?1 AND name = ?2 ORDER BY seq DESC",
    )?;
    let rows = statement.query_map(params![project_id, name], |row| {
        Ok(LabelMove {
            label: row.get(0)?,
            from_version: row.get(1)?,
            to_version: row.get(2)?,
            public_key: row.get(3)?,
            at: row.get(4)?,
        })
    })?;
    rows.collect()
}
