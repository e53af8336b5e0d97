//! Writes, run by the single writer inside its batch transaction: observations (an
//! identical span sent twice replaces itself), then one rollup per touched trace.
//!
//! Rollups stay right whatever order spans arrive in: attributes merge (explicit trace
//! name/input/output beat the root's, later non-empty values win, tags union, metadata
//! merge) and the totals (start, end, tokens, cost, counts per level) are recomputed
//! from the trace's stored observations.

use std::collections::HashMap;

use langtrace_core::record::{ObservationRecord, Payload};
use rusqlite::{named_params, params, OptionalExtension, Transaction};
use serde_json::{Map, Value};

use crate::pricing::{Price, PriceTable};
use crate::store::now_ns;

/// State the writer keeps between batches.
pub struct WriterState {
    /// Compiled model prices.
    pub prices: PriceTable,
}

/// Loads a project's own prices.
pub fn project_prices(tx: &Transaction<'_>, project_id: &str) -> rusqlite::Result<Vec<Price>> {
    let mut statement = tx.prepare_cached(
        "SELECT id, model_name, match_pattern, input_price, output_price FROM model_prices
         WHERE project_id = ?1 ORDER BY id DESC",
    )?;
    let rows = statement.query_map([project_id], |row| {
        Ok(Price {
            id: row.get(0)?,
            model_name: row.get(1)?,
            match_pattern: row.get(2)?,
            input_price: row.get(3)?,
            output_price: row.get(4)?,
        })
    })?;
    rows.collect()
}

fn payload_text(payload: Option<&Payload>) -> Option<String> {
    payload.map(|p| p.json().into_owned())
}

fn json_text(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// What the batch says about one trace.
#[derive(Default)]
pub struct TraceUpdate {
    name: Option<String>,
    root: Option<(String, String, Option<String>, Option<String>)>,
    user_id: Option<String>,
    session_id: Option<String>,
    release: Option<String>,
    version: Option<String>,
    environment: Option<String>,
    public: bool,
    tags: Vec<String>,
    metadata: Map<String, Value>,
    input: Option<String>,
    output: Option<String>,
}

impl TraceUpdate {
    fn absorb(&mut self, record: &ObservationRecord, id: &str) {
        let trace = &record.trace;
        let later = |slot: &mut Option<String>, value: &Option<String>| {
            if value.is_some() {
                slot.clone_from(value);
            }
        };
        later(&mut self.name, &trace.name);
        later(&mut self.user_id, &trace.user_id);
        later(&mut self.session_id, &trace.session_id);
        later(&mut self.release, &trace.release);
        later(&mut self.version, &trace.version);
        self.public |= trace.public.unwrap_or(false);
        for tag in &trace.tags {
            if !self.tags.contains(tag) {
                self.tags.push(tag.clone());
            }
        }
        self.metadata.extend(trace.metadata.iter().map(|(k, v)| (k.clone(), v.clone())));
        if let Some(input) = payload_text(trace.input.as_ref()) {
            self.input = Some(input);
        }
        if let Some(output) = payload_text(trace.output.as_ref()) {
            self.output = Some(output);
        }
        if record.is_root {
            self.environment = Some(record.environment.clone());
            self.root = Some((
                id.to_owned(),
                record.name.to_string(),
                payload_text(record.input.as_ref()),
                payload_text(record.output.as_ref()),
            ));
        } else if self.environment.is_none() {
            self.environment = Some(record.environment.clone());
        }
    }
}

/// One observation row, its text columns rendered ahead of the writer.
pub struct ObservationRow {
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
    usage: std::collections::BTreeMap<String, u64>,
    usage_text: String,
    cost: std::collections::BTreeMap<String, f64>,
    prompt: Option<(String, u32)>,
    user_id: Option<String>,
    session_id: Option<String>,
    release: Option<String>,
}

/// A batch ready for the writer: rows, and what it says about each trace.
pub struct PreparedBatch {
    rows: Vec<ObservationRow>,
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
            ObservationRow {
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
                    .cost(project_id, model, &row.usage, || project_prices(tx, project_id).unwrap_or_default())
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

/// The stored trace row's mergeable attributes.
struct StoredTrace {
    name: Option<String>,
    name_explicit: bool,
    tags: Vec<String>,
    metadata: Map<String, Value>,
    input: Option<String>,
    input_explicit: bool,
    output: Option<String>,
    output_explicit: bool,
    root_observation_id: Option<String>,
}

fn roll_up(
    tx: &Transaction<'_>,
    project_id: &str,
    trace_id: &str,
    update: &TraceUpdate,
    now: i64,
) -> rusqlite::Result<()> {
    let stored = tx
        .prepare_cached(
            "SELECT name, name_explicit, tags, metadata, input, input_explicit, output, output_explicit,
                root_observation_id FROM traces WHERE project_id = ?1 AND id = ?2",
        )?
        .query_row(params![project_id, trace_id], |row| {
            Ok(StoredTrace {
                name: row.get(0)?,
                name_explicit: row.get(1)?,
                tags: serde_json::from_str(&row.get::<_, String>(2)?).unwrap_or_default(),
                metadata: serde_json::from_str(&row.get::<_, String>(3)?).unwrap_or_default(),
                input: row.get(4)?,
                input_explicit: row.get(5)?,
                output: row.get(6)?,
                output_explicit: row.get(7)?,
                root_observation_id: row.get(8)?,
            })
        })
        .optional()?;
    let mut merged = stored.unwrap_or(StoredTrace {
        name: None,
        name_explicit: false,
        tags: Vec::new(),
        metadata: Map::new(),
        input: None,
        input_explicit: false,
        output: None,
        output_explicit: false,
        root_observation_id: None,
    });
    // Explicit values beat the root's defaults; a later explicit value beats an earlier one.
    let root = update.root.as_ref();
    if let Some(name) = &update.name {
        merged.name = Some(name.clone());
        merged.name_explicit = true;
    } else if let (false, Some((_, name, _, _))) = (merged.name_explicit, root) {
        merged.name = Some(name.clone());
    }
    if let Some(input) = &update.input {
        merged.input = Some(input.clone());
        merged.input_explicit = true;
    } else if let (false, Some((_, _, input, _))) = (merged.input_explicit, root) {
        merged.input.clone_from(input);
    }
    if let Some(output) = &update.output {
        merged.output = Some(output.clone());
        merged.output_explicit = true;
    } else if let (false, Some((_, _, _, output))) = (merged.output_explicit, root) {
        merged.output.clone_from(output);
    }
    if let Some((id, ..)) = root {
        merged.root_observation_id = Some(id.clone());
    }
    for tag in &update.tags {
        if !merged.tags.contains(tag) {
            merged.tags.push(tag.clone());
        }
    }
    merged.metadata.extend(update.metadata.iter().map(|(k, v)| (k.clone(), v.clone())));

    tx.prepare_cached(
        "INSERT INTO traces (project_id, id, name, name_explicit, user_id, session_id, tags, metadata, release,
            version, environment, public, input, input_explicit, output, output_explicit, root_observation_id,
            start_time, end_time, input_tokens, output_tokens, total_tokens, total_cost, observation_count,
            debug_count, default_count, warning_count, error_count, created_at, updated_at)
         SELECT :project, :trace, :name, :name_explicit, :user, :session, :tags, :metadata, :release, :version,
            COALESCE(:environment, 'default'), :public, :input, :input_explicit, :output, :output_explicit, :root,
            MIN(start_time), MAX(COALESCE(end_time, start_time)), COALESCE(SUM(input_tokens), 0),
            COALESCE(SUM(output_tokens), 0), COALESCE(SUM(total_tokens), 0), COALESCE(SUM(total_cost), 0), COUNT(*),
            SUM(level = 'DEBUG'), SUM(level = 'DEFAULT'), SUM(level = 'WARNING'), SUM(level = 'ERROR'), :now, :now
         FROM observations WHERE project_id = :project AND trace_id = :trace
         ON CONFLICT (project_id, id) DO UPDATE SET
            name = excluded.name, name_explicit = excluded.name_explicit,
            user_id = COALESCE(excluded.user_id, user_id), session_id = COALESCE(excluded.session_id, session_id),
            tags = excluded.tags, metadata = excluded.metadata, release = COALESCE(excluded.release, release),
            version = COALESCE(excluded.version, version),
            environment = CASE WHEN :environment IS NULL THEN environment ELSE excluded.environment END,
            public = MAX(public, excluded.public), input = excluded.input, input_explicit = excluded.input_explicit,
            output = excluded.output, output_explicit = excluded.output_explicit,
            root_observation_id = excluded.root_observation_id, start_time = excluded.start_time,
            end_time = excluded.end_time, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
            total_tokens = excluded.total_tokens, total_cost = excluded.total_cost,
            observation_count = excluded.observation_count, debug_count = excluded.debug_count,
            default_count = excluded.default_count, warning_count = excluded.warning_count,
            error_count = excluded.error_count, updated_at = excluded.updated_at",
    )?
    .execute(named_params! {
        ":project": project_id,
        ":trace": trace_id,
        ":name": merged.name,
        ":name_explicit": merged.name_explicit,
        ":user": update.user_id,
        ":session": update.session_id,
        ":tags": json_text(&merged.tags),
        ":metadata": json_text(&merged.metadata),
        ":release": update.release,
        ":version": update.version,
        ":environment": update.environment,
        ":public": update.public,
        ":input": merged.input,
        ":input_explicit": merged.input_explicit,
        ":output": merged.output,
        ":output_explicit": merged.output_explicit,
        ":root": merged.root_observation_id,
        ":now": now,
    })?;
    Ok(())
}
