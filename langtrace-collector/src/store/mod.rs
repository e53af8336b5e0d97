//! The embedded store: one SQLite file (bundled library, WAL, `synchronous=FULL` so a
//! commit survives power loss; the ingest writer syncs the log itself instead, before it
//! acknowledges) in the data directory. Writes go through the single writer of
//! [`crate::ingest`]; reads use a small pool of read-only connections, which WAL lets
//! run next to the writer.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub mod query;
pub mod schema;
pub mod write;

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "langtrace.db";

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The data directory or database file is unusable.
    #[error("cannot open the database {path}: {source}")]
    Sqlite {
        /// The file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// The schema could not be brought up to date.
    #[error(transparent)]
    Migration(#[from] schema::MigrationError),
    /// The data directory could not be created.
    #[error("cannot create the data directory {path}: {source}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Opens (and migrates) the store in `data_dir`.
#[derive(Clone)]
pub struct Store {
    path: PathBuf,
    readers: Arc<Mutex<Vec<Connection>>>,
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(Duration::from_secs(10))?;
    connection.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

impl Store {
    /// Opens the store, creating the directory and file if needed and running the
    /// migrations; returns it with the connection the writer will own.
    pub fn open(data_dir: &Path) -> Result<(Self, Connection), OpenError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| OpenError::Directory { path: data_dir.to_owned(), source })?;
        let path = data_dir.join(DATABASE_FILE);
        let sqlite = |source| OpenError::Sqlite { path: path.clone(), source };
        let mut writer = Connection::open(&path).map_err(sqlite)?;
        configure(&writer).map_err(sqlite)?;
        // SQLite's default 4 KiB pages: a commit rewrites every page it touched, and keys that
        // arrive in random order (trace ids) touch many; 16 KiB pages cost 25% of ingest with
        // random ids (measured), though they were 10% faster with sequential ones.
        writer.pragma_update(None, "page_size", 4096).map_err(sqlite)?;
        writer.pragma_update(None, "journal_mode", "WAL").map_err(sqlite)?;
        writer.pragma_update(None, "synchronous", "FULL").map_err(sqlite)?;
        // 64 MiB of page cache: index pages stay in memory instead of being re-read.
        writer.pragma_update(None, "cache_size", -65536).map_err(sqlite)?;
        // Savepoint journals (write jobs retried one by one) in memory, not in temporary files.
        writer.pragma_update(None, "temp_store", "MEMORY").map_err(sqlite)?;
        // Checkpoints run on their own thread (see `ingest`); a log that has grown under
        // load shrinks back to this size once restarted.
        writer.pragma_update(None, "wal_autocheckpoint", 0).map_err(sqlite)?;
        writer.pragma_update(None, "journal_size_limit", 64 << 20).map_err(sqlite)?;
        schema::migrate(&mut writer)?;
        Ok((Self { path, readers: Arc::default() }, writer))
    }

    /// A connection for the checkpointer thread.
    pub fn checkpoint_connection(&self) -> rusqlite::Result<Connection> {
        let connection = Connection::open(&self.path)?;
        configure(&connection)?;
        Ok(connection)
    }

    /// Runs `f` on a read-only connection from the pool.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        let pooled = self.readers.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let connection = match pooled {
            Some(connection) => connection,
            None => {
                let connection = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
                )?;
                configure(&connection)?;
                connection
            }
        };
        let result = f(&connection);
        let mut pool = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if pool.len() < 8 {
            pool.push(connection);
        }
        result
    }
}

/// Nanoseconds since the Unix epoch, now.
pub fn now_ns() -> i64 {
    langtrace_core::record::Timestamp::now().0 as i64
}
