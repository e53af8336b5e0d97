//! The PostgreSQL side of the façade: a client with its own statement cache; statements
//! translated from SQLite's dialect ([`translate`]: `?` and `?N` placeholders as `$N`,
//! SQLite's `INDEXED BY` planner hints dropped; the SQLite functions the store uses are
//! defined on the server by the schema, see `schema::postgres`); values converted to and
//! from the column types the server names (integers of any width, numerics, doubles,
//! booleans, text, JSON, bytes).

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as StdError;
use std::future::Future;
use std::sync::LazyLock;

use regex_lite::Regex;
use tokio::runtime::Runtime;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};
use tokio_postgres::Socket;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::ValueRef;

/// A client of the database at `url`, its socket (plain or over `tls`) driven on the
/// runtime until it closes.
fn open<T>(url: &str, tls: T) -> Result<tokio_postgres::Client, tokio_postgres::Error>
where
    T: MakeTlsConnect<Socket>,
    T::Stream: Send + 'static,
{
    let (client, connection) = wait(tokio_postgres::connect(url, tls))?;
    RUNTIME.spawn(async move {
        if let Err(error) = connection.await {
            tracing::warn!(%error, "a PostgreSQL connection failed");
        }
    });
    Ok(client)
}

/// The runtime driving every PostgreSQL connection's socket (one worker thread); the
/// store's calls wait on it from their own threads (blocking tasks, the writer), never
/// from an asynchronous task.
static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("langtrace-postgres")
        .enable_all()
        .build()
        .expect("the PostgreSQL connections' runtime")
});

/// Statements a connection keeps prepared at most (the store's fixed statements number
/// fewer; filtered lists make more, each prepared once per use).
const CACHED_STATEMENTS: usize = 256;

/// Waits for `future` on the PostgreSQL runtime.
pub(super) fn wait<F: Future>(future: F) -> F::Output {
    RUNTIME.block_on(future)
}

/// A PostgreSQL connection and the statements it has prepared (a connection is used by
/// one thread at a time, as SQLite's is).
pub struct PgConnection {
    pub(super) client: tokio_postgres::Client,
    tls: Option<MakeRustlsConnect>,
    statements: RefCell<HashMap<String, tokio_postgres::Statement>>,
}

/// Cancels the statement a connection runs, from another thread (over TLS when the
/// connection uses it).
pub struct Canceller {
    token: tokio_postgres::CancelToken,
    tls: Option<MakeRustlsConnect>,
}

impl Canceller {
    /// Asks the server to cancel the running statement, if any.
    pub fn cancel(&self) -> Result<(), tokio_postgres::Error> {
        match &self.tls {
            Some(tls) => wait(self.token.cancel_query(tls.clone())),
            None => wait(self.token.cancel_query(tokio_postgres::NoTls)),
        }
    }
}

impl PgConnection {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`
    /// or key-value form; a `host` that is a directory names a Unix socket's directory)
    /// without TLS.
    pub fn connect(url: &str) -> Result<Self, tokio_postgres::Error> {
        Self::connect_with(url, None)
    }

    /// Connects to the database at `url`, over TLS with `tls` when given (the server's
    /// certificate verified as `tls` says).
    pub fn connect_with(url: &str, tls: Option<MakeRustlsConnect>) -> Result<Self, tokio_postgres::Error> {
        let client = match &tls {
            Some(tls) => open(url, tls.clone())?,
            None => open(url, tokio_postgres::NoTls)?,
        };
        Ok(Self { client, tls, statements: RefCell::default() })
    }

    /// What cancels the statement this connection runs, from another thread.
    pub fn canceller(&self) -> Canceller {
        Canceller { token: self.client.cancel_token(), tls: self.tls.clone() }
    }

    /// `sql` translated and prepared; kept for the next call when `cache` says so (up to
    /// [`CACHED_STATEMENTS`]; a full cache starts over), else closed on the server once
    /// the statement is dropped.
    pub(super) fn prepare(&self, sql: &str, cache: bool) -> Result<tokio_postgres::Statement, tokio_postgres::Error> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = wait(self.client.prepare(&translate(sql)))?;
        if cache {
            let mut statements = self.statements.borrow_mut();
            if statements.len() >= CACHED_STATEMENTS {
                statements.clear();
            }
            statements.insert(sql.to_owned(), statement.clone());
        }
        Ok(statement)
    }
}

/// `sql`, a statement in SQLite's dialect, for PostgreSQL: placeholders as
/// [`placeholders`] numbers them, without `INDEXED BY` hints, and `LIKE` as `ILIKE`
/// (SQLite's `LIKE` ignores case).
pub fn translate(sql: &str) -> String {
    static HINT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s+INDEXED BY \w+").expect("a valid pattern"));
    static LIKE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bLIKE\b").expect("a valid pattern"));
    let sql = placeholders(sql);
    let sql = HINT.replace_all(&sql, "");
    LIKE.replace_all(&sql, "ILIKE").into_owned()
}

/// `sql` with SQLite's placeholders as PostgreSQL's: `?N` becomes `$N`, and a bare `?`
/// takes the number after the largest used so far (SQLite's rule). Quoted text and
/// identifiers are left alone.
fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quote = None;
    let mut largest = 0u32;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '?') => {
                let mut digits = String::new();
                while let Some(digit) = chars.next_if(char::is_ascii_digit) {
                    digits.push(digit);
                }
                let number = digits.parse().unwrap_or(largest + 1);
                largest = largest.max(number);
                out.push('$');
                out.push_str(&number.to_string());
                continue;
            }
            (None, _) => {}
        }
        out.push(c);
    }
    out
}

type BoxError = Box<dyn StdError + Sync + Send>;

impl ToSql for ValueRef<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        match (*self, ty) {
            (ValueRef::Null, _) => Ok(IsNull::Yes),
            (ValueRef::Integer(value), &Type::INT8) => value.to_sql(ty, out),
            (ValueRef::Integer(value), &Type::INT4) => i32::try_from(value)?.to_sql(ty, out),
            (ValueRef::Integer(value), &Type::INT2) => i16::try_from(value)?.to_sql(ty, out),
            (ValueRef::Integer(value), &Type::BOOL) => (value != 0).to_sql(ty, out),
            (ValueRef::Integer(value), &Type::FLOAT8) => (value as f64).to_sql(ty, out),
            (ValueRef::Real(value), &Type::FLOAT8) => value.to_sql(ty, out),
            (ValueRef::Real(value), &Type::FLOAT4) => (value as f32).to_sql(ty, out),
            (ValueRef::Text(value), &Type::JSONB) => {
                out.extend_from_slice(&[1]);
                out.extend_from_slice(value.as_bytes());
                Ok(IsNull::No)
            }
            (ValueRef::Text(value), &Type::JSON | &Type::TEXT | &Type::VARCHAR | &Type::BPCHAR | &Type::NAME) => {
                out.extend_from_slice(value.as_bytes());
                Ok(IsNull::No)
            }
            (ValueRef::Blob(value), &Type::BYTEA) => value.to_sql(ty, out),
            (value, ty) => Err(format!("cannot bind {} to a parameter of type {ty}", value.kind()).into()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for ValueRef<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(match *ty {
            Type::INT8 => ValueRef::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => ValueRef::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => ValueRef::Integer(i16::from_sql(ty, raw)?.into()),
            Type::BOOL => ValueRef::Integer(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => ValueRef::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => ValueRef::Real(f32::from_sql(ty, raw)?.into()),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::JSON => {
                ValueRef::Text(std::str::from_utf8(raw)?)
            }
            Type::JSONB => ValueRef::Text(std::str::from_utf8(raw.strip_prefix(&[1]).ok_or("unknown jsonb version")?)?),
            Type::BYTEA => ValueRef::Blob(raw),
            Type::NUMERIC => numeric(raw)?,
            _ => return Err(format!("columns of type {ty} are not read (cast them in the query)").into()),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(ValueRef::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A `NUMERIC` in PostgreSQL's binary form (what `SUM` and `AVG` of integers return): an
/// integer when it has no fraction and fits `i64`, else a double.
fn numeric(raw: &[u8]) -> Result<ValueRef<'static>, BoxError> {
    let word = |index: usize| -> Result<i16, BoxError> {
        let bytes = raw.get(index * 2..index * 2 + 2).ok_or("a truncated numeric")?;
        Ok(i16::from_be_bytes([bytes[0], bytes[1]]))
    };
    let (count, weight, sign, scale) = (word(0)?, word(1)?, word(2)? as u16, word(3)?);
    let negative = match sign {
        0x0000 => false,
        0x4000 => true,
        _ => return Ok(ValueRef::Real(f64::NAN)),
    };
    // Base-10000 digits, the first weighted 10000^weight.
    let digits = (0..count.max(0) as usize).map(|index| word(4 + index)).collect::<Result<Vec<_>, _>>()?;
    if scale == 0 {
        let mut whole: Option<i64> = Some(0);
        for (index, digit) in digits.iter().enumerate() {
            let exponent = u32::try_from(i32::from(weight) - index as i32).unwrap_or(0);
            whole =
                whole.and_then(|sum| 10_000i64.checked_pow(exponent)?.checked_mul(i64::from(*digit))?.checked_add(sum));
        }
        if let Some(whole) = whole {
            return Ok(ValueRef::Integer(if negative { -whole } else { whole }));
        }
    }
    let magnitude: f64 = digits
        .iter()
        .enumerate()
        .map(|(index, digit)| f64::from(*digit) * 10_000f64.powi(i32::from(weight) - index as i32))
        .sum();
    Ok(ValueRef::Real(if negative { -magnitude } else { magnitude }))
}

#[cfg(test)]
mod tests {
    use super::{placeholders, translate};

    #[test]
    fn placeholders_are_numbered_as_sqlite_numbers_them() {
        assert_eq!(placeholders("a = ?1 AND b = ?2 OR c = ?1"), "a = $1 AND b = $2 OR c = $1");
        assert_eq!(placeholders("a = ? AND b IN (?, ?)"), "a = $1 AND b IN ($2, $3)");
        assert_eq!(placeholders("a = ?3 AND b = ?"), "a = $3 AND b = $4");
        assert_eq!(
            placeholders("a LIKE ? ESCAPE '\\' AND b = '?' AND \"c?\" = ?"),
            "a LIKE $1 ESCAPE '\\' AND b = '?' AND \"c?\" = $2"
        );
    }

    #[test]
    fn statements_lose_sqlite_hints_and_ignore_case_in_like() {
        assert_eq!(
            translate("SELECT a FROM t INDEXED BY t_a WHERE a LIKE ? AND b NOT LIKE ?"),
            "SELECT a FROM t WHERE a ILIKE $1 AND b NOT ILIKE $2"
        );
    }
}
