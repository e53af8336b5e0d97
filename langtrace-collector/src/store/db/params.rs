//! Statement parameters: the [`Params`] a call binds, in order, and [`params!`] to list
//! values of different types.

use rusqlite::types::{ToSqlOutput, ValueRef as SqliteValue};

use super::{Error, ToValue, ValueRef};

/// The parameters of one statement, bound as `?1`, `?2`, ... in order.
pub trait Params {
    /// How many there are.
    fn count(&self) -> usize;
    /// The one at `index` (0-based, below [`Params::count`]).
    fn param(&self, index: usize) -> &dyn ToValue;

    /// Every parameter as bound.
    fn values(&self) -> Result<Vec<ValueRef<'_>>, Error> {
        (0..self.count()).map(|index| self.param(index).to_value()).collect()
    }
}

impl Params for () {
    fn count(&self) -> usize {
        0
    }

    fn param(&self, index: usize) -> &dyn ToValue {
        unreachable!("no parameter {index} in an empty list")
    }
}

impl<T: ToValue> Params for &[T] {
    fn count(&self) -> usize {
        self.len()
    }

    fn param(&self, index: usize) -> &dyn ToValue {
        &self[index]
    }
}

impl<T: ToValue> Params for &Vec<T> {
    fn count(&self) -> usize {
        self.len()
    }

    fn param(&self, index: usize) -> &dyn ToValue {
        &self[index]
    }
}

impl<T: ToValue, const N: usize> Params for [T; N] {
    fn count(&self) -> usize {
        N
    }

    fn param(&self, index: usize) -> &dyn ToValue {
        &self[index]
    }
}

impl<T: ToValue> Params for Vec<T> {
    fn count(&self) -> usize {
        self.len()
    }

    fn param(&self, index: usize) -> &dyn ToValue {
        &self[index]
    }
}

/// Parameters of mixed types, as `rusqlite::params!` lists them (exported at the crate's
/// root only for the path; use it as `store::db::params!`).
#[doc(hidden)]
#[macro_export]
macro_rules! __store_db_params {
    () => {
        &[] as &[&dyn $crate::store::db::ToValue]
    };
    ($($param:expr),+ $(,)?) => {
        &[$(&$param as &dyn $crate::store::db::ToValue),+] as &[&dyn $crate::store::db::ToValue]
    };
}
pub use crate::__store_db_params as params;

/// One parameter as SQLite binds it.
struct Bind<'a>(&'a dyn ToValue);

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        let value = self.0.to_value().map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))?;
        Ok(ToSqlOutput::Borrowed(match value {
            ValueRef::Null => SqliteValue::Null,
            ValueRef::Integer(value) => SqliteValue::Integer(value),
            ValueRef::Real(value) => SqliteValue::Real(value),
            ValueRef::Text(value) => SqliteValue::Text(value.as_bytes()),
            ValueRef::Blob(value) => SqliteValue::Blob(value),
        }))
    }
}

/// `params` as rusqlite binds them, without copying.
pub(super) fn sqlite<P: Params>(params: &P) -> impl rusqlite::Params + '_ {
    rusqlite::params_from_iter((0..params.count()).map(|index| Bind(params.param(index))))
}
