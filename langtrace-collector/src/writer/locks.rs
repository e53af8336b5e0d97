//! Locks that keep collectors sharing one PostgreSQL database from interleaving their
//! read-then-write steps: a job names what it reads and rewrites (a trace's rollup, a
//! prompt's versions and labels, a dataset item's versions) as [`LockKey`]s, and the
//! writer takes every key of a batch at the start of its transaction, in ascending order,
//! as transaction-scoped advisory locks. Two collectors wanting common keys then wait for
//! each other in one order (no deadlock among writers) and each reads what the other
//! committed. On SQLite one writer owns the database and the keys are not taken.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::store::db::{self, Transaction};

/// What a write reads and then rewrites, as a 64-bit advisory lock key: the first eight
/// bytes of the SHA-256 of its parts, so every collector (whatever its build) derives the
/// same key. Two names sharing a key only wait for each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LockKey(i64);

impl LockKey {
    /// The key of `parts` (a kind, then the names that identify one thing of that kind).
    fn of(parts: &[&str]) -> Self {
        let mut hash = Sha256::new();
        for part in parts {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        let digest = hash.finalize();
        let mut first = [0; 8];
        first.copy_from_slice(&digest[..8]);
        LockKey(i64::from_be_bytes(first))
    }

    /// A trace: its observations' inserts and its rollup.
    pub fn trace(project_id: &str, trace_id: &str) -> Self {
        Self::of(&["trace", project_id, trace_id])
    }

    /// A prompt name: its version numbers and label moves.
    pub fn prompt(project_id: &str, name: &str) -> Self {
        Self::of(&["prompt", project_id, name])
    }

    /// A dataset item: its versions (one current at a time).
    pub fn dataset_item(project_id: &str, id: &str) -> Self {
        Self::of(&["dataset-item", project_id, id])
    }

    /// The first start's set-up (the initial project and its keys).
    pub fn setup() -> Self {
        Self::of(&["setup"])
    }

    /// Delivering the forwarding outbox (held by one collector's session, not by a
    /// transaction).
    pub fn forwarding() -> Self {
        Self::of(&["forwarding"])
    }

    /// The key as PostgreSQL's advisory lock functions take it.
    pub fn get(self) -> i64 {
        self.0
    }
}

/// Takes `keys` (sorted, each once) until `tx` ends, in one round trip; nothing on SQLite.
pub(super) fn acquire(tx: &Transaction<'_>, keys: &[LockKey]) -> db::Result<()> {
    if keys.is_empty() || tx.sqlite().is_some() {
        return Ok(());
    }
    let mut sql = String::with_capacity(keys.len() * 40);
    for LockKey(key) in keys {
        // Integers only: nothing of a request reaches the statement's text.
        let _ = write!(sql, "SELECT pg_advisory_xact_lock({key});");
    }
    tx.execute_batch(&sql)
}

#[cfg(test)]
mod tests {
    use super::LockKey;

    #[test]
    fn keys_are_stable_and_keep_their_parts_apart() {
        assert_eq!(LockKey::trace("p", "t"), LockKey::trace("p", "t"));
        assert_ne!(LockKey::trace("p", "t"), LockKey::prompt("p", "t"));
        // Parts are delimited: ("ab", "c") and ("a", "bc") are different things.
        assert_ne!(LockKey::trace("ab", "c"), LockKey::trace("a", "bc"));
        // Derived from SHA-256, not from the process's hasher: the same in every build.
        assert_eq!(LockKey::setup(), LockKey(i64::from_be_bytes([0xe7, 0x6a, 0xec, 0x13, 0x67, 0xea, 0x22, 0x52])));
    }
}
