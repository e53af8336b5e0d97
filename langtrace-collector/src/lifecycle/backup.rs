//! `langtrace backup` and `langtrace restore`. A backup is a directory holding
//! `langtrace.db`, a consistent copy of the database made with SQLite's online backup API
//! in one step (one read transaction: a running `serve` keeps writing meanwhile, the copy
//! is the database as of the step's start), and `media/`, the bytes of every media the
//! copy records as uploaded. It is written beside its target and renamed into place when
//! complete, so a target path never holds half a backup. A restore copies a backup into an
//! empty data directory and opens it once, which applies newer migrations.

use std::path::{Path, PathBuf};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::Connection;

use crate::store::{self, media, permissions, Durability, Store, DATABASE_FILE};

/// The media directory inside a data directory or a backup.
pub const MEDIA_DIR: &str = "media";

/// Why a backup or restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The target exists and `--force` was not given.
    #[error("{0} exists: pass --force to replace it")]
    TargetExists(PathBuf),
    /// The data directory to restore into holds files and `--force` was not given.
    #[error("the data directory {0} is not empty: pass --force to replace its database and media")]
    NotEmpty(PathBuf),
    /// There is no database to back up, or the backup holds none.
    #[error("no {DATABASE_FILE} in {0}")]
    NoDatabase(PathBuf),
    /// SQLite refused.
    #[error("database error on {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        source: rusqlite::Error,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The restored store could not be opened.
    #[error(transparent)]
    Open(#[from] store::OpenError),
}

/// What a backup or restore copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    /// Bytes of the database file.
    pub database_bytes: u64,
    /// Media files copied.
    pub media_files: usize,
    /// Media the database records as uploaded whose bytes were not found (deleted between
    /// the database copy and the media copy, or lost before).
    pub media_missing: usize,
}

/// Backs up `data_dir` into the directory `to` (replaced when `force`).
pub fn backup(data_dir: &Path, to: &Path, force: bool) -> Result<Copied, BackupError> {
    if to.exists() && !force {
        return Err(BackupError::TargetExists(to.to_owned()));
    }
    let source_path = data_dir.join(DATABASE_FILE);
    if !source_path.is_file() {
        return Err(BackupError::NoDatabase(data_dir.to_owned()));
    }
    let partial = sibling(to, "partial");
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| BackupError::Io { path, source }
    };
    permissions::private_dir(&partial.join(MEDIA_DIR)).map_err(io(&partial))?;
    let copy_path = partial.join(DATABASE_FILE);
    let sqlite = |path: &Path| {
        let path = path.to_owned();
        move |source| BackupError::Sqlite { path, source }
    };
    {
        let source = Connection::open(&source_path).map_err(sqlite(&source_path))?;
        source.busy_timeout(std::time::Duration::from_secs(30)).map_err(sqlite(&source_path))?;
        permissions::create_private(&copy_path).map_err(io(&copy_path))?;
        let mut copy = Connection::open(&copy_path).map_err(sqlite(&copy_path))?;
        // Every page in one step: one read transaction, so concurrent commits neither
        // restart the copy nor wait for it.
        copy_in_one_step(&source, &mut copy).map_err(sqlite(&copy_path))?;
    }
    let copied = copy_media(&copy_path, &data_dir.join(MEDIA_DIR), &partial.join(MEDIA_DIR))?;
    sync(&copy_path)?;
    if to.exists() {
        remove(to)?;
    }
    std::fs::rename(&partial, to).map_err(io(to))?;
    Ok(copied)
}

/// Restores the backup `from` into `data_dir`, which must be empty or missing unless `force`
/// (then its database and media are replaced).
pub fn restore(from: &Path, data_dir: &Path, force: bool) -> Result<Copied, BackupError> {
    let backup_database = from.join(DATABASE_FILE);
    if !backup_database.is_file() {
        return Err(BackupError::NoDatabase(from.to_owned()));
    }
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| BackupError::Io { path, source }
    };
    let occupied = std::fs::read_dir(data_dir).map(|mut entries| entries.next().is_some()).unwrap_or(false);
    if occupied && !force {
        return Err(BackupError::NotEmpty(data_dir.to_owned()));
    }
    for suffix in ["", "-wal", "-shm"] {
        let file = data_dir.join(format!("{DATABASE_FILE}{suffix}"));
        if file.exists() {
            remove(&file)?;
        }
    }
    let media_dir = data_dir.join(MEDIA_DIR);
    if media_dir.exists() {
        remove(&media_dir)?;
    }
    permissions::private_dir(&media_dir).map_err(io(&media_dir))?;
    let database = data_dir.join(DATABASE_FILE);
    copy_file(&backup_database, &database)?;
    let copied = copy_media(&database, &from.join(MEDIA_DIR), &media_dir)?;
    // Opening applies the migrations a newer langtrace brings, and refuses a newer file.
    Store::open(data_dir, Durability::EachCommit)?;
    Ok(copied)
}

/// Copies every page of `source` into `copy` in one step, trying again while either
/// database is busy (another connection recovering the log, say).
fn copy_in_one_step(source: &Connection, copy: &mut Connection) -> rusqlite::Result<()> {
    const TRIES: u32 = 100;
    let backup = Backup::new(source, copy)?;
    for _ in 0..TRIES {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More | StepResult::Busy | StepResult::Locked => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            _ => {}
        }
    }
    Err(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
        Some(format!("the database stayed busy through {TRIES} tries of the copy")),
    ))
}

/// Copies the bytes of every uploaded media `database` records from `from` to `to`.
fn copy_media(database: &Path, from: &Path, to: &Path) -> Result<Copied, BackupError> {
    let sqlite = |source| BackupError::Sqlite { path: database.to_owned(), source };
    let connection = Connection::open(database).map_err(sqlite)?;
    let hashes: Vec<String> = connection
        .prepare("SELECT DISTINCT sha256_hash FROM media WHERE uploaded_at IS NOT NULL")
        .and_then(|mut statement| statement.query_map((), |row| row.get(0))?.collect())
        .map_err(sqlite)?;
    let mut copied = Copied {
        database_bytes: std::fs::metadata(database).map(|m| m.len()).unwrap_or(0),
        media_files: 0,
        media_missing: 0,
    };
    for hash in hashes {
        let source = media::file_of(from, &hash);
        if !source.is_file() {
            copied.media_missing += 1;
            continue;
        }
        copy_file(&source, &media::file_of(to, &hash))?;
        copied.media_files += 1;
    }
    Ok(copied)
}

/// Copies `from` to a new file `to`, readable by this user only, and syncs it.
fn copy_file(from: &Path, to: &Path) -> Result<(), BackupError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| BackupError::Io { path, source }
    };
    let mut reader = std::fs::File::open(from).map_err(io(from))?;
    let mut writer = permissions::create_private(to).map_err(io(to))?;
    std::io::copy(&mut reader, &mut writer).map_err(io(to))?;
    writer.sync_all().map_err(io(to))
}

/// Syncs the file at `path`.
fn sync(path: &Path) -> Result<(), BackupError> {
    std::fs::File::open(path)
        .and_then(|file| file.sync_all())
        .map_err(|source| BackupError::Io { path: path.to_owned(), source })
}

/// Removes the file or directory at `path`.
fn remove(path: &Path) -> Result<(), BackupError> {
    let removed = if path.is_dir() { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) };
    removed.map_err(|source| BackupError::Io { path: path.to_owned(), source })
}

/// A path beside `path`, named after it with `suffix` and a random part.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_owned()).unwrap_or_default();
    name.push(format!(".{suffix}-{}", crate::auth::random_hex(4)));
    path.with_file_name(name)
}
