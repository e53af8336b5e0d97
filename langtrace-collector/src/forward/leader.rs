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
    /// Its own session to the database, kept between tries.
    session: Option<db::Connection>,
    /// Whether that session holds the lock.
    held: bool,
}

impl Leadership {
    /// Not delivering yet.
    pub fn new(store: Store) -> Self {
        Self { store, session: None, held: false }
    }

    /// Whether this collector delivers now: on PostgreSQL, whether its session (checked
    /// with a query) holds the lock, else whether it could take it now. Blocks on the
    /// database.
    pub fn holds(&mut self) -> db::Result<bool> {
        if self.store.is_embedded() {
            return Ok(true);
        }
        let alive = |session: &db::Connection| session.query_row("SELECT 1", (), |row| row.get::<_, i64>(0)).is_ok();
        if self.session.as_ref().is_some_and(|session| !alive(session)) {
            if self.held {
                tracing::warn!("forwarding lost its database session; another collector may deliver now");
            }
            (self.session, self.held) = (None, false);
        }
        if self.held {
            return Ok(true);
        }
        if self.session.is_none() {
            self.session = self.store.session()?;
        }
        let Some(session) = &self.session else { return Ok(true) };
        let taken: Option<i64> = session
            .query_row(
                "SELECT CASE WHEN pg_try_advisory_lock(?1) THEN 1 ELSE 0 END",
                [LockKey::forwarding().get()],
                |row| row.get(0),
            )
            .optional()?;
        if taken == Some(1) {
            tracing::info!("this collector delivers the forwarding outbox");
            self.held = true;
        }
        Ok(self.held)
    }
}
