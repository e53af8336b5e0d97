//! One row of a result, read by column index or name on either backend.

use std::fmt::Display;

use rusqlite::types::ValueRef as SqliteValue;

use super::{Error, FromValue, Result, ValueRef};

/// A column's position (0-based) or name.
pub trait ColumnIndex: rusqlite::RowIndex + tokio_postgres::row::RowIndex + Display + Copy {}

impl<T: rusqlite::RowIndex + tokio_postgres::row::RowIndex + Display + Copy> ColumnIndex for T {}

/// A row of a result.
pub enum Row<'r> {
    /// A row SQLite stepped to.
    Sqlite(&'r rusqlite::Row<'r>),
    /// A row PostgreSQL returned.
    Postgres(&'r tokio_postgres::Row),
}

impl Row<'_> {
    /// Column `index` as `T`.
    pub fn get<I: ColumnIndex, T: FromValue>(&self, index: I) -> Result<T> {
        let value = match self {
            Row::Sqlite(row) => from_sqlite(row.get_ref(index)?).map_err(|message| column(index, message))?,
            Row::Postgres(row) => row.try_get::<_, ValueRef<'_>>(index)?,
        };
        T::from_value(value).map_err(|message| column(index, message))
    }
}

fn column(index: impl Display, message: String) -> Error {
    Error::Column { column: index.to_string(), message }
}

/// SQLite's value as the façade's (its text must be UTF-8).
fn from_sqlite(value: SqliteValue<'_>) -> Result<ValueRef<'_>, String> {
    Ok(match value {
        SqliteValue::Null => ValueRef::Null,
        SqliteValue::Integer(value) => ValueRef::Integer(value),
        SqliteValue::Real(value) => ValueRef::Real(value),
        SqliteValue::Text(bytes) => ValueRef::Text(std::str::from_utf8(bytes).map_err(|error| error.to_string())?),
        SqliteValue::Blob(bytes) => ValueRef::Blob(bytes),
    })
}
