//! The embedded store: one SQLite file (bundled library, WAL) in the data directory.
//! Writes go through the single writer of [`crate::writer`]; reads use a small pool of
//! read-only connections, which WAL lets run next to the writer. Every module here takes
//! and returns typed rows (times in nanoseconds, JSON columns as text); only `api/`
//! knows the wire spellings.
//!
//! - `schema`: versioned migrations;
//! - `filter`: `WHERE` clauses, paging;
//! - `traces`, `observations`, `scores`, `sessions`, `users`, `environments`: reads;
//! - `media`, `prices`: their own small tables, read and written;
//! - `comments`: comments on traces, observations, sessions and prompts (reads);
//! - `prompts`: prompt versions, labels, composition references, label history (reads);
//! - `write`: observation inserts and trace rollups, prompt writes.
//! - `export`: traces read in keyset-paged batches for exports; `score_threshold`: the
//!   score condition an observation export can filter on.
//! - `usage`: a project's counts and media bytes, the database's size;
//! - `retention`: per-project retention and the traces past it;
//! - `connections`: LLM connections (provider keys, sealed) of a project;
//! - `permissions`: the data directory and its files readable by the collector's user only.
//! - `db`: the database façade every module goes through (SQLite or PostgreSQL);
//!   `postgres`: the shared store's URL and connections; `postgres_tls`: TLS to it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub mod comments;
pub mod connections;
pub mod datasets;
pub mod db;
pub mod environments;
pub mod export;
pub mod filter;
pub mod incoming_media;
pub mod last_message;
pub mod media;
pub mod metrics;
pub mod observations;
pub mod permissions;
pub mod postgres;
pub mod postgres_tls;
pub mod prices;
pub mod prompts;
pub mod retention;
pub mod schema;
pub mod score_threshold;
pub mod scores;
pub mod sessions;
pub mod traces;
pub mod usage;
pub mod users;
pub mod write;

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "langtrace.db";

/// Readers kept open for reuse at most.
const POOLED_READERS: usize = 8;

/// Virtual machine steps between two polls of a budgeted read's stop condition (a few
/// microseconds of work).
pub const PROGRESS_STEPS: std::ffi::c_int = 1000;

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
    /// The PostgreSQL store is unreachable or refused the collector.
    #[error("cannot connect to the PostgreSQL store (--store / LANGTRACE_STORE_URL): {source}")]
    Postgres {
        /// The client's error.
        source: db::Error,
    },
    /// The schema could not be brought up to date.
    #[error(transparent)]
    Migration(#[from] schema::MigrationError),
    /// The data directory could not be created.
    #[error("cannot create or protect the data directory {path}: {source}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// When the write connection's commits become durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Every commit syncs the log itself (`synchronous=FULL`): for one-off writes such as
    /// the command line's.
    EachCommit,
    /// Commits do not sync (`synchronous=NORMAL`): the writer's syncer syncs the log
    /// before it acknowledges anything (checkpoints still sync it before copying it).
    SyncedByWriter,
}

/// Read access to the store, in a data directory or on PostgreSQL; cheap to clone.
#[derive(Clone)]
pub struct Store {
    source: Arc<Source>,
    readers: Arc<Mutex<Vec<db::Connection>>>,
}

/// Where the store's records are.
enum Source {
    /// The SQLite file at this path.
    Sqlite(PathBuf),
    /// This PostgreSQL database (boxed: its parsed settings are large).
    Postgres(Box<postgres::StoreUrl>),
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(Duration::from_secs(10))?;
    connection.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

impl Store {
    /// Opens the store, creating the directory and file if needed and running the
    /// migrations; returns it with the write connection, whose commits are durable as
    /// `durability` says.
    pub fn open(data_dir: &Path, durability: Durability) -> Result<(Self, Connection), OpenError> {
        let directory = |source| OpenError::Directory { path: data_dir.to_owned(), source };
        permissions::private_dir(data_dir).map_err(directory)?;
        let path = data_dir.join(DATABASE_FILE);
        permissions::private_database(&path).map_err(directory)?;
        let sqlite = |source| OpenError::Sqlite { path: path.clone(), source };
        let mut writer = Connection::open(&path).map_err(sqlite)?;
        configure(&writer).map_err(sqlite)?;
        // SQLite's default 4 KiB pages: a commit rewrites every page it touched, and keys that
        // arrive in random order (trace ids) touch many; 16 KiB pages cost 25% of ingest with
        // random ids (measured), though they were 10% faster with sequential ones.
        writer.pragma_update(None, "page_size", 4096).map_err(sqlite)?;
        // Freed pages return to the file system in bounded steps (`PRAGMA incremental_vacuum`,
        // see `lifecycle::prune`). Only a new file takes this setting here; an older one
        // switches with `langtrace compact` (a full VACUUM), see `docs/lifecycle.md`.
        writer.pragma_update(None, "auto_vacuum", "INCREMENTAL").map_err(sqlite)?;
        writer.pragma_update(None, "journal_mode", "WAL").map_err(sqlite)?;
        let synchronous = match durability {
            Durability::EachCommit => "FULL",
            Durability::SyncedByWriter => "NORMAL",
        };
        writer.pragma_update(None, "synchronous", synchronous).map_err(sqlite)?;
        // 8 MiB of page cache. Every commit ends by scanning the whole page cache's hash
        // table (`pcache1TruncateUnsafe`, 8% of the writer with 64 MiB), while a page read
        // again comes from the OS's cache; random trace and span ids miss a cache of any
        // size at once. 8 MiB against 64: +7-12% ingest, 50-70 MiB less RSS (measured).
        writer.pragma_update(None, "cache_size", -8192).map_err(sqlite)?;
        // Savepoint journals (write jobs retried one by one) in memory, not in temporary files.
        writer.pragma_update(None, "temp_store", "MEMORY").map_err(sqlite)?;
        // Checkpoints run on their own thread (see `writer`); a log that has grown under
        // load shrinks back to this size once restarted.
        writer.pragma_update(None, "wal_autocheckpoint", 0).map_err(sqlite)?;
        writer.pragma_update(None, "journal_size_limit", 64 << 20).map_err(sqlite)?;
        schema::migrate(&mut writer)?;
        Ok((Self::over(Source::Sqlite(path)), writer))
    }

    /// Opens the PostgreSQL store at `url`, running the migrations (one replica at a
    /// time); returns it with the write connection, whose commits are durable.
    pub fn open_postgres(url: &postgres::StoreUrl) -> Result<(Self, db::Connection), OpenError> {
        let writer = postgres::open_writer(url)?;
        Ok((Self::over(Source::Postgres(Box::new(url.clone()))), writer))
    }

    /// Opens the PostgreSQL store at `url` when there is one (`--store`), else the SQLite
    /// file in `data_dir`.
    pub fn connect(
        data_dir: &Path,
        url: Option<&postgres::StoreUrl>,
        durability: Durability,
    ) -> Result<(Self, db::Connection), OpenError> {
        match url {
            Some(url) => Self::open_postgres(url),
            None => Self::open(data_dir, durability).map(|(store, writer)| (store, writer.into())),
        }
    }

    fn over(source: Source) -> Self {
        Self { source: Arc::new(source), readers: Arc::default() }
    }

    /// A new PostgreSQL connection of its own (for a session-held lock); none on SQLite.
    pub fn session(&self) -> db::Result<Option<db::Connection>> {
        match &*self.source {
            Source::Sqlite(_) => Ok(None),
            Source::Postgres(url) => url.connect().map(Some),
        }
    }

    /// Whether the records are in the data directory's SQLite file (whose space the
    /// collector reclaims and checkpoints itself).
    pub fn is_embedded(&self) -> bool {
        matches!(&*self.source, Source::Sqlite(_))
    }

    /// Where the records are, for the log.
    pub fn describe(&self) -> String {
        match &*self.source {
            Source::Sqlite(path) => path.display().to_string(),
            Source::Postgres(url) => url.describe(),
        }
    }

    /// A connection for the checkpointer thread; none on PostgreSQL (the server
    /// checkpoints its own log).
    pub fn checkpoint_connection(&self) -> Result<Option<Connection>, OpenError> {
        let Source::Sqlite(path) = &*self.source else { return Ok(None) };
        let sqlite = |source| OpenError::Sqlite { path: path.clone(), source };
        let connection = Connection::open(path).map_err(sqlite)?;
        configure(&connection).map_err(sqlite)?;
        Ok(Some(connection))
    }

    /// Bytes the records take: the SQLite file and its log, or the PostgreSQL database
    /// (asked on `connection`, one of this store's).
    pub fn database_bytes(&self, connection: &db::Connection) -> db::Result<u64> {
        match &*self.source {
            Source::Sqlite(path) => Ok(usage::file_bytes(path)),
            Source::Postgres(_) => postgres::database_bytes(connection),
        }
    }

    /// Runs `f` on a read-only connection from the pool (see [`blocking`] for where it
    /// may be called from).
    pub fn read<T, E: From<db::Error>>(&self, f: impl FnOnce(&db::Connection) -> Result<T, E>) -> Result<T, E> {
        blocking(|| {
            let connection = self.reader()?;
            let result = f(&connection);
            self.give_back(connection);
            result
        })
    }

    /// Runs `f` on a read-only connection from the pool; its statements fail (see
    /// [`db::Error::is_interrupted`]) once `stop` answers true: SQLite polls it every
    /// [`PROGRESS_STEPS`] virtual machine steps, a watchdog thread every few milliseconds
    /// for PostgreSQL and cancels the statement.
    pub fn read_until<T, E: From<db::Error>>(
        &self,
        stop: impl FnMut() -> bool + Send + 'static,
        f: impl FnOnce(&db::Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut connection = self.reader()?;
        let result = match &mut connection {
            db::Connection::Sqlite(sqlite) => {
                sqlite.progress_handler(PROGRESS_STEPS, Some(stop)).map_err(db::Error::from)?;
                f(&connection)
            }
            db::Connection::Postgres(client) => {
                let cancel = client.canceller();
                postgres::run_until(cancel, stop, || f(&connection))
            }
        };
        // A connection that cannot drop its handler is not pooled again.
        if let db::Connection::Sqlite(sqlite) = &mut connection {
            if sqlite.progress_handler(0, None::<fn() -> bool>).is_err() {
                return result;
            }
        }
        self.give_back(connection);
        result
    }

    /// A pooled reader, or a new one.
    fn reader(&self) -> db::Result<db::Connection> {
        let pooled = self.readers.lock().unwrap_or_else(PoisonError::into_inner).pop();
        if let Some(connection) = pooled {
            return Ok(connection);
        }
        match &*self.source {
            Source::Sqlite(path) => {
                let connection = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
                )?;
                configure(&connection)?;
                Ok(connection.into())
            }
            Source::Postgres(url) => postgres::open_reader(url),
        }
    }

    /// Keeps `connection` for reuse while the pool has room.
    fn give_back(&self, connection: db::Connection) {
        let mut pool = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if pool.len() < POOLED_READERS {
            pool.push(connection);
        }
    }
}

/// Runs `f`, which waits on the database: on a worker of a multi-thread runtime inside
/// `block_in_place` (the PostgreSQL client waits on its own runtime, which an
/// asynchronous worker may not; cache misses such as the authenticator's read this way),
/// anywhere else as it is.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) if runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// Whether the database behind `connection` returns freed pages to the file system with
/// `PRAGMA incremental_vacuum` (files created before langtrace set it do not).
pub fn reclaims_space(connection: &Connection) -> rusqlite::Result<bool> {
    const INCREMENTAL: i64 = 2;
    Ok(connection.pragma_query_value(None, "auto_vacuum", |row| row.get::<_, i64>(0))? == INCREMENTAL)
}

/// Nanoseconds since the Unix epoch, now.
pub fn now_ns() -> i64 {
    langtrace_core::record::Timestamp::now().0 as i64
}

/// A private in-memory database with the schema, for tests.
#[cfg(test)]
pub fn migrated_in_memory() -> db::Connection {
    let mut connection = Connection::open_in_memory().expect("in-memory database");
    schema::migrate(&mut connection).expect("migrations");
    connection.into()
}
