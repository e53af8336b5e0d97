//! A trace's totals (start, end, token and cost sums, counts per level), kept up to date
//! by deltas: each stored observation row adds its contribution, a replaced row first
//! takes its old one back, so a rollup never rescans the trace's observations (except
//! for start and end in the rare case a replaced row held one of them). Sums saturate:
//! tokens at `i64::MAX`, costs at `f64::MAX`; a saturated sum stays there.

use crate::store::db::{self, params, Row, Transaction};

/// What one observation row adds to its trace's totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Contribution {
    /// Start time (ns).
    pub start: i64,
    /// End time, else the start (ns).
    pub end: i64,
    /// Input tokens.
    pub input_tokens: Option<i64>,
    /// Output tokens.
    pub output_tokens: Option<i64>,
    /// Total tokens.
    pub total_tokens: Option<i64>,
    /// Total cost (USD).
    pub total_cost: Option<f64>,
    /// Level, as stored (`DEBUG`, `DEFAULT`, `WARNING`, `ERROR`).
    pub level: String,
}

impl Contribution {
    /// The stored row of observation `id` of a trace, if there is one.
    pub fn stored(tx: &Transaction<'_>, project_id: &str, trace_id: &str, id: &str) -> db::Result<Option<Self>> {
        use crate::store::db::OptionalExtension;
        tx.prepare_cached(
            "SELECT start_time, COALESCE(end_time, start_time), input_tokens, output_tokens, total_tokens,
                total_cost, level FROM observations WHERE project_id = ?1 AND trace_id = ?2 AND id = ?3",
        )?
        .query_row(params![project_id, trace_id, id], |row| {
            Ok(Self {
                start: row.get(0)?,
                end: row.get(1)?,
                input_tokens: row.get(2)?,
                output_tokens: row.get(3)?,
                total_tokens: row.get(4)?,
                total_cost: row.get(5)?,
                level: row.get(6)?,
            })
        })
        .optional()
    }
}

/// A trace's totals as stored on its row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    /// Earliest start (ns), `None` before the first observation.
    pub start: Option<i64>,
    /// Latest end (ns).
    pub end: Option<i64>,
    /// Sums of the observations' tokens.
    pub input_tokens: i64,
    /// See `input_tokens`.
    pub output_tokens: i64,
    /// See `input_tokens`.
    pub total_tokens: i64,
    /// Sum of the observations' costs (USD).
    pub total_cost: f64,
    /// Observations, then observations per level: debug, default, warning, error.
    pub count: i64,
    /// See `count`.
    pub levels: [i64; 4],
}

impl Totals {
    /// Reads the totals columns of a trace row.
    pub fn read(row: &Row<'_>) -> db::Result<Self> {
        Ok(Self {
            start: row.get("start_time")?,
            end: row.get("end_time")?,
            input_tokens: row.get("input_tokens")?,
            output_tokens: row.get("output_tokens")?,
            total_tokens: row.get("total_tokens")?,
            total_cost: row.get("total_cost")?,
            count: row.get("observation_count")?,
            levels: [
                row.get("debug_count")?,
                row.get("default_count")?,
                row.get("warning_count")?,
                row.get("error_count")?,
            ],
        })
    }
}

/// The change a batch makes to one trace's totals.
#[derive(Debug, Default)]
pub struct Delta {
    tokens: [i128; 3],
    cost: f64,
    count: i64,
    levels: [i64; 4],
    /// Earliest start and latest end of the rows stored.
    added_bounds: Option<(i64, i64)>,
    /// Earliest start and latest end of the rows replaced.
    replaced_bounds: Option<(i64, i64)>,
}

fn level_index(level: &str) -> usize {
    match level {
        "DEBUG" => 0,
        "WARNING" => 2,
        "ERROR" => 3,
        _ => 1,
    }
}

fn widen(bounds: &mut Option<(i64, i64)>, row: &Contribution) {
    let (start, end) = bounds.get_or_insert((row.start, row.end));
    *start = (*start).min(row.start);
    *end = (*end).max(row.end);
}

impl Delta {
    /// Counts a stored row in.
    pub fn add(&mut self, row: &Contribution) {
        self.shift(row, 1);
        widen(&mut self.added_bounds, row);
    }

    /// Takes a replaced row's contribution back out.
    pub fn remove(&mut self, row: &Contribution) {
        self.shift(row, -1);
        widen(&mut self.replaced_bounds, row);
    }

    fn shift(&mut self, row: &Contribution, sign: i64) {
        for (sum, tokens) in self.tokens.iter_mut().zip([row.input_tokens, row.output_tokens, row.total_tokens]) {
            *sum += i128::from(sign) * i128::from(tokens.unwrap_or(0));
        }
        self.cost += sign as f64 * row.total_cost.unwrap_or(0.0);
        self.count += sign;
        self.levels[level_index(&row.level)] += sign;
    }

    /// Whether a replaced row held the start or end (stored, or of the rows this batch
    /// stored before replacing them), which must then be read again from the observations.
    pub fn needs_bounds_rescan(&self, stored: &Totals) -> bool {
        let Some((replaced_start, replaced_end)) = self.replaced_bounds else { return false };
        let (start, end) = self.bounds(stored);
        start.is_some_and(|s| replaced_start <= s) || end.is_some_and(|e| replaced_end >= e)
    }

    /// The stored bounds widened by the rows added.
    fn bounds(&self, stored: &Totals) -> (Option<i64>, Option<i64>) {
        match self.added_bounds {
            Some((start, end)) => {
                (Some(stored.start.map_or(start, |s| s.min(start))), Some(stored.end.map_or(end, |e| e.max(end))))
            }
            None => (stored.start, stored.end),
        }
    }

    /// `stored` with this delta applied; `rescanned` replaces the bounds when
    /// [`Delta::needs_bounds_rescan`] said so.
    pub fn apply(&self, stored: &Totals, rescanned: Option<(i64, i64)>) -> Totals {
        let saturate = |sum: i64, delta: i128| (i128::from(sum) + delta).clamp(0, i128::from(i64::MAX)) as i64;
        let (start, end) = match rescanned {
            Some((start, end)) => (Some(start), Some(end)),
            None => self.bounds(stored),
        };
        let cost = stored.total_cost + self.cost;
        Totals {
            start,
            end,
            input_tokens: saturate(stored.input_tokens, self.tokens[0]),
            output_tokens: saturate(stored.output_tokens, self.tokens[1]),
            total_tokens: saturate(stored.total_tokens, self.tokens[2]),
            total_cost: if cost.is_finite() { cost.max(0.0) } else { f64::MAX },
            count: stored.count + self.count,
            levels: std::array::from_fn(|i| stored.levels[i] + self.levels[i]),
        }
    }
}

/// The earliest start and latest end of a trace's stored observations.
pub fn rescan_bounds(tx: &Transaction<'_>, project_id: &str, trace_id: &str) -> db::Result<Option<(i64, i64)>> {
    tx.prepare_cached(
        "SELECT MIN(start_time), MAX(COALESCE(end_time, start_time)) FROM observations
         WHERE project_id = ?1 AND trace_id = ?2",
    )?
    .query_row(params![project_id, trace_id], |row| {
        Ok(row.get::<_, Option<i64>>(0)?.zip(row.get::<_, Option<i64>>(1)?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(start: i64, end: i64, tokens: i64, level: &str) -> Contribution {
        Contribution {
            start,
            end,
            input_tokens: Some(tokens),
            output_tokens: None,
            total_tokens: Some(tokens),
            total_cost: Some(0.5),
            level: level.into(),
        }
    }

    #[test]
    fn sums_saturate_and_replaced_rows_are_taken_back() {
        let mut first = Delta::default();
        first.add(&row(10, 20, i64::MAX, "DEFAULT"));
        first.add(&row(5, 30, i64::MAX, "ERROR"));
        let stored = first.apply(&Totals::default(), None);
        assert_eq!((stored.start, stored.end), (Some(5), Some(30)));
        assert_eq!(stored.input_tokens, i64::MAX, "saturates instead of overflowing");
        assert_eq!((stored.count, stored.levels), (2, [0, 1, 0, 1]));

        let mut replace = Delta::default();
        replace.remove(&row(10, 20, 3, "DEFAULT"));
        replace.add(&row(12, 18, 4, "WARNING"));
        assert!(!replace.needs_bounds_rescan(&stored), "the replaced row held neither bound");
        let after = replace.apply(&Totals { input_tokens: 10, ..stored.clone() }, None);
        assert_eq!(after.input_tokens, 11);
        assert_eq!((after.count, after.levels), (2, [0, 0, 1, 1]));
        assert!((after.total_cost - 1.0).abs() < 1e-12);

        let mut extreme = Delta::default();
        extreme.remove(&row(5, 30, 0, "ERROR"));
        assert!(extreme.needs_bounds_rescan(&stored));
        assert_eq!(extreme.apply(&stored, Some((10, 20))).start, Some(10));
    }
}
