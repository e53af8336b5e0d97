//! Projects and their key pairs. Every ingest and API route takes HTTP Basic auth
//! (`public:secret`, as Langfuse's SDKs send) and resolves it to one project; queries are
//! always scoped to it. Secrets are stored as salted SHA-256 (generated ones are random
//! 128-bit values, chosen ones must pass [`strength`], so a slow hash adds nothing) and
//! compared in constant time.
//!
//! - this file: the `projects` and `api_keys` rows (create, list, revoke, rotate);
//! - `authenticator`: the check of a request's credentials, with its revalidating cache;
//! - `throttle`: the failed-authentication limit per client address and per key;
//! - `strength`: the minimum strength of a chosen secret;
//! - `settings`: the `serve` flags of all this;
//! - `exposure`: the warning for a listener reachable from other machines.

mod authenticator;
pub mod exposure;
pub mod settings;
pub mod strength;
mod throttle;

use std::time::Duration;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub use authenticator::{public_key_of, Authenticator};

use crate::store::db::{self, params, OptionalExtension, Transaction};
use crate::store::now_ns;

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

/// A stored key, without anything secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRow {
    /// Public key, also the key's id.
    pub public_key: String,
    /// When it was created, nanoseconds since the epoch.
    pub created_at: i64,
}

/// What a revocation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revocation {
    /// The key is gone.
    Revoked,
    /// No such key (in that project).
    NotFound,
    /// Refused: it is its project's last key (create another first).
    LastKey,
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

/// Whether `secret` hashes to `secret_hash` with `salt`, compared in constant time.
fn matches(salt: &str, secret_hash: &str, secret: &str) -> bool {
    bool::from(hash(salt, secret).as_bytes().ct_eq(secret_hash.as_bytes()))
}

/// Creates a project named `name`.
pub fn create_project(tx: &Transaction<'_>, name: &str) -> db::Result<Project> {
    // Short: the id is part of every index key.
    let project = Project { id: format!("p-{}", random_hex(6)), name: name.to_owned() };
    tx.execute("INSERT INTO projects (id, name, created_at) VALUES (?1, ?2, ?3)", params![project.id, name, now_ns()])?;
    Ok(project)
}

/// How many projects exist.
pub fn project_count(tx: &Transaction<'_>) -> db::Result<i64> {
    tx.query_row("SELECT COUNT(*) FROM projects", (), |row| row.get(0))
}

/// The project named `name`, if any.
pub fn project_by_name(tx: &Transaction<'_>, name: &str) -> db::Result<Option<Project>> {
    tx.query_row("SELECT id, name FROM projects WHERE name = ?1", [name], |row| {
        Ok(Project { id: row.get(0)?, name: row.get(1)? })
    })
    .optional()
}

/// Stores a key pair for `project_id`: `given` keys, or newly generated ones.
pub fn create_keys(tx: &Transaction<'_>, project_id: &str, given: Option<KeyPair>) -> db::Result<KeyPair> {
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

/// Stores `keys` for `project_id`: added if the public key is new, its secret replaced
/// (fresh salt) if the stored one differs; a public key of another project is left alone.
/// Whether anything changed.
pub fn store_given_keys(tx: &Transaction<'_>, project_id: &str, keys: &KeyPair) -> db::Result<bool> {
    let stored: Option<(String, String, String)> = tx
        .query_row(
            "SELECT project_id, salt, secret_hash FROM api_keys WHERE public_key = ?1",
            [&keys.public_key],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    match stored {
        None => create_keys(tx, project_id, Some(keys.clone())).map(|_| true),
        Some((owner, salt, secret_hash)) if owner == project_id && !matches(&salt, &secret_hash, &keys.secret_key) => {
            let salt = random_hex(16);
            tx.execute(
                "UPDATE api_keys SET salt = ?1, secret_hash = ?2 WHERE public_key = ?3",
                params![salt, hash(&salt, &keys.secret_key), keys.public_key],
            )?;
            Ok(true)
        }
        Some(_) => Ok(false),
    }
}

/// The keys of `project_id`, oldest first.
pub fn list_keys(connection: &db::Connection, project_id: &str) -> db::Result<Vec<KeyRow>> {
    let mut statement = connection
        .prepare("SELECT public_key, created_at FROM api_keys WHERE project_id = ?1 ORDER BY created_at, public_key")?;
    let rows =
        statement.query_map([project_id], |row| Ok(KeyRow { public_key: row.get(0)?, created_at: row.get(1)? }))?;
    rows.collect()
}

/// Deletes the key `public_key` (of `project_id` if given) unless it is its project's
/// last key.
pub fn revoke_key(tx: &Transaction<'_>, public_key: &str, project_id: Option<&str>) -> db::Result<Revocation> {
    let owner: Option<String> = tx
        .query_row("SELECT project_id FROM api_keys WHERE public_key = ?1", [public_key], |row| row.get(0))
        .optional()?;
    let Some(owner) = owner.filter(|owner| project_id.is_none_or(|wanted| wanted == owner)) else {
        return Ok(Revocation::NotFound);
    };
    let keys: i64 = tx.query_row("SELECT COUNT(*) FROM api_keys WHERE project_id = ?1", [&owner], |row| row.get(0))?;
    if keys <= 1 {
        return Ok(Revocation::LastKey);
    }
    tx.execute("DELETE FROM api_keys WHERE public_key = ?1", [public_key])?;
    Ok(Revocation::Revoked)
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
    /// Too many failed attempts from this client address or for this key (see
    /// `--auth-failure-limit`); the time until the next attempt is taken.
    #[error("too many failed authentications (--auth-failure-limit): retry in {} s", .0.as_secs())]
    Throttled(Duration),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_salted() {
        assert_ne!(hash("a", "secret"), hash("b", "secret"));
        assert!(matches("a", &hash("a", "secret"), "secret"));
        assert!(!matches("a", &hash("a", "secret"), "secreT"));
        assert_eq!(random_hex(16).len(), 32);
    }
}
