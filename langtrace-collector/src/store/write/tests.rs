//! Incremental rollups against the truth: after every batch (new rows, rows replaced,
//! a replaced row that held the trace's start and end), the trace's totals equal the
//! aggregates of its stored observations; token sums saturate instead of overflowing.

use std::collections::BTreeMap;
use std::sync::Arc;

use langtrace_core::record::{Level, ObservationRecord, ObservationType, Timestamp, TraceAttributes};
use langtrace_core::{ObservationId, TraceId};

use super::{observations, prepare, StoredCaps};
use crate::store::db::{self, Connection};

const MS: u64 = 1_000_000;

/// Observation `id` of the test trace from `start` to `end` ms, reporting `tokens` input
/// tokens at `level`.
fn record(id: u64, start: u64, end: u64, tokens: u64, level: Level) -> ObservationRecord {
    ObservationRecord {
        id: ObservationId::from_bytes(id.to_be_bytes()).unwrap(),
        trace_id: TraceId::from_seed("rollup"),
        parent_id: (id > 1).then(|| ObservationId::from_bytes(1u64.to_be_bytes()).unwrap()),
        is_root: id == 1,
        observation_type: ObservationType::Generation,
        name: "llm".into(),
        start_time: Timestamp(start * MS),
        end_time: Timestamp(end * MS),
        completion_start_time: None,
        level,
        status_message: None,
        input: None,
        output: None,
        metadata: Default::default(),
        version: None,
        environment: "default".into(),
        model: None,
        model_parameters: Default::default(),
        usage_details: BTreeMap::from([("input".to_owned(), tokens)]),
        cost_details: BTreeMap::from([("total".to_owned(), 0.25)]),
        prompt: None,
        trace: Arc::new(TraceAttributes::default()),
        media: Vec::new(),
    }
}

/// Stores `records` as one batch.
fn store(connection: &mut Connection, records: Vec<ObservationRecord>) {
    let batch = prepare(records, &StoredCaps::default(), |_, _| None);
    let tx = connection.transaction().unwrap();
    observations(&tx, "p", &batch).unwrap();
    tx.commit().unwrap();
}

/// The trace row's totals and the same figures aggregated from its observations.
fn totals_and_truth(connection: &Connection) -> (Vec<i64>, Vec<i64>, f64, f64) {
    let totals = connection
        .query_row(
            "SELECT start_time, end_time, input_tokens, observation_count, default_count, error_count, total_cost
             FROM traces WHERE project_id = 'p'",
            (),
            |row| Ok(((0..6).map(|i| row.get(i)).collect::<db::Result<Vec<i64>>>()?, row.get(6)?)),
        )
        .unwrap();
    let truth = connection
        .query_row(
            "SELECT MIN(start_time), MAX(end_time), SUM(input_tokens), COUNT(*), SUM(level = 'DEFAULT'),
                SUM(level = 'ERROR'), SUM(total_cost) FROM observations WHERE project_id = 'p'",
            (),
            |row| Ok(((0..6).map(|i| row.get(i)).collect::<db::Result<Vec<i64>>>()?, row.get(6)?)),
        )
        .unwrap();
    (totals.0, truth.0, totals.1, truth.1)
}

#[test]
fn trace_totals_follow_new_and_replaced_rows() {
    let mut connection = crate::store::migrated_in_memory();
    let batches = [
        vec![record(1, 0, 100, 10, Level::Default), record(2, 10, 50, 5, Level::Default)],
        // A new row, and row 2 replaced within the trace's bounds at another level.
        vec![record(3, 20, 120, 7, Level::Default), record(2, 15, 40, 6, Level::Error)],
        // The root, which held the start, and row 3, which held the end, move inward.
        vec![record(1, 5, 90, 1, Level::Default), record(3, 20, 95, 2, Level::Default)],
        // One row sent twice in a batch.
        vec![record(4, 30, 130, 3, Level::Error), record(4, 30, 60, 4, Level::Default)],
    ];
    for (index, batch) in batches.into_iter().enumerate() {
        store(&mut connection, batch);
        let (totals, truth, cost, true_cost) = totals_and_truth(&connection);
        assert_eq!(totals, truth, "after batch {index}: start, end, tokens, count, default, error");
        assert!((cost - true_cost).abs() < 1e-9, "after batch {index}: cost {cost} vs {true_cost}");
    }
}

#[test]
fn token_sums_saturate_and_the_trace_keeps_accepting_rows() {
    let mut connection = crate::store::migrated_in_memory();
    store(&mut connection, vec![record(1, 0, 100, u64::MAX, Level::Default)]);
    store(&mut connection, vec![record(2, 0, 100, i64::MAX as u64, Level::Default)]);
    store(&mut connection, vec![record(3, 0, 100, 1, Level::Default)]);
    let (tokens, count): (i64, i64) = connection
        .query_row("SELECT input_tokens, observation_count FROM traces", (), |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap();
    assert_eq!((tokens, count), (i64::MAX, 3));
}
