//! Only the collector's user may read its data (Unix): the data directory is created 0700
//! (an existing one with looser modes is tightened, with a warning in the log), the
//! database is created 0600 with its WAL and shared-memory files (SQLite gives the log
//! files the database file's mode; existing looser ones are tightened and warned about),
//! media files are created 0600. Elsewhere these are no-ops.

use std::fs::File;
use std::path::Path;

/// The database's companion files, by suffix.
const DATABASE_FILES: [&str; 3] = ["", "-wal", "-shm"];

/// Creates `dir` (and its parents) 0700 if missing, else makes it 0700, warning when it
/// was readable by others.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    restrict(dir, 0o700)
}

/// Creates the database file at `path` 0600 if missing (SQLite then opens an empty file
/// as a new database and gives its log files the same mode), else makes it and its
/// existing WAL and shared-memory files 0600.
pub fn private_database(path: &Path) -> std::io::Result<()> {
    if !path.exists() {
        create_private_new(path)?;
    }
    for suffix in DATABASE_FILES {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let file = Path::new(&file);
        if file.exists() {
            restrict(file, 0o600)?;
        }
    }
    Ok(())
}

/// Creates (or truncates) `path` for writing, readable by this user only.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Creates `path` empty, readable by this user only, unless it exists meanwhile.
fn create_private_new(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Err(error) if error.kind() != std::io::ErrorKind::AlreadyExists => Err(error),
        _ => Ok(()),
    }
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current == mode {
        return Ok(());
    }
    if current & 0o077 != 0 {
        tracing::warn!(path = %path.display(), from = format!("{current:o}"), to = format!("{mode:o}"),
            "the collector's data was readable by other users: permissions tightened");
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn loose_modes_are_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        let database = data.join("db");
        std::fs::write(&database, b"").unwrap();
        std::fs::write(data.join("db-wal"), b"").unwrap();
        std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(data.join("db-wal"), std::fs::Permissions::from_mode(0o666)).unwrap();
        private_dir(&data).unwrap();
        private_database(&database).unwrap();
        assert_eq!((mode(&data), mode(&database), mode(&data.join("db-wal"))), (0o700, 0o600, 0o600));
        let media = data.join("media-file");
        create_private(&media).unwrap();
        assert_eq!(mode(&media), 0o600);
    }
}
