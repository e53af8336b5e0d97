//! Dataset and experiment writes, each run inside the single writer's transaction:
//! datasets upserted by name, item versions (the current one closed, a new one added),
//! item deletions, experiments and their items upserted (from spans and from
//! `POST /dataset-run-items` alike), experiments deleted. Validation runs before these,
//! in the same transaction (see `api::datasets`).

use crate::store::datasets::items::{self, ItemRow};
use crate::store::datasets::{self, DatasetRow};
use crate::store::db::{self, params, Transaction};

/// A dataset as a create request gives it; `None` keeps the stored value on update.
#[derive(Debug, Clone)]
pub struct DatasetFields {
    /// Id used when the dataset is new.
    pub id: String,
    /// Name (the upsert key).
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Metadata, JSON text.
    pub metadata: Option<String>,
    /// Input JSON Schema, JSON text.
    pub input_schema: Option<String>,
    /// Expected output JSON Schema, JSON text.
    pub expected_output_schema: Option<String>,
}

/// Creates dataset `fields.name`, or updates the fields given of the stored one; the row.
pub fn upsert_dataset(
    tx: &Transaction<'_>,
    project_id: &str,
    fields: &DatasetFields,
    at: i64,
) -> db::Result<DatasetRow> {
    tx.prepare_cached(
        "INSERT INTO datasets (project_id, id, name, description, metadata, input_schema, expected_output_schema,
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
         ON CONFLICT (project_id, name) DO UPDATE SET
           description = COALESCE(excluded.description, datasets.description),
           metadata = COALESCE(excluded.metadata, datasets.metadata),
           input_schema = COALESCE(excluded.input_schema, datasets.input_schema),
           expected_output_schema = COALESCE(excluded.expected_output_schema, datasets.expected_output_schema),
           updated_at = excluded.updated_at",
    )?
    .execute(params![
        project_id,
        fields.id,
        fields.name,
        fields.description,
        fields.metadata,
        fields.input_schema,
        fields.expected_output_schema,
        at
    ])?;
    datasets::by_name(tx, project_id, &fields.name)?.ok_or(db::Error::NoRows)
}

/// A whole version of an item, validated, to be stored as its current one.
#[derive(Debug, Clone)]
pub struct ItemVersion {
    /// Id.
    pub id: String,
    /// Its dataset.
    pub dataset_id: String,
    /// `ACTIVE` or `ARCHIVED`.
    pub status: String,
    /// Input, JSON text.
    pub input: Option<String>,
    /// Expected output, JSON text.
    pub expected_output: Option<String>,
    /// Metadata, JSON text.
    pub metadata: Option<String>,
    /// Source trace.
    pub source_trace_id: Option<String>,
    /// Source observation.
    pub source_observation_id: Option<String>,
}

/// Nanoseconds in a millisecond: item versions are whole milliseconds, so the ISO time
/// a version is answered with (milliseconds) reads exactly that version back.
const MILLISECOND: i64 = 1_000_000;

/// Stores `version` as the item's current version (closing the one it replaces, whose
/// creation time it keeps); the stored row. Versions of an item get increasing whole
/// milliseconds even when two writes fall in the same one.
pub fn write_item(tx: &Transaction<'_>, project_id: &str, version: &ItemVersion, at: i64) -> db::Result<ItemRow> {
    let previous = items::current(tx, project_id, &version.id)?;
    let at = at - at.rem_euclid(MILLISECOND);
    let at = previous.as_ref().map_or(at, |row| at.max(row.valid_from + MILLISECOND));
    close_item(tx, project_id, &version.id, at)?;
    tx.prepare_cached(
        "INSERT INTO dataset_items (project_id, id, dataset_id, status, input, expected_output, metadata,
         source_trace_id, source_observation_id, created_at, valid_from, valid_to)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, NULL)",
    )?
    .execute(params![
        project_id,
        version.id,
        version.dataset_id,
        version.status,
        version.input,
        version.expected_output,
        version.metadata,
        version.source_trace_id,
        version.source_observation_id,
        previous.map_or(at, |row| row.created_at),
        at
    ])?;
    items::current(tx, project_id, &version.id)?.ok_or(db::Error::NoRows)
}

/// Ends the current version of item `id` at `at` (a deletion when no version follows);
/// whether there was one.
pub fn close_item(tx: &Transaction<'_>, project_id: &str, id: &str, at: i64) -> db::Result<bool> {
    let closed = tx
        .prepare_cached(
            "UPDATE dataset_items SET valid_to = ?3 WHERE project_id = ?1 AND id = ?2 AND valid_to IS NULL",
        )?
        .execute(params![project_id, id, at])?;
    Ok(closed > 0)
}

/// An experiment (dataset run) as a span or a run item describes it; `None` keeps the
/// stored value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExperimentFields {
    /// Id: the stable id of (project, dataset, name), or the SDK's.
    pub id: String,
    /// Run name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Metadata, JSON text.
    pub metadata: Option<String>,
    /// The dataset it ran over.
    pub dataset_id: Option<String>,
}

/// Creates or updates experiment `fields.id`.
pub fn upsert_experiment(tx: &Transaction<'_>, project_id: &str, fields: &ExperimentFields, at: i64) -> db::Result<()> {
    tx.prepare_cached(
        "INSERT INTO experiments (project_id, id, name, description, metadata, dataset_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT (project_id, id) DO UPDATE SET
           name = excluded.name,
           description = COALESCE(excluded.description, experiments.description),
           metadata = COALESCE(excluded.metadata, experiments.metadata),
           dataset_id = COALESCE(excluded.dataset_id, experiments.dataset_id),
           updated_at = excluded.updated_at",
    )?
    .execute(params![
        project_id,
        fields.id,
        fields.name,
        fields.description,
        fields.metadata,
        fields.dataset_id,
        at
    ])?;
    Ok(())
}

/// One item of an experiment: the trace that ran it. `None` keeps the stored value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExperimentItemFields {
    /// Id used when the item is new (the root span's, or a fresh one).
    pub id: String,
    /// Its experiment.
    pub experiment_id: String,
    /// The trace that ran it (one item per experiment and trace).
    pub trace_id: String,
    /// The task's observation.
    pub observation_id: Option<String>,
    /// The dataset item (or the SDK's hash of the input).
    pub dataset_item_id: Option<String>,
    /// The dataset version read (ns).
    pub item_version: Option<i64>,
    /// Expected output, JSON text.
    pub expected_output: Option<String>,
    /// The item's metadata, JSON text.
    pub item_metadata: Option<String>,
    /// Start of the item's run (ns).
    pub start_time: Option<i64>,
    /// End of the item's run (ns).
    pub end_time: Option<i64>,
    /// The run's level.
    pub level: Option<String>,
}

/// Creates or updates the item of `fields.experiment_id` run by `fields.trace_id`; its id.
pub fn upsert_experiment_item(
    tx: &Transaction<'_>,
    project_id: &str,
    fields: &ExperimentItemFields,
    at: i64,
) -> db::Result<String> {
    tx.prepare_cached(
        "INSERT INTO experiment_items (project_id, id, experiment_id, trace_id, observation_id, dataset_item_id,
         item_version, expected_output, item_metadata, start_time, end_time, level, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)
         ON CONFLICT (project_id, experiment_id, trace_id) DO UPDATE SET
           observation_id = COALESCE(excluded.observation_id, experiment_items.observation_id),
           dataset_item_id = COALESCE(excluded.dataset_item_id, experiment_items.dataset_item_id),
           item_version = COALESCE(excluded.item_version, experiment_items.item_version),
           expected_output = COALESCE(excluded.expected_output, experiment_items.expected_output),
           item_metadata = COALESCE(excluded.item_metadata, experiment_items.item_metadata),
           start_time = COALESCE(excluded.start_time, experiment_items.start_time),
           end_time = COALESCE(excluded.end_time, experiment_items.end_time),
           level = COALESCE(excluded.level, experiment_items.level),
           updated_at = excluded.updated_at",
    )?
    .execute(params![
        project_id,
        fields.id,
        fields.experiment_id,
        fields.trace_id,
        fields.observation_id,
        fields.dataset_item_id,
        fields.item_version,
        fields.expected_output,
        fields.item_metadata,
        fields.start_time,
        fields.end_time,
        fields.level,
        at
    ])?;
    tx.prepare_cached("SELECT id FROM experiment_items WHERE project_id = ?1 AND experiment_id = ?2 AND trace_id = ?3")?
        .query_row(params![project_id, fields.experiment_id, fields.trace_id], |row| row.get(0))
}

/// Deletes experiment `id` and its items; whether it existed.
pub fn delete_experiment(tx: &Transaction<'_>, project_id: &str, id: &str) -> db::Result<bool> {
    tx.prepare_cached("DELETE FROM experiment_items WHERE project_id = ?1 AND experiment_id = ?2")?
        .execute(params![project_id, id])?;
    let deleted = tx
        .prepare_cached("DELETE FROM experiments WHERE project_id = ?1 AND id = ?2")?
        .execute(params![project_id, id])?;
    Ok(deleted > 0)
}
