//! The database error: the backend's own, or one of the façade's.

/// Why a database call failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite's error.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL's error.
    #[error("{}", postgres_message(.0))]
    Postgres(#[from] tokio_postgres::Error),
    /// A query expected to return a row returned none.
    #[error("the query returned no rows")]
    NoRows,
    /// A column's value does not convert to the type asked for.
    #[error("column {column}: {message}")]
    Column {
        /// The column's index or name.
        column: String,
        /// What did not convert.
        message: String,
    },
    /// A parameter cannot be bound.
    #[error("parameter: {0}")]
    Parameter(String),
}

impl Error {
    /// True when the transaction lost a race with another one (PostgreSQL's deadlock or
    /// serialization failure) and succeeds if run again from the start.
    pub fn is_transient(&self) -> bool {
        use tokio_postgres::error::SqlState;
        match self {
            Error::Postgres(error) => {
                matches!(error.code(), Some(code) if *code == SqlState::T_R_DEADLOCK_DETECTED
                    || *code == SqlState::T_R_SERIALIZATION_FAILURE)
            }
            _ => false,
        }
    }

    /// True when the statement was stopped by its read budget (SQLite's interrupt,
    /// PostgreSQL's `statement_timeout` or cancel).
    pub fn is_interrupted(&self) -> bool {
        match self {
            Error::Sqlite(error) => error.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted),
            Error::Postgres(error) => error.code() == Some(&tokio_postgres::error::SqlState::QUERY_CANCELED),
            _ => false,
        }
    }
}

/// The server's own message of a PostgreSQL error (the client's `Display` says only "db
/// error"): severity, SQLSTATE, message, detail.
fn postgres_message(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} {}: {} ({detail})", db.severity(), db.code().code(), db.message()),
            None => format!("{} {}: {}", db.severity(), db.code().code(), db.message()),
        },
        // tokio-postgres's own message is generic ("error performing TLS handshake"): the
        // cause (an untrusted certificate, a refused connection) is its source.
        None => match std::error::Error::source(error) {
            Some(cause) => format!("{error}: {cause}"),
            None => error.to_string(),
        },
    }
}

/// A database result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `Ok(None)` for a query that returned no row, as `rusqlite::OptionalExtension` does.
pub trait OptionalExtension<T> {
    /// The row, none, or the error.
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(Error::NoRows) => Ok(None),
            Err(error) => Err(error),
        }
    }
}
