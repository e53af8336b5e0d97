//! The shared store on PostgreSQL: its URL (never printed with its password), the
//! writer's and readers' connections, reads stopped by a watchdog that cancels the
//! running statement, and the database's size.

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use tokio_postgres::config::SslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::db::{self, Canceller, PgConnection};
use super::{postgres_tls, schema, OpenError};

/// How often a read's watchdog asks whether the read must stop.
const WATCH_INTERVAL: Duration = Duration::from_millis(5);

/// The connection string of a PostgreSQL store, checked when parsed; its `Debug` hides
/// the password.
#[derive(Clone)]
pub struct StoreUrl {
    text: String,
    config: tokio_postgres::Config,
    /// The TLS connector, once [`StoreUrl::secured`] for a URL that asks for TLS (see
    /// [`postgres_tls`]).
    tls: Option<MakeRustlsConnect>,
}

impl StoreUrl {
    /// Parses `text` as a PostgreSQL connection string (URL or key-value form); see
    /// [`StoreUrl::secured`] for its TLS.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = postgres_tls::normalized(text);
        let config =
            tokio_postgres::Config::from_str(&text).map_err(|error| format!("not a PostgreSQL URL: {error}"))?;
        if config.get_hosts().is_empty() {
            return Err("not a PostgreSQL URL: no host".into());
        }
        Ok(Self { text, config, tls: None })
    }

    /// The same database, ready to connect: with `sslmode=require` (or `verify-ca`,
    /// `verify-full`) over TLS verified against the system's roots and `ca_file`'s
    /// certificates (PEM); a CA file for a URL without TLS is refused.
    pub fn secured(mut self, ca_file: Option<&Path>) -> Result<Self, String> {
        self.tls = match (self.config.get_ssl_mode(), ca_file) {
            (SslMode::Require, ca_file) => Some(postgres_tls::connector(ca_file)?),
            (_, Some(_)) => return Err("a CA file is for TLS: add sslmode=require to the store URL".into()),
            (_, None) => None,
        };
        Ok(self)
    }

    /// The database and its first host, for the log (no user or password).
    pub fn describe(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
            Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
            None => String::new(),
        };
        format!("PostgreSQL database {:?} on {host}", self.config.get_dbname().unwrap_or_default())
    }

    /// A new connection to the database.
    pub(super) fn connect(&self) -> db::Result<db::Connection> {
        Ok(PgConnection::connect_with(&self.text, self.tls.clone())?.into())
    }
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// The writer's connection, the schema migrated first: commits wait for the server's
/// durable flush (`synchronous_commit`), so an acknowledged write is committed.
pub(super) fn open_writer(url: &StoreUrl) -> Result<db::Connection, OpenError> {
    let unreachable = |source| OpenError::Postgres { source };
    let mut connection = url.connect().map_err(unreachable)?;
    connection.execute_batch("SET synchronous_commit = on").map_err(unreachable)?;
    schema::migrate_postgres(&mut connection)?;
    Ok(connection)
}

/// A reader's connection: its transactions read only.
pub(super) fn open_reader(url: &StoreUrl) -> db::Result<db::Connection> {
    let connection = url.connect()?;
    connection.execute_batch("SET default_transaction_read_only = on")?;
    Ok(connection)
}

/// Runs `f` while a watchdog thread polls `stop` and, once it answers true, cancels the
/// statement running on the connection of `cancel` (which then fails with
/// `query_canceled`).
pub(super) fn run_until<T>(
    cancel: Canceller,
    mut stop: impl FnMut() -> bool + Send + 'static,
    f: impl FnOnce() -> T,
) -> T {
    let done = Arc::new((Mutex::new(false), Condvar::new()));
    let watched = done.clone();
    let watchdog = std::thread::spawn(move || {
        let (finished, wake) = &*watched;
        let mut finished = finished.lock().unwrap_or_else(PoisonError::into_inner);
        while !*finished {
            if stop() {
                if let Err(error) = cancel.cancel() {
                    tracing::warn!(%error, "a PostgreSQL read could not be cancelled");
                }
                return;
            }
            finished = wake.wait_timeout(finished, WATCH_INTERVAL).unwrap_or_else(PoisonError::into_inner).0;
        }
    });
    let result = f();
    let (finished, wake) = &*done;
    *finished.lock().unwrap_or_else(PoisonError::into_inner) = true;
    wake.notify_one();
    let _ = watchdog.join();
    result
}

/// Bytes the database takes on the server.
pub(super) fn database_bytes(connection: &db::Connection) -> db::Result<u64> {
    let bytes: i64 = connection.query_row("SELECT pg_database_size(current_database())", (), |row| row.get(0))?;
    Ok(bytes.max(0) as u64)
}
