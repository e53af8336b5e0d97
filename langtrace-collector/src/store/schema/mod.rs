//! The schema, as versioned migrations applied in order at start (see `migrations`).
//! SQLite records the last one applied in `PRAGMA user_version`; PostgreSQL in the table
//! `langtrace_schema`, under an advisory lock so replicas starting together migrate once
//! (see `postgres`). Either refuses a database written by a newer langtrace.

mod migrations;
mod postgres;

use rusqlite::Connection;

use self::migrations::MIGRATIONS;
use super::db;
pub use postgres::{ddl, migrate_postgres};

/// Why the schema could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The database was written by a newer langtrace.
    #[error("the database has schema version {found}, newer than this binary's {known}: upgrade langtrace")]
    TooNew {
        /// Version found in the database.
        found: u32,
        /// Latest version this binary knows.
        known: u32,
    },
    /// The database refused a migration.
    #[error("migration {version} failed: {source}")]
    Failed {
        /// The migration (0: reading the version).
        version: u32,
        /// The database's error.
        source: db::Error,
    },
}

/// The latest schema version.
pub fn latest() -> u32 {
    MIGRATIONS.len() as u32
}

/// `MigrationError::Failed` for `version`.
fn failed<E: Into<db::Error>>(version: u32) -> impl Fn(E) -> MigrationError {
    move |source| MigrationError::Failed { version, source: source.into() }
}

/// Applies the migrations the SQLite database has not seen yet, each in its own
/// transaction.
pub fn migrate(connection: &mut Connection) -> Result<u32, MigrationError> {
    let current: u32 = connection.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(failed(0))?;
    if current > latest() {
        return Err(MigrationError::TooNew { found: current, known: latest() });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as u32 + 1;
        let transaction = connection.transaction().map_err(failed(version))?;
        transaction.execute_batch(sql).map_err(failed(version))?;
        transaction.pragma_update(None, "user_version", version).map_err(failed(version))?;
        transaction.commit().map_err(failed(version))?;
    }
    Ok(latest())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_refuse_newer_files() {
        let mut connection = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut connection).unwrap(), latest());
        assert_eq!(migrate(&mut connection).unwrap(), latest(), "idempotent");
        connection.pragma_update(None, "user_version", latest() + 1).unwrap();
        assert!(matches!(migrate(&mut connection), Err(MigrationError::TooNew { .. })));
    }
}
