//! The database under the store, behind one façade over two backends: the embedded
//! SQLite file and a shared PostgreSQL. Its surface follows `rusqlite`'s (connections,
//! cached statements, rows read by index or name, transactions) so store code reads the
//! same on both. Statements are written once, with `?`/`?N` placeholders (rewritten as
//! `$N` for PostgreSQL) and in SQL both engines run alike; values cross as the five
//! storage classes of [`Value`].

mod connection;
mod error;
mod params;
mod postgres;
mod row;
mod statement;
mod value;

pub use connection::{Connection, Transaction};
pub use error::{Error, OptionalExtension, Result};
pub use params::{params, Params};
pub use postgres::{Canceller, PgConnection};
pub use row::{ColumnIndex, Row};
pub use statement::{MappedRows, Rows, Statement};
pub use value::{FromValue, ToValue, Value, ValueRef};
