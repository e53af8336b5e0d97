//! Per-project retention: how many days a project keeps its traces (none: forever), and
//! the traces past it, oldest first, found through the `traces_start` index.

use crate::store::db::{self, params, Connection, OptionalExtension};

/// A nanosecond count per day.
const DAY_NS: i64 = 86_400 * 1_000_000_000;

/// The retention of `project_id` in days: `None` when it keeps everything (or is unknown).
pub fn get(connection: &Connection, project_id: &str) -> db::Result<Option<i64>> {
    Ok(connection
        .query_row("SELECT retention_days FROM projects WHERE id = ?1", [project_id], |row| row.get(0))
        .optional()?
        .flatten())
}

/// Sets the retention of `project_id` (`None` keeps everything); the projects updated.
pub fn set(connection: &Connection, project_id: &str, days: Option<i64>) -> db::Result<usize> {
    connection.execute("UPDATE projects SET retention_days = ?2 WHERE id = ?1", params![project_id, days])
}

/// Every project with a retention, and its days.
pub fn projects(connection: &Connection) -> db::Result<Vec<(String, i64)>> {
    let mut statement =
        connection.prepare("SELECT id, retention_days FROM projects WHERE retention_days IS NOT NULL ORDER BY id")?;
    let rows = statement.query_map((), |row| Ok((row.get(0)?, row.get(1)?)))?;
    rows.collect()
}

/// Up to `limit` traces of `project_id` that started more than `days` days before `now`
/// (ns), oldest first.
pub fn expired(connection: &Connection, project_id: &str, days: i64, now: i64, limit: i64) -> db::Result<Vec<String>> {
    let cutoff = now.saturating_sub(days.saturating_mul(DAY_NS));
    let mut statement = connection.prepare_cached(
        "SELECT id FROM traces WHERE project_id = ?1 AND start_time < ?2 ORDER BY start_time LIMIT ?3",
    )?;
    let rows = statement.query_map(params![project_id, cutoff, limit], |row| row.get(0))?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_traces_are_the_ones_older_than_the_retention_in_their_project() {
        let connection = crate::store::migrated_in_memory();
        connection
            .execute_batch("INSERT INTO projects (id, name, created_at) VALUES ('a', 'a', 0), ('b', 'b', 0)")
            .unwrap();
        let now = 100 * DAY_NS;
        for (project, trace, day) in [("a", "old", 10), ("a", "new", 99), ("b", "old", 10)] {
            connection
                .execute(
                    "INSERT INTO traces (project_id, id, start_time, end_time, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?3, 0, 0)",
                    params![project, trace, day * DAY_NS],
                )
                .unwrap();
        }
        assert_eq!(set(&connection, "a", Some(30)).unwrap(), 1);
        assert_eq!(get(&connection, "a").unwrap(), Some(30));
        assert_eq!(get(&connection, "b").unwrap(), None);
        assert_eq!(projects(&connection).unwrap(), vec![("a".to_owned(), 30)]);
        assert_eq!(expired(&connection, "a", 30, now, 10).unwrap(), vec!["old".to_owned()]);
        assert!(expired(&connection, "a", 200, now, 10).unwrap().is_empty());
    }
}
