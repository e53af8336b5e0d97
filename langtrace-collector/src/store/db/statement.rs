//! Prepared statements and the rows they return.

use tokio_postgres::types::ToSql;

use super::params::{self, Params};
use super::postgres::{wait, PgConnection};
use super::{Error, Result, Row};

/// A prepared statement of either backend.
pub struct Statement<'c>(Inner<'c>);

enum Inner<'c> {
    SqliteCached(rusqlite::CachedStatement<'c>),
    Sqlite(rusqlite::Statement<'c>),
    Postgres { connection: &'c PgConnection, statement: tokio_postgres::Statement },
}

impl<'c> Statement<'c> {
    pub(super) fn sqlite_cached(statement: rusqlite::CachedStatement<'c>) -> Self {
        Self(Inner::SqliteCached(statement))
    }

    pub(super) fn sqlite(statement: rusqlite::Statement<'c>) -> Self {
        Self(Inner::Sqlite(statement))
    }

    pub(super) fn postgres(connection: &'c PgConnection, statement: tokio_postgres::Statement) -> Self {
        Self(Inner::Postgres { connection, statement })
    }

    /// Runs the statement; the number of rows it changed.
    pub fn execute(&mut self, params: impl Params) -> Result<usize> {
        match &mut self.0 {
            Inner::SqliteCached(statement) => Ok(statement.execute(params::sqlite(&params))?),
            Inner::Sqlite(statement) => Ok(statement.execute(params::sqlite(&params))?),
            Inner::Postgres { connection, statement } => {
                let values = params.values()?;
                let changed = wait(connection.client.execute(&*statement, &postgres_params(&values)))?;
                Ok(changed as usize)
            }
        }
    }

    /// Runs the statement once per parameter list of `all`, in order; the rows each run
    /// changed. On PostgreSQL the runs are pipelined: sent together, answered together,
    /// one round trip instead of one per run (a failing run fails the rest, as the
    /// transaction it aborts would).
    pub fn execute_each<P: Params + Copy>(&mut self, all: &[P]) -> Result<Vec<usize>> {
        match &mut self.0 {
            Inner::Postgres { connection, statement } => {
                let values = all.iter().map(Params::values).collect::<Result<Vec<_>>>()?;
                let bound: Vec<_> = values.iter().map(|values| postgres_params(values)).collect();
                let runs = bound.iter().map(|params| connection.client.execute(&*statement, params));
                let changed = wait(futures_util::future::try_join_all(runs))?;
                Ok(changed.into_iter().map(|count| count as usize).collect())
            }
            _ => all.iter().map(|params| self.execute(*params)).collect(),
        }
    }

    /// The rows the statement returns.
    pub fn query(&mut self, params: impl Params) -> Result<Rows<'_>> {
        Ok(Rows(match &mut self.0 {
            Inner::SqliteCached(statement) => RowsInner::Sqlite(statement.query(params::sqlite(&params))?),
            Inner::Sqlite(statement) => RowsInner::Sqlite(statement.query(params::sqlite(&params))?),
            Inner::Postgres { connection, statement } => {
                let values = params.values()?;
                let rows = wait(connection.client.query(&*statement, &postgres_params(&values)))?;
                RowsInner::Postgres { rows: rows.into_iter(), current: None }
            }
        }))
    }

    /// The first row, read by `read`; [`Error::NoRows`] when there is none.
    pub fn query_row<T>(&mut self, params: impl Params, read: impl FnOnce(&Row<'_>) -> Result<T>) -> Result<T> {
        let mut rows = self.query(params)?;
        let row = rows.next()?.ok_or(Error::NoRows)?;
        read(&row)
    }

    /// Every row, each read by `read`, as they come.
    pub fn query_map<T, F: FnMut(&Row<'_>) -> Result<T>>(
        &mut self,
        params: impl Params,
        read: F,
    ) -> Result<MappedRows<'_, F>> {
        Ok(MappedRows { rows: self.query(params)?, read })
    }
}

/// The parameters as the PostgreSQL client takes them.
fn postgres_params<'v>(values: &'v [super::ValueRef<'v>]) -> Vec<&'v (dyn ToSql + Sync)> {
    values.iter().map(|value| value as &(dyn ToSql + Sync)).collect()
}

/// The rows of a query, stepped through one at a time.
pub struct Rows<'s>(RowsInner<'s>);

enum RowsInner<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Postgres { rows: std::vec::IntoIter<tokio_postgres::Row>, current: Option<tokio_postgres::Row> },
}

impl Rows<'_> {
    /// The next row, or none after the last.
    #[allow(clippy::should_implement_trait)] // rows borrow from the cursor: not an `Iterator`
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match &mut self.0 {
            RowsInner::Sqlite(rows) => Ok(rows.next()?.map(Row::Sqlite)),
            RowsInner::Postgres { rows, current } => {
                *current = rows.next();
                Ok(current.as_ref().map(Row::Postgres))
            }
        }
    }
}

/// The rows of a query, each read by a function.
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    read: F,
}

impl<T, F: FnMut(&Row<'_>) -> Result<T>> Iterator for MappedRows<'_, F> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        match self.rows.next() {
            Ok(Some(row)) => Some((self.read)(&row)),
            Ok(None) => None,
            Err(error) => Some(Err(error)),
        }
    }
}
