//! Observation rows: rendered ahead of the writer ([`prepare`]: capped, and priced when a
//! generation reports usage but no cost), inserted in the writer's transaction
//! ([`observations`]), then their traces rolled up ([`super::rollup`]) with the deltas
//! the rows make to the traces' totals ([`super::totals`]), and the experiments their
//! root spans describe upserted ([`super::experiment_spans`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use langtrace_core::record::{ObservationRecord, ObservationType, Payload, TraceAttributes};

use super::caps::StoredCaps;
use super::datasets::{upsert_experiment, upsert_experiment_item};
use super::experiment_spans::{experiment_of, SpanExperiment};
use super::json_text;
use super::rollup::{roll_up, TraceUpdate};
use super::totals::{Contribution, Delta};
use crate::store::db::{self, ToValue, Transaction};
use crate::store::now_ns;
use crate::writer::LockKey;

/// One observation row, its text columns rendered ahead of the writer.
pub struct PreparedRow {
    id: String,
    trace_id: String,
    parent_id: Option<String>,
    is_root: bool,
    observation_type: &'static str,
    name: String,
    start: i64,
    end: i64,
    first_token: Option<i64>,
    level: &'static str,
    status_message: Option<String>,
    input: Option<String>,
    output: Option<String>,
    metadata: String,
    version: Option<String>,
    environment: String,
    model: Option<String>,
    model_parameters: Option<String>,
    usage_text: String,
    cost_text: String,
    contribution: Contribution,
    prompt_name: Option<String>,
    prompt_version: Option<u32>,
    user_id: Option<String>,
    session_id: Option<String>,
    release: Option<String>,
}

/// A batch ready for the writer: rows, and what it says about each trace.
pub struct PreparedBatch {
    rows: Vec<PreparedRow>,
    traces: HashMap<String, TraceUpdate>,
    experiments: Vec<SpanExperiment>,
    caps: StoredCaps,
}

impl PreparedBatch {
    /// Rows in the batch.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// What writing the batch into `project_id` rewrites: its traces (see [`LockKey`]).
    pub fn locks(&self, project_id: &str) -> Vec<LockKey> {
        self.traces.keys().map(|trace_id| LockKey::trace(project_id, trace_id)).collect()
    }
}

/// Renders records into rows (JSON text, hex ids) on the caller's thread, so the single
/// writer only binds and executes: tags, metadata, inputs and outputs are cut to `caps`,
/// and a generation reporting usage but no cost is priced by `price` (model name, usage).
pub fn prepare(
    records: Vec<ObservationRecord>,
    caps: &StoredCaps,
    mut price: impl FnMut(&str, &BTreeMap<String, u64>) -> Option<BTreeMap<String, f64>>,
) -> PreparedBatch {
    let mut traces: HashMap<String, TraceUpdate> = HashMap::new();
    let mut capped_traces = CappedTraces::default();
    let mut experiments = Vec::new();
    let rows = records
        .into_iter()
        .map(|mut record| {
            experiments.extend(experiment_of(&record));
            cap_record(&mut record, caps, &mut capped_traces);
            let trace_id = record.trace_id.to_string();
            let id = record.id.to_string();
            // Spans of a trace usually arrive together: its id is copied once per batch.
            match traces.get_mut(&trace_id) {
                Some(update) => update.absorb(&record, &id),
                None => traces.entry(trace_id.clone()).or_default().absorb(&record, &id),
            }
            let cost = match &record.model {
                Some(model) if record.cost_details.is_empty() && !record.usage_details.is_empty() => {
                    price(model, &record.usage_details).unwrap_or_default()
                }
                _ => record.cost_details,
            };
            let level = record.level.as_upper();
            // Only generations link to a prompt version, as in Langfuse.
            let prompt = record.prompt.filter(|_| record.observation_type == ObservationType::Generation);
            PreparedRow {
                parent_id: record.parent_id.map(|p| p.to_string()),
                is_root: record.is_root,
                observation_type: record.observation_type.as_upper(),
                name: record.name.into_owned(),
                start: record.start_time.0 as i64,
                end: record.end_time.0 as i64,
                first_token: record.completion_start_time.map(|t| t.0 as i64),
                level,
                status_message: record.status_message,
                input: record.input.map(Payload::into_json),
                output: record.output.map(Payload::into_json),
                metadata: json_text(&record.metadata),
                version: record.version,
                environment: record.environment,
                model: record.model,
                model_parameters: (!record.model_parameters.is_empty()).then(|| json_text(&record.model_parameters)),
                usage_text: json_text(&record.usage_details),
                contribution: contribution(&record.usage_details, &cost, record.start_time.0, record.end_time.0, level),
                cost_text: json_text(&cost),
                prompt_name: prompt.as_ref().map(|p| p.name.clone()),
                prompt_version: prompt.map(|p| p.version),
                user_id: record.trace.user_id.clone(),
                session_id: record.trace.session_id.clone(),
                release: record.trace.release.clone(),
                id,
                trace_id,
            }
        })
        .collect();
    PreparedBatch { rows, traces, experiments, caps: *caps }
}

/// Trace attributes already capped, by the address of the shared attributes they were
/// capped from (records of one trace usually share them); the originals are kept, so an
/// address is not reused while the batch is prepared.
type CappedTraces = HashMap<usize, (Arc<TraceAttributes>, Arc<TraceAttributes>)>;

/// Cuts a record's tags, metadata (and model parameters), input, output (its own and its
/// trace's) and status message to `caps`.
fn cap_record(record: &mut ObservationRecord, caps: &StoredCaps, capped_traces: &mut CappedTraces) {
    caps.metadata(&mut record.metadata);
    caps.metadata(&mut record.model_parameters);
    if let Some(message) = &mut record.status_message {
        caps.text(message);
    }
    for payload in [&mut record.input, &mut record.output] {
        *payload = payload.take().map(|p| caps.payload(p));
    }
    // A record of its own trace attributes (as the OTLP mapper makes them) is capped in
    // place; shared ones are copied once per batch.
    if let Some(trace) = Arc::get_mut(&mut record.trace) {
        return cap_trace(trace, caps);
    }
    let (_, capped) = capped_traces.entry(Arc::as_ptr(&record.trace) as usize).or_insert_with(|| {
        let mut trace = TraceAttributes::clone(&record.trace);
        cap_trace(&mut trace, caps);
        (record.trace.clone(), Arc::new(trace))
    });
    record.trace = capped.clone();
}

/// Cuts trace attributes' tags, metadata, input and output to `caps`.
fn cap_trace(trace: &mut TraceAttributes, caps: &StoredCaps) {
    caps.tags(&mut trace.tags);
    caps.metadata(&mut trace.metadata);
    for payload in [&mut trace.input, &mut trace.output] {
        *payload = payload.take().map(|p| caps.payload(p));
    }
}

/// What a row adds to its trace's totals: token counts (past `i64::MAX`, saturated),
/// the total cost (finite), its time span and level.
fn contribution(
    usage: &BTreeMap<String, u64>,
    cost: &BTreeMap<String, f64>,
    start: u64,
    end: u64,
    level: &str,
) -> Contribution {
    let tokens = |key: &str| usage.get(key).map(|&t| i64::try_from(t).unwrap_or(i64::MAX));
    let (input_tokens, output_tokens) = (tokens("input"), tokens("output"));
    let total_tokens = tokens("total").or_else(|| match (input_tokens, output_tokens) {
        (None, None) => None,
        (i, o) => Some(i.unwrap_or(0).saturating_add(o.unwrap_or(0))),
    });
    let total_cost = cost
        .get("total")
        .copied()
        .or_else(|| (!cost.is_empty()).then(|| cost.values().sum()))
        .map(|c: f64| if c.is_finite() { c } else { f64::MAX });
    let start = start as i64;
    Contribution {
        start,
        end: end as i64,
        input_tokens,
        output_tokens,
        total_tokens,
        total_cost,
        level: level.to_owned(),
    }
}

/// The observation columns and their parameters, after `INSERT INTO`.
const INSERTED: &str = "observations (project_id, id, trace_id, parent_id, is_root, type, name, start_time,
    end_time, completion_start_time, level, status_message, input, output, metadata, version, environment, model,
    model_parameters, usage_details, cost_details, input_tokens, output_tokens, total_tokens, total_cost,
    prompt_name, prompt_version, user_id, session_id, release, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
    ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)";

/// After [`INSERTED`]: the row sent again replaces the stored one, column by column.
const REPLACING: &str = "ON CONFLICT (project_id, trace_id, id) DO UPDATE SET parent_id = excluded.parent_id,
    is_root = excluded.is_root, type = excluded.type, name = excluded.name, start_time = excluded.start_time,
    end_time = excluded.end_time, completion_start_time = excluded.completion_start_time, level = excluded.level,
    status_message = excluded.status_message, input = excluded.input, output = excluded.output,
    metadata = excluded.metadata, version = excluded.version, environment = excluded.environment,
    model = excluded.model, model_parameters = excluded.model_parameters, usage_details = excluded.usage_details,
    cost_details = excluded.cost_details, input_tokens = excluded.input_tokens,
    output_tokens = excluded.output_tokens, total_tokens = excluded.total_tokens, total_cost = excluded.total_cost,
    prompt_name = excluded.prompt_name, prompt_version = excluded.prompt_version, user_id = excluded.user_id,
    session_id = excluded.session_id, release = excluded.release, created_at = excluded.created_at";

/// The parameters of [`INSERTED`] for `row` of `project_id`, stored at `created`.
fn row_params<'a>(project_id: &'a &'a str, row: &'a PreparedRow, created: &'a i64) -> [&'a dyn ToValue; 31] {
    let totals = &row.contribution;
    [
        project_id,
        &row.id,
        &row.trace_id,
        &row.parent_id,
        &row.is_root,
        &row.observation_type,
        &row.name,
        &row.start,
        &row.end,
        &row.first_token,
        &row.level,
        &row.status_message,
        &row.input,
        &row.output,
        &row.metadata,
        &row.version,
        &row.environment,
        &row.model,
        &row.model_parameters,
        &row.usage_text,
        &row.cost_text,
        &totals.input_tokens,
        &totals.output_tokens,
        &totals.total_tokens,
        &totals.total_cost,
        &row.prompt_name,
        &row.prompt_version,
        &row.user_id,
        &row.session_id,
        &row.release,
        created,
    ]
}

/// Inserts a prepared batch of one project and rolls its traces up: the rows' inserts
/// sent together (one round trip on PostgreSQL), then the rows sent again replaced one
/// by one.
pub fn observations(tx: &Transaction<'_>, project_id: &str, batch: &PreparedBatch) -> db::Result<()> {
    let created = now_ns();
    // A new row is inserted by one statement; only when the row exists already (a span
    // sent again, or twice in this batch) is its old contribution read and the row
    // replaced, in the batch's order: the last copy wins, as when run one by one.
    let mut insert_new = tx.prepare_cached(&format!("INSERT INTO {INSERTED} ON CONFLICT DO NOTHING"))?;
    let mut replace = tx.prepare_cached(&format!("INSERT INTO {INSERTED} {REPLACING}"))?;
    let mut deltas: HashMap<&str, Delta> = HashMap::with_capacity(batch.traces.len());
    let bound: Vec<_> = batch.rows.iter().map(|row| row_params(&project_id, row, &created)).collect();
    let inserted = insert_new.execute_each(&bound)?;
    for ((row, values), inserted) in batch.rows.iter().zip(&bound).zip(inserted) {
        let delta = deltas.entry(&row.trace_id).or_default();
        if inserted == 0 {
            if let Some(replaced) = Contribution::stored(tx, project_id, &row.trace_id, &row.id)? {
                delta.remove(&replaced);
            }
            replace.execute(*values)?;
        }
        delta.add(&row.contribution);
    }
    for (trace_id, update) in &batch.traces {
        let delta = deltas.remove(trace_id.as_str()).unwrap_or_default();
        roll_up(tx, project_id, trace_id, update, &delta, &batch.caps, created)?;
    }
    for found in &batch.experiments {
        upsert_experiment(tx, project_id, &found.experiment, created)?;
        upsert_experiment_item(tx, project_id, &found.item, created)?;
    }
    Ok(())
}
