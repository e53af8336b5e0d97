//! Projects and their key pairs. Every ingest and API route takes HTTP Basic auth
//! (`public:secret`, as Langfuse's SDKs send) and resolves it to one project; queries are
//! always scoped to it. Secrets are stored as salted SHA-256 (they are random 128-bit
//! values, so a slow hash adds nothing) and compared in constant time.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use base64::Engine;
use rusqlite::{params, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::store::{now_ns, Store};

/// A project, as the authenticated key sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// Project id.
    pub id: String,
    /// Project name.
    pub name: String,
}

/// A newly created key pair; the secret is shown once and never stored.
#[derive(Clone, Debug)]
pub struct KeyPair {
    /// Public key (`pk-lt-...`), also the key's id.
    pub public_key: String,
    /// Secret key (`sk-lt-...`).
    pub secret_key: String,
}

/// Random hex of `bytes` bytes.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).expect("the operating system's random source");
    hex::encode(buffer)
}

fn hash(salt: &str, secret: &str) -> String {
    hex::encode(Sha256::new().chain_update(salt.as_bytes()).chain_update(secret.as_bytes()).finalize())
}

/// Creates a project named `name`.
pub fn create_project(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<Project> {
    // Short: the id is part of every index key.
    let project = Project { id: format!("p-{}", random_hex(6)), name: name.to_owned() };
    tx.execute("INSERT INTO projects (id, name, created_at) VALUES (?1, ?2, ?3)", params![project.id, name, now_ns()])?;
    Ok(project)
}

/// How many projects exist.
pub fn project_count(tx: &Transaction<'_>) -> rusqlite::Result<i64> {
    tx.query_row("SELECT COUNT(*) FROM projects", [], |row| row.get(0))
}

/// Whether a key pair with this public key exists.
pub fn key_exists(tx: &Transaction<'_>, public_key: &str) -> rusqlite::Result<bool> {
    tx.query_row("SELECT COUNT(*) FROM api_keys WHERE public_key = ?1", [public_key], |row| row.get::<_, i64>(0))
        .map(|count| count > 0)
}

/// The project named `name`, if any.
pub fn project_by_name(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<Option<Project>> {
    tx.query_row("SELECT id, name FROM projects WHERE name = ?1", [name], |row| {
        Ok(Project { id: row.get(0)?, name: row.get(1)? })
    })
    .optional()
}

/// Stores a key pair for `project_id`: `given` keys, or newly generated ones.
pub fn create_keys(tx: &Transaction<'_>, project_id: &str, given: Option<KeyPair>) -> rusqlite::Result<KeyPair> {
    let keys = given.unwrap_or_else(|| KeyPair {
        public_key: format!("pk-lt-{}", random_hex(16)),
        secret_key: format!("sk-lt-{}", random_hex(16)),
    });
    let salt = random_hex(16);
    tx.execute(
        "INSERT INTO api_keys (public_key, project_id, salt, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![keys.public_key, project_id, salt, hash(&salt, &keys.secret_key), now_ns()],
    )?;
    Ok(keys)
}

/// Why a request is not authenticated.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization: Basic` header.
    #[error("missing credentials: send HTTP Basic auth with your public key and secret key")]
    Missing,
    /// Malformed header or unknown/wrong key pair.
    #[error("invalid credentials")]
    Invalid,
}

#[derive(Clone)]
struct StoredKey {
    project: Project,
    salt: String,
    secret_hash: String,
}

/// Checks credentials against the store, caching keys by public key.
#[derive(Clone)]
pub struct Authenticator {
    store: Store,
    cache: Arc<RwLock<HashMap<String, StoredKey>>>,
}

impl Authenticator {
    /// Checks keys stored in `store`.
    pub fn new(store: Store) -> Self {
        Self { store, cache: Arc::default() }
    }

    /// The project of the key pair in an `Authorization` header value.
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<Project, AuthError> {
        let encoded = authorization
            .and_then(|value| value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic ")))
            .ok_or(AuthError::Missing)?;
        let decoded =
            base64::engine::general_purpose::STANDARD.decode(encoded.trim()).map_err(|_| AuthError::Invalid)?;
        let text = String::from_utf8(decoded).map_err(|_| AuthError::Invalid)?;
        let (public_key, secret_key) = text.split_once(':').ok_or(AuthError::Invalid)?;
        self.verify(public_key, secret_key)
    }

    /// The project of a key pair.
    pub fn verify(&self, public_key: &str, secret_key: &str) -> Result<Project, AuthError> {
        let cached = self.cache.read().ok().and_then(|cache| cache.get(public_key).cloned());
        let key = match cached {
            Some(key) => key,
            None => {
                let key = self.load(public_key).map_err(|_| AuthError::Invalid)?.ok_or(AuthError::Invalid)?;
                if let Ok(mut cache) = self.cache.write() {
                    cache.insert(public_key.to_owned(), key.clone());
                }
                key
            }
        };
        if bool::from(hash(&key.salt, secret_key).as_bytes().ct_eq(key.secret_hash.as_bytes())) {
            Ok(key.project)
        } else {
            Err(AuthError::Invalid)
        }
    }

    fn load(&self, public_key: &str) -> rusqlite::Result<Option<StoredKey>> {
        self.store.read(|connection| {
            connection
                .query_row(
                    "SELECT p.id, p.name, k.salt, k.secret_hash FROM api_keys k JOIN projects p ON p.id = k.project_id
                     WHERE k.public_key = ?1",
                    [public_key],
                    |row| {
                        Ok(StoredKey {
                            project: Project { id: row.get(0)?, name: row.get(1)? },
                            salt: row.get(2)?,
                            secret_hash: row.get(3)?,
                        })
                    },
                )
                .optional()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_salted() {
        assert_ne!(hash("a", "secret"), hash("b", "secret"));
        assert_eq!(random_hex(16).len(), 32);
    }
}
