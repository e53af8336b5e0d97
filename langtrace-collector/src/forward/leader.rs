//! Which collector delivers the outbox. Collectors sharing one PostgreSQL database all
//! append to it; one at a time delivers: the one whose session of its own holds an
//! advisory lock. When that collector stops or its connection drops, the server releases
//! the lock and the next collector to ask takes over, starting from the oldest row (a
//! batch the old one sent but did not settle is sent again: at least once). On SQLite
//! the one collector always delivers.

use crate::store::db::{self, OptionalExtension};
use crate::store::Store;
use crate::writer::LockKey;

/// This collector's claim to deliver.
pub struct Leadership {
    store: Store,
    /// The session holding the lock, once taken.
    session: Option<db::Connection>,
}

impl Leadership {
    /// Not delivering yet.
    pub fn new(store: Store) -> Self {
        Self { store, session: None }
    }

    /// Whether this collector delivers now: on PostgreSQL, whether its session still
    /// holds the lock (checked on the session), else whether it could take it. Blocks on
    /// the database.
    pub fn holds(&mut self) -> db::Result<bool> {
        if self.store.is_embedded() {
            return Ok(true);
        }
        if let Some(session) = &self.session {
            if session.query_row("SELECT 1", (), |row| row.get::<_, i64>(0)).is_ok() {
                return Ok(true);
            }
            tracing::warn!("forwarding lost its database session; another collector may deliver now");
            self.session = None;
        }
        let Some(session) = self.store.session()? else { return Ok(true) };
        let taken: Option<i64> = session
            .query_row(
                "SELECT CASE WHEN pg_try_advisory_lock(?1) THEN 1 ELSE 0 END",
                [LockKey::forwarding().get()],
                |row| row.get(0),
            )
            .optional()?;
        if taken == Some(1) {
            tracing::info!("this collector delivers the forwarding outbox");
            self.session = Some(session);
        }
        Ok(self.session.is_some())
    }
}
