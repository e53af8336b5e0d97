//! The outbox: exports waiting for the upstream, in the store. Appended in the writer
//! transaction that commits their spans ([`append`]), so a span is acknowledged only
//! once its delivery is durable too; read oldest first ([`pending`]); settled through the
//! writer once the upstream answered ([`settle`]): their rows are deleted, by position,
//! and their spans counted delivered or dropped (a batch is bounded, so the job is too).
//! Every row in the outbox is pending: no cursor, because collectors sharing PostgreSQL
//! commit positions out of order (a lower one may become visible after a higher one was
//! delivered). Past the backlog cap, the oldest pending exports are dropped to make room
//! ([`append`]).

use crate::store::db::{self, params, Connection, OptionalExtension, Transaction};

/// An export to forward: its protobuf `ExportTraceServiceRequest` as it will travel
/// ([`super::batch::encode_export`]) and the spans the collector accepted from it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The encoded request.
    pub body: Vec<u8>,
    /// Spans accepted (the count the totals use).
    pub spans: i64,
}

/// A pending export, read back for delivery.
#[derive(Debug, Clone)]
pub struct PendingExport {
    /// Its position.
    pub seq: i64,
    /// The project that sent it.
    pub project_id: String,
    /// The encoded request.
    pub body: Vec<u8>,
    /// Spans accepted from it.
    pub spans: i64,
}

/// How a batch ended upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered 2xx.
    Delivered,
    /// Refused for good (a 4xx other than 408 and 429).
    Dropped,
}

/// Forwarding totals of one project.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Spans waiting.
    pub pending_spans: i64,
    /// Spans the upstream accepted.
    pub delivered_spans: i64,
    /// Spans given up: refused by the upstream, or dropped past the backlog cap.
    pub dropped_spans: i64,
    /// When the oldest waiting export was received (ns since the epoch).
    pub oldest_pending_ns: Option<i64>,
}

/// Adds `outgoing` of `project_id`, received at `now_ns`, to the outbox; then, while the
/// pending bytes exceed `max_backlog`, drops the oldest pending export (never the one just
/// added). The spans dropped.
pub fn append(
    tx: &Transaction<'_>,
    project_id: &str,
    outgoing: &Outgoing,
    now_ns: i64,
    max_backlog: u64,
) -> db::Result<i64> {
    let newest: i64 = tx
        .prepare_cached(
            "INSERT INTO forward_outbox (project_id, body, span_count, received_at) VALUES (?1, ?2, ?3, ?4)
             RETURNING seq",
        )?
        .query_row(params![project_id, outgoing.body, outgoing.spans, now_ns], |row| row.get(0))?;
    count(tx, project_id, outgoing.spans, outgoing.body.len() as i64, None)?;
    let mut dropped = 0;
    while pending_bytes(tx)? > max_backlog as i64 {
        let oldest = tx
            .prepare_cached(
                "SELECT seq, project_id, span_count, length(body) FROM forward_outbox
                 WHERE seq < ?1 ORDER BY seq LIMIT 1",
            )?
            .query_row([newest], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?, row.get::<_, i64>(3)?))
            })
            .optional()?;
        let Some((seq, project, spans, bytes)) = oldest else { break };
        tx.prepare_cached("DELETE FROM forward_outbox WHERE seq = ?1")?.execute([seq])?;
        count(tx, &project, -spans, -bytes, Some(Outcome::Dropped))?;
        dropped += spans;
    }
    Ok(dropped)
}

/// Changes `project_id`'s pending counts by `spans` and `bytes`; a negative change ended
/// by `outcome` adds the spans to its total.
fn count(tx: &Transaction<'_>, project_id: &str, spans: i64, bytes: i64, outcome: Option<Outcome>) -> db::Result<()> {
    let (delivered, dropped) = match outcome {
        Some(Outcome::Delivered) => (-spans, 0),
        Some(Outcome::Dropped) => (0, -spans),
        None => (0, 0),
    };
    tx.prepare_cached(
        "INSERT INTO forward_totals (project_id, pending_spans, pending_bytes, delivered_spans, dropped_spans)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (project_id) DO UPDATE SET
           pending_spans = forward_totals.pending_spans + ?2, pending_bytes = forward_totals.pending_bytes + ?3,
           delivered_spans = forward_totals.delivered_spans + ?4, dropped_spans = forward_totals.dropped_spans + ?5",
    )?
    .execute(params![project_id, spans, bytes, delivered, dropped])?;
    Ok(())
}

/// Pending bytes of every project.
fn pending_bytes(connection: &Connection) -> db::Result<i64> {
    connection
        .prepare_cached("SELECT COALESCE(SUM(pending_bytes), 0) FROM forward_totals")?
        .query_row((), |row| row.get(0))
}

/// The pending exports after position `after` (0: all), oldest first, until `max_spans`
/// spans or `max_bytes` bytes are reached (at least one export, whatever its size).
pub fn pending(
    connection: &Connection,
    after: i64,
    max_spans: i64,
    max_bytes: usize,
) -> db::Result<Vec<PendingExport>> {
    let mut statement = connection.prepare_cached(
        "SELECT seq, project_id, body, span_count FROM forward_outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let mut rows = statement.query(params![after, max_spans])?;
    let (mut batch, mut spans, mut bytes) = (Vec::new(), 0, 0);
    while let Some(row) = rows.next()? {
        let export = PendingExport { seq: row.get(0)?, project_id: row.get(1)?, body: row.get(2)?, spans: row.get(3)? };
        if !batch.is_empty() && (spans + export.spans > max_spans || bytes + export.body.len() > max_bytes) {
            break;
        }
        spans += export.spans;
        bytes += export.body.len();
        batch.push(export);
    }
    Ok(batch)
}

/// Settles the exports at `seqs` with `outcome`: deleted and counted. Exports gone
/// meanwhile (dropped past the cap, or settled already) are not counted again. The spans
/// settled.
pub fn settle(tx: &Transaction<'_>, seqs: &[i64], outcome: Outcome) -> db::Result<i64> {
    let mut delete =
        tx.prepare_cached("DELETE FROM forward_outbox WHERE seq = ?1 RETURNING project_id, span_count, length(body)")?;
    let mut settled = 0;
    for &seq in seqs {
        let row = delete
            .query_row([seq], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?)))
            .optional()?;
        if let Some((project_id, spans, bytes)) = row {
            count(tx, &project_id, -spans, -bytes, Some(outcome))?;
            settled += spans;
        }
    }
    Ok(settled)
}

/// The totals of `project_id` (zero when it never forwarded).
pub fn totals(connection: &Connection, project_id: &str) -> db::Result<Totals> {
    let counts = connection
        .prepare_cached(
            "SELECT pending_spans, delivered_spans, dropped_spans FROM forward_totals WHERE project_id = ?1",
        )?
        .query_row([project_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?
        .unwrap_or_default();
    let oldest_pending_ns = connection
        .prepare_cached("SELECT received_at FROM forward_outbox WHERE project_id = ?1 ORDER BY seq LIMIT 1")?
        .query_row([project_id], |row| row.get(0))
        .optional()?;
    Ok(Totals { pending_spans: counts.0, delivered_spans: counts.1, dropped_spans: counts.2, oldest_pending_ns })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Connection {
        crate::store::migrated_in_memory()
    }

    fn add(connection: &mut Connection, project: &str, bytes: usize, spans: i64, cap: u64) -> i64 {
        let tx = connection.transaction().unwrap();
        let dropped = append(&tx, project, &Outgoing { body: vec![7; bytes], spans }, 1_000, cap).unwrap();
        tx.commit().unwrap();
        dropped
    }

    #[test]
    fn settled_exports_leave_the_outbox_and_move_the_totals() {
        let mut connection = store();
        add(&mut connection, "a", 10, 2, 1 << 20);
        add(&mut connection, "b", 10, 3, 1 << 20);
        add(&mut connection, "a", 10, 4, 1 << 20);
        let batch = pending(&connection, 0, 5, 1 << 20).unwrap();
        assert_eq!(batch.iter().map(|e| e.spans).collect::<Vec<_>>(), [2, 3], "bounded by spans");
        let seqs: Vec<i64> = batch.iter().map(|e| e.seq).collect();
        let tx = connection.transaction().unwrap();
        assert_eq!(settle(&tx, &seqs, Outcome::Delivered).unwrap(), 5);
        assert_eq!(settle(&tx, &seqs, Outcome::Delivered).unwrap(), 0, "settled once");
        tx.commit().unwrap();
        let a = totals(&connection, "a").unwrap();
        assert_eq!((a.pending_spans, a.delivered_spans, a.dropped_spans), (4, 2, 0));
        assert_eq!(a.oldest_pending_ns, Some(1_000));
        let rest = pending(&connection, 0, 100, 1 << 20).unwrap();
        assert_eq!(rest.iter().map(|e| e.spans).collect::<Vec<_>>(), [4]);
        let tx = connection.transaction().unwrap();
        settle(&tx, &[rest[0].seq], Outcome::Dropped).unwrap();
        tx.commit().unwrap();
        let a = totals(&connection, "a").unwrap();
        assert_eq!((a.pending_spans, a.delivered_spans, a.dropped_spans, a.oldest_pending_ns), (0, 2, 4, None));
        let rows: i64 = connection.query_row("SELECT COUNT(*) FROM forward_outbox", (), |r| r.get(0)).unwrap();
        assert_eq!(rows, 0, "settled rows are deleted");
    }

    #[test]
    fn past_the_cap_the_oldest_exports_are_dropped() {
        let mut connection = store();
        assert_eq!(add(&mut connection, "a", 400, 1, 1000), 0);
        assert_eq!(add(&mut connection, "a", 400, 2, 1000), 0);
        assert_eq!(add(&mut connection, "b", 400, 3, 1000), 1, "the oldest export goes");
        let batch = pending(&connection, 0, 100, 1 << 20).unwrap();
        assert_eq!(batch.iter().map(|e| e.spans).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(totals(&connection, "a").unwrap().dropped_spans, 1);
        // A drop while a batch is in flight is not counted twice when it settles.
        add(&mut connection, "b", 900, 5, 1000);
        let tx = connection.transaction().unwrap();
        assert_eq!(settle(&tx, &[batch[0].seq, batch[1].seq], Outcome::Delivered).unwrap(), 0);
        tx.commit().unwrap();
        let (a, b) = (totals(&connection, "a").unwrap(), totals(&connection, "b").unwrap());
        assert_eq!((a.dropped_spans, a.delivered_spans, b.dropped_spans, b.pending_spans), (3, 0, 3, 5));
    }

    #[test]
    fn an_export_below_a_settled_one_stays_pending() {
        // Collectors sharing PostgreSQL commit positions out of order: settling a higher
        // one must not pass over a lower one.
        let mut connection = store();
        for spans in [1, 2, 3] {
            add(&mut connection, "a", 10, spans, 1 << 20);
        }
        let all = pending(&connection, 0, 100, 1 << 20).unwrap();
        let tx = connection.transaction().unwrap();
        settle(&tx, &[all[1].seq], Outcome::Delivered).unwrap();
        tx.commit().unwrap();
        let rest = pending(&connection, 0, 100, 1 << 20).unwrap();
        assert_eq!(rest.iter().map(|e| e.spans).collect::<Vec<_>>(), [1, 3]);
    }
}
