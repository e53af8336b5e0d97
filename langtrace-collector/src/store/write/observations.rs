//! Observation rows: rendered ahead of the writer ([`prepare`]), inserted in the writer's
//! transaction ([`observations`]) with a cost computed for generations that report usage
//! but no cost, then their traces rolled up ([`super::rollup`]).

use std::collections::{BTreeMap, HashMap};

use langtrace_core::record::{ObservationRecord, Payload};
use rusqlite::{params, Transaction};

use super::json_text;
use super::rollup::{roll_up, TraceUpdate};
use crate::pricing::PriceTable;
use crate::store::{now_ns, prices};

/// State the writer keeps between batches.
pub struct WriterState {
    /// Compiled model prices.
    pub prices: PriceTable,
}

impl WriterState {
    /// Nothing cached yet but the shipped prices.
    pub fn new() -> Self {
        Self { prices: PriceTable::new() }
    }
}

impl Default for WriterState {
    fn default() -> Self {
        Self::new()
    }
}

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
    usage: BTreeMap<String, u64>,
    usage_text: String,
    cost: BTreeMap<String, f64>,
    prompt: Option<(String, u32)>,
    user_id: Option<String>,
    session_id: Option<String>,
    release: Option<String>,
}

/// A batch ready for the writer: rows, and what it says about each trace.
pub struct PreparedBatch {
    rows: Vec<PreparedRow>,
    traces: HashMap<String, TraceUpdate>,
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
}

/// Renders records into rows (JSON text, hex ids) on the caller's thread, so the single
/// writer only binds and executes.
pub fn prepare(records: Vec<ObservationRecord>) -> PreparedBatch {
    let mut traces: HashMap<String, TraceUpdate> = HashMap::new();
    let rows = records
        .into_iter()
        .map(|record| {
            let trace_id = record.trace_id.to_string();
            let id = record.id.to_string();
            traces.entry(trace_id.clone()).or_default().absorb(&record, &id);
            PreparedRow {
                parent_id: record.parent_id.map(|p| p.to_string()),
                is_root: record.is_root,
                observation_type: record.observation_type.as_upper(),
                name: record.name.into_owned(),
                start: record.start_time.0 as i64,
                end: record.end_time.0 as i64,
                first_token: record.completion_start_time.map(|t| t.0 as i64),
                level: record.level.as_upper(),
                status_message: record.status_message,
                input: record.input.map(Payload::into_json),
                output: record.output.map(Payload::into_json),
                metadata: json_text(&record.metadata),
                version: record.version,
                environment: record.environment,
                model: record.model,
                model_parameters: (!record.model_parameters.is_empty()).then(|| json_text(&record.model_parameters)),
                usage_text: json_text(&record.usage_details),
                usage: record.usage_details,
                cost: record.cost_details,
                prompt: record.prompt.map(|p| (p.name, p.version)),
                user_id: record.trace.user_id.clone(),
                session_id: record.trace.session_id.clone(),
                release: record.trace.release.clone(),
                id,
                trace_id,
            }
        })
        .collect();
    PreparedBatch { rows, traces }
}

/// Inserts a prepared batch of one project and rolls its traces up.
pub fn observations(
    tx: &Transaction<'_>,
    state: &mut WriterState,
    project_id: &str,
    batch: &PreparedBatch,
) -> rusqlite::Result<()> {
    let created = now_ns();
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO observations (project_id, id, trace_id, parent_id, is_root, type, name, start_time,
            end_time, completion_start_time, level, status_message, input, output, metadata, version, environment,
            model, model_parameters, usage_details, cost_details, input_tokens, output_tokens, total_tokens,
            total_cost, prompt_name, prompt_version, user_id, session_id, release, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21,
            ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)",
    )?;
    for row in &batch.rows {
        let priced;
        let cost = match &row.model {
            Some(model) if row.cost.is_empty() && !row.usage.is_empty() => {
                priced = state
                    .prices
                    .cost(project_id, model, &row.usage, || prices::of_project(tx, project_id).unwrap_or_default())
                    .unwrap_or_default();
                &priced
            }
            _ => &row.cost,
        };
        let usage = &row.usage;
        let input_tokens = usage.get("input").map(|&t| t as i64);
        let output_tokens = usage.get("output").map(|&t| t as i64);
        let total_tokens = usage.get("total").map(|&t| t as i64).or_else(|| match (input_tokens, output_tokens) {
            (None, None) => None,
            (i, o) => Some(i.unwrap_or(0) + o.unwrap_or(0)),
        });
        let total_cost = cost.get("total").copied().or_else(|| (!cost.is_empty()).then(|| cost.values().sum()));
        let (prompt_name, prompt_version) = row.prompt.as_ref().map_or((None, None), |(n, v)| (Some(n), Some(v)));
        insert.execute(params![
            project_id,
            row.id,
            row.trace_id,
            row.parent_id,
            row.is_root,
            row.observation_type,
            row.name,
            row.start,
            row.end,
            row.first_token,
            row.level,
            row.status_message,
            row.input,
            row.output,
            row.metadata,
            row.version,
            row.environment,
            row.model,
            row.model_parameters,
            row.usage_text,
            json_text(cost),
            input_tokens,
            output_tokens,
            total_tokens,
            total_cost,
            prompt_name,
            prompt_version,
            row.user_id,
            row.session_id,
            row.release,
            created,
        ])?;
    }
    for (trace_id, update) in &batch.traces {
        roll_up(tx, project_id, trace_id, update, created)?;
    }
    Ok(())
}
