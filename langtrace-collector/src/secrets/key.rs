//! Where the secrets' key comes from: `--encryption-key` / `LANGTRACE_ENCRYPTION_KEY` (64
//! hex characters; anything else is a start-up error naming the setting), else the key
//! file [`KEY_FILE`] in the data directory: read at start when it exists (a malformed one
//! is a start-up error naming the file), otherwise created (mode 0600, random, synced) the
//! first time a secret is sealed or opened.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{SecretBox, KEY_LEN};

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "encryption.key";

/// The setting that names the key, as start-up errors quote it.
pub const SETTING: &str = "--encryption-key / LANGTRACE_ENCRYPTION_KEY";

/// A 256-bit key given as hex; its `Debug` shows no key material.
#[derive(Clone)]
pub struct HexKey([u8; KEY_LEN]);

impl std::fmt::Debug for HexKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HexKey(withheld)")
    }
}

/// Parses 64 hex characters into a key (the value parser of [`SETTING`]); the error
/// never repeats the value.
pub fn parse_hex_key(text: &str) -> Result<HexKey, String> {
    let text = text.trim();
    let bytes = hex::decode(text).ok().filter(|bytes| bytes.len() == KEY_LEN);
    bytes.and_then(|bytes| bytes.try_into().ok()).map(HexKey).ok_or_else(|| {
        format!("the encryption key must be 64 hex characters (256 bits), got {} characters", text.len())
    })
}

/// Why the key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file exists and does not hold a key.
    #[error("the key file {path} does not hold 64 hex characters; restore it, or set {SETTING}")]
    Malformed {
        /// The file.
        path: PathBuf,
    },
    /// The file cannot be read or written.
    #[error("cannot use the key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The server's key: the configured one, or the key file's (created on first use).
#[derive(Debug)]
pub struct Keyring {
    path: PathBuf,
    key: Mutex<Option<Arc<SecretBox>>>,
}

impl Keyring {
    /// The keyring of a server: `configured` if given, else the key file in `data_dir`
    /// if it exists (read and checked now), else one made on first use.
    pub fn open(configured: Option<&HexKey>, data_dir: &Path) -> Result<Self, KeyFileError> {
        let path = data_dir.join(KEY_FILE);
        let key = match configured {
            Some(HexKey(key)) => Some(Arc::new(SecretBox::new(key))),
            None if path.exists() => Some(Arc::new(read_key_file(&path)?)),
            None => None,
        };
        Ok(Keyring { path, key: Mutex::new(key) })
    }

    /// The key, creating the key file if there is none yet.
    pub fn get(&self) -> Result<Arc<SecretBox>, KeyFileError> {
        let mut key = self.key.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(key) = key.as_ref() {
            return Ok(key.clone());
        }
        let made = Arc::new(create_key_file(&self.path)?);
        *key = Some(made.clone());
        Ok(made)
    }
}

/// The key in the file at `path`.
fn read_key_file(path: &Path) -> Result<SecretBox, KeyFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| KeyFileError::Io { path: path.to_owned(), source })?;
    let HexKey(key) = parse_hex_key(&text).map_err(|_| KeyFileError::Malformed { path: path.to_owned() })?;
    Ok(SecretBox::new(&key))
}

/// A new random key written to `path` (0600, synced, put in place only whole); the
/// existing file's key if another process made one meanwhile.
fn create_key_file(path: &Path) -> Result<SecretBox, KeyFileError> {
    let io = |source| KeyFileError::Io { path: path.to_owned(), source };
    let mut key = [0u8; KEY_LEN];
    getrandom::fill(&mut key).expect("the operating system's random source");
    let partial = path.with_extension("key.partial");
    let mut file = crate::store::permissions::create_private(&partial).map_err(io)?;
    file.write_all(format!("{}\n", hex::encode(key)).as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    drop(file);
    let linked = std::fs::hard_link(&partial, path);
    let _ = std::fs::remove_file(&partial);
    match linked {
        Ok(()) => {
            if let Some(dir) = path.parent() {
                std::fs::File::open(dir).and_then(|dir| dir.sync_all()).map_err(io)?;
            }
            tracing::info!(path = %path.display(), "created the key file that encrypts LLM connection secrets");
            Ok(SecretBox::new(&key))
        }
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => read_key_file(path),
        Err(error) => Err(io(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_keys_must_be_64_hex_characters() {
        assert!(parse_hex_key(&"ab".repeat(32)).is_ok());
        for bad in ["", "abc", &"zz".repeat(32), &"ab".repeat(33)] {
            let error = parse_hex_key(bad).unwrap_err();
            assert!(error.contains("64 hex characters"), "{error}");
        }
    }

    #[test]
    fn the_key_file_is_made_on_first_use_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Keyring::open(None, dir.path()).unwrap();
        assert!(!dir.path().join(KEY_FILE).exists(), "not before first use");
        let sealed = keyring.get().unwrap().seal("sk-1");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let reopened = Keyring::open(None, dir.path()).unwrap();
        assert_eq!(reopened.get().unwrap().open(&sealed).unwrap(), "sk-1");
        std::fs::write(dir.path().join(KEY_FILE), "not a key").unwrap();
        let error = Keyring::open(None, dir.path()).unwrap_err().to_string();
        assert!(error.contains(KEY_FILE) && error.contains("LANGTRACE_ENCRYPTION_KEY"), "{error}");
    }
}
