//! Per-version figures of one prompt (langtrace's own): the generations linked to each
//! version, their latency percentiles, tokens and cost, and the average of each numeric
//! score given to them or to their traces. Read through the partial index on the
//! observations' prompt columns; percentiles ranked by SQLite's window functions, so
//! nothing is collected in memory but one row per version (and per score name).

use std::collections::BTreeMap;

use crate::store::db::{self, params, Connection};

/// The generations of one prompt version.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VersionFigures {
    /// Generations linked to the version.
    pub generations: u64,
    /// First and last start of one (ns).
    pub first_used: Option<i64>,
    /// Last start of one (ns).
    pub last_used: Option<i64>,
    /// Median latency, ms (nearest rank).
    pub latency_p50_ms: Option<f64>,
    /// 95th percentile latency, ms (nearest rank).
    pub latency_p95_ms: Option<f64>,
    /// Input tokens in all.
    pub input_tokens: i64,
    /// Output tokens in all.
    pub output_tokens: i64,
    /// Tokens in all.
    pub total_tokens: i64,
    /// Cost in all, USD.
    pub total_cost: f64,
    /// Per score name: its average and how many scores.
    pub scores: BTreeMap<String, (f64, u64)>,
}

/// The figures of every version of `name` that generations link to, by version.
pub fn of_prompt(connection: &Connection, project_id: &str, name: &str) -> db::Result<BTreeMap<i64, VersionFigures>> {
    let mut figures: BTreeMap<i64, VersionFigures> = BTreeMap::new();
    let mut totals = connection.prepare_cached(
        "SELECT prompt_version, COUNT(*), MIN(start_time), MAX(start_time), TOTAL(input_tokens),
         TOTAL(output_tokens), TOTAL(total_tokens), TOTAL(total_cost)
         FROM observations WHERE project_id = ?1 AND prompt_name = ?2 AND prompt_version IS NOT NULL
         GROUP BY prompt_version",
    )?;
    let mut rows = totals.query(params![project_id, name])?;
    while let Some(row) = rows.next()? {
        let entry = figures.entry(row.get(0)?).or_default();
        entry.generations = row.get::<_, i64>(1)? as u64;
        entry.first_used = row.get(2)?;
        entry.last_used = row.get(3)?;
        entry.input_tokens = row.get::<_, f64>(4)? as i64;
        entry.output_tokens = row.get::<_, f64>(5)? as i64;
        entry.total_tokens = row.get::<_, f64>(6)? as i64;
        entry.total_cost = row.get(7)?;
    }
    // Nearest rank: the value at position ceil(p * n) of the version's sorted latencies.
    let mut percentiles = connection.prepare_cached(
        "SELECT version, rank, latency, n FROM (
            SELECT prompt_version AS version, (end_time - start_time) / 1e6 AS latency,
                   ROW_NUMBER() OVER (PARTITION BY prompt_version ORDER BY end_time - start_time) AS rank,
                   COUNT(*) OVER (PARTITION BY prompt_version) AS n
            FROM observations
            WHERE project_id = ?1 AND prompt_name = ?2 AND prompt_version IS NOT NULL AND end_time IS NOT NULL) ranked
         WHERE rank = MAX(1, (n * 50 + 99) / 100) OR rank = MAX(1, (n * 95 + 99) / 100)",
    )?;
    let mut rows = percentiles.query(params![project_id, name])?;
    while let Some(row) = rows.next()? {
        let (version, rank, latency, n): (i64, i64, f64, i64) = (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
        let entry = figures.entry(version).or_default();
        if rank == nearest_rank(50, n) {
            entry.latency_p50_ms = Some(latency);
        }
        if rank == nearest_rank(95, n) {
            entry.latency_p95_ms = Some(latency);
        }
    }
    let mut scores = connection.prepare_cached(
        "SELECT o.prompt_version, s.name, AVG(s.value), COUNT(*)
         FROM observations o JOIN scores s ON s.project_id = o.project_id AND s.trace_id = o.trace_id
              AND (s.observation_id IS NULL OR s.observation_id = o.id)
         WHERE o.project_id = ?1 AND o.prompt_name = ?2 AND o.prompt_version IS NOT NULL
               AND s.value IS NOT NULL AND s.data_type IN ('NUMERIC', 'BOOLEAN')
         GROUP BY o.prompt_version, s.name",
    )?;
    let mut rows = scores.query(params![project_id, name])?;
    while let Some(row) = rows.next()? {
        let entry = figures.entry(row.get(0)?).or_default();
        entry.scores.insert(row.get(1)?, (row.get(2)?, row.get::<_, i64>(3)? as u64));
    }
    Ok(figures)
}

/// The 1-based nearest rank of percentile `percent` among `n` values.
fn nearest_rank(percent: i64, n: i64) -> i64 {
    ((percent * n) + 99).div_euclid(100).max(1)
}
