//! The environments a project's traces were sent with.

use crate::store::db::{self, Connection};

/// Environments listed at most (a selector, not a report).
const MAX_ENVIRONMENTS: i64 = 200;

/// The project's environments, sorted. Each name is one index seek past the previous one,
/// so the cost does not grow with the traces stored.
pub fn list(connection: &Connection, project_id: &str) -> db::Result<Vec<String>> {
    let mut statement = connection.prepare_cached(
        "WITH RECURSIVE names(name, n) AS (
            SELECT MIN(environment), 1 FROM traces WHERE project_id = ?1
            UNION ALL
            SELECT (SELECT MIN(environment) FROM traces WHERE project_id = ?1 AND environment > names.name), n + 1
            FROM names WHERE names.name IS NOT NULL AND n < ?2
         )
         SELECT name FROM names WHERE name IS NOT NULL",
    )?;
    let rows = statement.query_map(db::params![project_id, MAX_ENVIRONMENTS], |row| row.get(0))?;
    rows.collect()
}
