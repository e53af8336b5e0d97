//! The check of a request's Basic credentials against the stored keys. Verified keys are
//! cached by public key for at most `--key-cache-ttl`, then read again, so a key revoked
//! or rotated by another process (the command line) stops working within that time; a
//! revocation through this server's API drops the cached key at once ([`Authenticator::forget`]).
//! Failed attempts count against the client address and the key (see `throttle`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use base64::Engine;

use super::settings::AuthArgs;
use super::throttle::FailureLimit;
use super::{matches, AuthError, Project};
use crate::store::db::{self, OptionalExtension};
use crate::store::Store;

#[derive(Clone)]
struct StoredKey {
    project: Project,
    salt: String,
    secret_hash: String,
}

/// A stored key and when it was read.
#[derive(Clone)]
struct Cached {
    key: StoredKey,
    read_at: Instant,
}

/// Checks credentials against the store, caching keys by public key.
#[derive(Clone)]
pub struct Authenticator {
    store: Store,
    cache: Arc<RwLock<HashMap<String, Cached>>>,
    ttl: Duration,
    failures: Arc<FailureLimit>,
}

impl Authenticator {
    /// Checks keys stored in `store` with the limits of `settings`.
    pub fn new(store: Store, settings: &AuthArgs) -> Self {
        Self {
            store,
            cache: Arc::default(),
            ttl: settings.key_cache_ttl,
            failures: Arc::new(FailureLimit::new(settings.auth_failure_limit)),
        }
    }

    /// The project of the key pair in an `Authorization` header value sent from `client`
    /// (when the transport knows it).
    pub fn authenticate(&self, authorization: Option<&str>, client: Option<IpAddr>) -> Result<Project, AuthError> {
        self.authenticate_at(authorization, client, Instant::now())
    }

    /// Drops the cached copy of `public_key` (revoked or rotated by this server).
    pub fn forget(&self, public_key: &str) {
        self.cache.write().unwrap_or_else(PoisonError::into_inner).remove(public_key);
    }

    fn authenticate_at(
        &self,
        authorization: Option<&str>,
        client: Option<IpAddr>,
        now: Instant,
    ) -> Result<Project, AuthError> {
        let encoded = authorization
            .and_then(|value| value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic ")))
            .ok_or(AuthError::Missing)?;
        let credentials = decode(encoded);
        let public_key = credentials.as_ref().map(|(public_key, _)| public_key.as_str());
        self.failures.check(client, public_key, now).map_err(AuthError::Throttled)?;
        let Some((public_key, secret_key)) = credentials else {
            self.failures.record(client, None, now);
            return Err(AuthError::Invalid);
        };
        match self.lookup(&public_key, now) {
            Some(key) if matches(&key.salt, &key.secret_hash, &secret_key) => Ok(key.project),
            Some(_) => {
                self.failures.record(client, Some(&public_key), now);
                Err(AuthError::Invalid)
            }
            // An unknown key counts against the client only: the table of keys stays as
            // small as the store's.
            None => {
                self.failures.record(client, None, now);
                Err(AuthError::Invalid)
            }
        }
    }

    /// The stored key, from the cache while it is younger than the TTL.
    fn lookup(&self, public_key: &str, now: Instant) -> Option<StoredKey> {
        let cached = self.cache.read().unwrap_or_else(PoisonError::into_inner).get(public_key).cloned();
        if let Some(cached) = cached.filter(|cached| now.saturating_duration_since(cached.read_at) < self.ttl) {
            return Some(cached.key);
        }
        let loaded = self.load(public_key).unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot read a key; the request is refused");
            None
        });
        let mut cache = self.cache.write().unwrap_or_else(PoisonError::into_inner);
        match &loaded {
            Some(key) => cache.insert(public_key.to_owned(), Cached { key: key.clone(), read_at: now }),
            None => cache.remove(public_key),
        };
        loaded
    }

    fn load(&self, public_key: &str) -> db::Result<Option<StoredKey>> {
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

/// The public key of a Basic `Authorization` header value (whether or not it is valid:
/// check with [`Authenticator::authenticate`] first).
pub fn public_key_of(authorization: &str) -> Option<String> {
    let encoded = authorization.strip_prefix("Basic ").or_else(|| authorization.strip_prefix("basic "))?;
    decode(encoded).map(|(public_key, _)| public_key)
}

/// `base64(public:secret)` as its two halves.
fn decode(encoded: &str) -> Option<(String, String)> {
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (public_key, secret_key) = text.split_once(':')?;
    Some((public_key.to_owned(), secret_key.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{create_keys, create_project, revoke_key, KeyPair};
    use crate::store::Durability;

    const SECRET: &str = "sk-lt-unit-0123456789abcdef";

    fn basic(public_key: &str, secret_key: &str) -> String {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{public_key}:{secret_key}")))
    }

    /// A store with one project holding the keys `pk-a` and `pk-b`, its write connection,
    /// and an authenticator over it.
    fn fixture(settings: AuthArgs) -> (tempfile::TempDir, db::Connection, Authenticator) {
        let dir = tempfile::tempdir().unwrap();
        let (store, connection) = Store::open(dir.path(), Durability::EachCommit).unwrap();
        let mut connection = db::Connection::from(connection);
        let tx = connection.transaction().unwrap();
        let project = create_project(&tx, "p").unwrap();
        for public_key in ["pk-a", "pk-b"] {
            let keys = KeyPair { public_key: public_key.into(), secret_key: SECRET.into() };
            create_keys(&tx, &project.id, Some(keys)).unwrap();
        }
        tx.commit().unwrap();
        (dir, connection, Authenticator::new(store, &settings))
    }

    fn revoke(connection: &mut db::Connection, public_key: &str) {
        let tx = connection.transaction().unwrap();
        assert_eq!(revoke_key(&tx, public_key, None).unwrap(), crate::auth::Revocation::Revoked);
        tx.commit().unwrap();
    }

    #[test]
    fn a_key_revoked_elsewhere_stops_working_once_its_cached_copy_expires() {
        let ttl = Duration::from_secs(30);
        let (_dir, mut connection, auth) = fixture(AuthArgs { key_cache_ttl: ttl, auth_failure_limit: 0 });
        let header = basic("pk-a", SECRET);
        let start = Instant::now();
        assert!(auth.authenticate_at(Some(&header), None, start).is_ok());
        revoke(&mut connection, "pk-a");
        let cached = start + ttl - Duration::from_millis(1);
        assert!(auth.authenticate_at(Some(&header), None, cached).is_ok(), "still cached");
        assert_eq!(auth.authenticate_at(Some(&header), None, start + ttl), Err(AuthError::Invalid));
        assert_eq!(auth.authenticate_at(Some(&header), None, start), Err(AuthError::Invalid), "not cached again");
    }

    #[test]
    fn forget_drops_the_cached_key_at_once() {
        let (_dir, mut connection, auth) =
            fixture(AuthArgs { key_cache_ttl: Duration::from_secs(30), auth_failure_limit: 0 });
        let header = basic("pk-b", SECRET);
        let now = Instant::now();
        assert!(auth.authenticate_at(Some(&header), None, now).is_ok());
        revoke(&mut connection, "pk-b");
        auth.forget("pk-b");
        assert_eq!(auth.authenticate_at(Some(&header), None, now), Err(AuthError::Invalid));
    }

    #[test]
    fn failures_for_a_known_key_lock_it_whatever_the_address() {
        let (_dir, _connection, auth) =
            fixture(AuthArgs { key_cache_ttl: Duration::from_secs(30), auth_failure_limit: 3 });
        let now = Instant::now();
        let wrong = basic("pk-a", "sk-wrong");
        for last in 1..=3u8 {
            let client = Some(IpAddr::from([10, 0, 0, last]));
            assert_eq!(auth.authenticate_at(Some(&wrong), client, now), Err(AuthError::Invalid));
        }
        let right = basic("pk-a", SECRET);
        let fresh_client = Some(IpAddr::from([10, 0, 1, 1]));
        assert!(matches!(auth.authenticate_at(Some(&right), fresh_client, now), Err(AuthError::Throttled(_))));
        let other_key = basic("pk-b", SECRET);
        assert!(auth.authenticate_at(Some(&other_key), fresh_client, now).is_ok(), "other keys are not locked");
        let later = now + Duration::from_secs(61);
        assert!(auth.authenticate_at(Some(&right), fresh_client, later).is_ok(), "the window passes");
    }

    #[test]
    fn missing_credentials_are_no_failed_attempt() {
        let (_dir, _connection, auth) =
            fixture(AuthArgs { key_cache_ttl: Duration::from_secs(30), auth_failure_limit: 1 });
        let now = Instant::now();
        let client = Some(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..3 {
            assert_eq!(auth.authenticate_at(None, client, now), Err(AuthError::Missing));
        }
        assert!(auth.authenticate_at(Some(&basic("pk-a", SECRET)), client, now).is_ok());
    }
}
