//! A connection of either backend, and the transactions it runs.

use std::ops::Deref;

use super::postgres::PgConnection;
use super::{Params, Result, Row, Statement};

/// A database connection: SQLite's or PostgreSQL's. Statements use SQLite's `?`/`?N`
/// placeholders and SQL both engines accept (see `ARCHITECTURE.md`, the store's invariant).
pub enum Connection {
    /// An SQLite connection.
    Sqlite(rusqlite::Connection),
    /// A PostgreSQL connection (boxed: its client is ten times SQLite's handle).
    Postgres(Box<PgConnection>),
}

impl From<rusqlite::Connection> for Connection {
    fn from(connection: rusqlite::Connection) -> Self {
        Connection::Sqlite(connection)
    }
}

impl From<PgConnection> for Connection {
    fn from(connection: PgConnection) -> Self {
        Connection::Postgres(Box::new(connection))
    }
}

impl Connection {
    /// `sql` prepared, from the connection's cache when it was prepared before.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        match self {
            Connection::Sqlite(connection) => Ok(Statement::sqlite_cached(connection.prepare_cached(sql)?)),
            Connection::Postgres(connection) => Ok(Statement::postgres(connection, connection.prepare(sql, true)?)),
        }
    }

    /// `sql` prepared for one use, kept out of the statement cache.
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        match self {
            Connection::Sqlite(connection) => Ok(Statement::sqlite(connection.prepare(sql)?)),
            Connection::Postgres(connection) => Ok(Statement::postgres(connection, connection.prepare(sql, false)?)),
        }
    }

    /// Runs `sql` once; the number of rows it changed.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        self.prepare(sql)?.execute(params)
    }

    /// The first row `sql` returns, read by `read`.
    pub fn query_row<T>(&self, sql: &str, params: impl Params, read: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<T> {
        self.prepare(sql)?.query_row(params, read)
    }

    /// Runs `sql`, any number of statements without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Connection::Sqlite(connection) => Ok(connection.execute_batch(sql)?),
            Connection::Postgres(connection) => Ok(super::postgres::wait(connection.client.batch_execute(sql))?),
        }
    }

    /// Begins a transaction, rolled back unless committed.
    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        self.execute_batch("BEGIN")?;
        Ok(Transaction { connection: self, open: true })
    }

    /// The SQLite connection, for what only SQLite has (pragmas, checkpoints, backups,
    /// progress handlers).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Connection::Sqlite(connection) => Some(connection),
            Connection::Postgres(_) => None,
        }
    }
}

/// An open transaction; dropped without [`Transaction::commit`], it rolls back.
pub struct Transaction<'c> {
    connection: &'c mut Connection,
    open: bool,
}

impl Transaction<'_> {
    /// Commits.
    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        self.connection.execute_batch("COMMIT")
    }

    /// Rolls back.
    pub fn rollback(mut self) -> Result<()> {
        self.open = false;
        self.connection.execute_batch("ROLLBACK")
    }
}

impl Deref for Transaction<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.connection
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.open {
            // A connection whose rollback fails has lost its session; the next call says so.
            let _ = self.connection.execute_batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
impl Connection {
    /// A private in-memory SQLite database.
    pub fn open_in_memory() -> Result<Self> {
        Ok(Connection::Sqlite(rusqlite::Connection::open_in_memory()?))
    }
}
