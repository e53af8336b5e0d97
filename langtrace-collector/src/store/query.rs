//! Reads: rows as JSON objects shaped as Langfuse's public API returns them (camelCase,
//! ISO timestamps, upper-case enums), and a small builder for filtered `WHERE` clauses.
//! Every query is scoped to one project.

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, Row};
use serde_json::{json, Value};

use langtrace_core::record::Timestamp;

use langtrace_core::record::Level;

/// A `WHERE` clause under construction, always starting with the project.
pub struct Filter {
    clauses: Vec<String>,
    params: Vec<Sql>,
}

impl Filter {
    /// Rows of `project_id` (column `project_id` of `alias`).
    pub fn project(alias: &str, project_id: &str) -> Self {
        Self { clauses: vec![format!("{alias}.project_id = ?")], params: vec![Sql::Text(project_id.to_owned())] }
    }

    /// Adds `clause` (with `?` placeholders) and its parameters.
    pub fn and(&mut self, clause: &str, params: impl IntoIterator<Item = Sql>) -> &mut Self {
        self.clauses.push(clause.to_owned());
        self.params.extend(params);
        self
    }

    /// Adds `clause` with one parameter when `value` is set.
    pub fn and_some<T: Into<Sql>>(&mut self, clause: &str, value: Option<T>) -> &mut Self {
        if let Some(value) = value {
            self.and(clause, [value.into()]);
        }
        self
    }

    /// Adds `column IN (...)` when `values` is not empty.
    pub fn and_in(&mut self, column: &str, values: Vec<String>) -> &mut Self {
        if !values.is_empty() {
            let placeholders = vec!["?"; values.len()].join(", ");
            self.and(&format!("{column} IN ({placeholders})"), values.into_iter().map(Sql::Text));
        }
        self
    }

    /// The clause text.
    pub fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }

    /// The parameters, in order, followed by `extra`.
    pub fn params(&self, extra: impl IntoIterator<Item = Sql>) -> Vec<Sql> {
        self.params.iter().cloned().chain(extra).collect()
    }
}

/// ISO-8601 (milliseconds, `Z`) of nanoseconds since the epoch, as Langfuse writes times.
pub fn iso(ns: i64) -> String {
    Timestamp(ns.max(0) as u64).to_rfc3339_millis()
}

/// Parses an ISO-8601 time parameter (`2024-05-01T12:00:00.123Z`, offset `Z` or
/// `+00:00`) to nanoseconds since the epoch.
pub fn parse_time(text: &str) -> Option<i64> {
    let trimmed = text.trim();
    let trimmed = trimmed.strip_suffix("+00:00").unwrap_or(trimmed).trim_end_matches('Z');
    let time = humantime::parse_rfc3339_weak(trimmed).ok()?;
    Some(Timestamp::from(time).0 as i64)
}

/// Text holding JSON as that JSON (plain text stays a string).
pub fn json_column(text: Option<String>) -> Value {
    match text {
        None => Value::Null,
        Some(text) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

/// Columns of `observations` read by [`observation`], prefixed by `o.`.
pub const OBSERVATION_COLUMNS: &str = "o.id, o.trace_id, o.parent_id, o.type, o.name, o.start_time, o.end_time,
    o.completion_start_time, o.level, o.status_message, o.input, o.output, o.metadata, o.version, o.environment,
    o.model, o.model_parameters, o.usage_details, o.cost_details, o.input_tokens, o.output_tokens, o.total_tokens,
    o.total_cost, o.prompt_name, o.prompt_version, o.created_at, o.project_id";

/// How many columns [`OBSERVATION_COLUMNS`] selects.
pub const OBSERVATION_COLUMN_COUNT: usize = 27;

/// An observation row as Langfuse's API returns it (with every field its SDK requires).
pub fn observation(row: &Row<'_>) -> rusqlite::Result<Value> {
    let start: i64 = row.get(5)?;
    let end: Option<i64> = row.get(6)?;
    let first_token: Option<i64> = row.get(7)?;
    let usage = json_column(row.get(17)?);
    let cost = json_column(row.get(18)?);
    let input_tokens: Option<i64> = row.get(19)?;
    let output_tokens: Option<i64> = row.get(20)?;
    let total_tokens: Option<i64> = row.get(21)?;
    let total_cost: Option<f64> = row.get(22)?;
    let created: i64 = row.get(25)?;
    Ok(json!({
        "id": row.get::<_, String>(0)?,
        "traceId": row.get::<_, String>(1)?,
        "parentObservationId": row.get::<_, Option<String>>(2)?,
        "type": row.get::<_, String>(3)?,
        "name": row.get::<_, String>(4)?,
        "startTime": iso(start),
        "endTime": end.map(iso),
        "completionStartTime": first_token.map(iso),
        "level": row.get::<_, String>(8)?,
        "statusMessage": row.get::<_, Option<String>>(9)?,
        "input": json_column(row.get(10)?),
        "output": json_column(row.get(11)?),
        "metadata": json_column(row.get(12)?),
        "version": row.get::<_, Option<String>>(13)?,
        "environment": row.get::<_, String>(14)?,
        "model": row.get::<_, Option<String>>(15)?,
        "modelParameters": json_column(row.get(16)?),
        "usage": {
            "input": input_tokens.unwrap_or(0),
            "output": output_tokens.unwrap_or(0),
            "total": total_tokens.unwrap_or(0),
            "unit": "TOKENS",
        },
        "usageDetails": usage,
        "costDetails": cost,
        "calculatedInputCost": cost.get("input"),
        "calculatedOutputCost": cost.get("output"),
        "calculatedTotalCost": total_cost,
        "promptName": row.get::<_, Option<String>>(23)?,
        "promptVersion": row.get::<_, Option<i64>>(24)?,
        "promptId": Value::Null,
        "modelId": Value::Null,
        "latency": end.map(|end| (end - start) as f64 / 1e9),
        "timeToFirstToken": first_token.map(|t| (t - start) as f64 / 1e9),
        "createdAt": iso(created),
        "updatedAt": iso(created),
        "projectId": row.get::<_, String>(26)?,
        "unit": "TOKENS",
    }))
}

/// Columns read by [`observation_v2`] after [`OBSERVATION_COLUMNS`]: the trace context
/// (`t.` joined on the observation's trace).
pub const OBSERVATION_V2_EXTRA_COLUMNS: &str =
    "o.is_root, t.user_id, t.session_id, t.tags, t.release, t.name, t.public, o.input, o.output";

/// An observation as Langfuse's v2 API returns it, every field group filled (the
/// handler keeps the requested groups): [`observation`] plus the trace context, with
/// input and output as the raw JSON text.
pub fn observation_v2(row: &Row<'_>) -> rusqlite::Result<Value> {
    let mut object = observation(row)?;
    let extra = OBSERVATION_COLUMN_COUNT;
    let fields = object.as_object_mut().expect("object");
    for (key, value) in [
        ("isRootObservation", json!(row.get::<_, bool>(extra)?)),
        ("userId", json!(row.get::<_, Option<String>>(extra + 1)?)),
        ("sessionId", json!(row.get::<_, Option<String>>(extra + 2)?)),
        ("tags", json_column(row.get::<_, Option<String>>(extra + 3)?.or(Some("[]".into())))),
        ("release", json!(row.get::<_, Option<String>>(extra + 4)?)),
        ("traceName", json!(row.get::<_, Option<String>>(extra + 5)?)),
        ("public", json!(row.get::<_, Option<bool>>(extra + 6)?.unwrap_or(false))),
        ("bookmarked", json!(false)),
        ("input", json!(row.get::<_, Option<String>>(extra + 7)?)),
        ("output", json!(row.get::<_, Option<String>>(extra + 8)?)),
        ("totalCost", fields["calculatedTotalCost"].clone()),
    ] {
        fields.insert(key.to_owned(), value);
    }
    Ok(object)
}

/// Columns of `traces` read by [`trace`], prefixed by `t.`.
pub const TRACE_COLUMNS: &str = "t.id, t.name, t.user_id, t.session_id, t.tags, t.metadata, t.release, t.version,
    t.environment, t.public, t.input, t.output, t.start_time, t.end_time, t.input_tokens, t.output_tokens,
    t.total_tokens, t.total_cost, t.observation_count, t.debug_count, t.default_count, t.warning_count,
    t.error_count, t.created_at, t.updated_at, t.project_id, t.root_observation_id";

/// A trace row as Langfuse's API returns it, plus rollups (`level`, tokens, counts).
pub fn trace(row: &Row<'_>) -> rusqlite::Result<Value> {
    let id: String = row.get(0)?;
    let project_id: String = row.get(25)?;
    let start: i64 = row.get(12)?;
    let end: i64 = row.get(13)?;
    let counts: [i64; 4] = [row.get(19)?, row.get(20)?, row.get(21)?, row.get(22)?];
    Ok(json!({
        "id": id,
        "timestamp": iso(start),
        "name": row.get::<_, Option<String>>(1)?,
        "userId": row.get::<_, Option<String>>(2)?,
        "sessionId": row.get::<_, Option<String>>(3)?,
        "tags": json_column(row.get(4)?),
        "metadata": json_column(row.get(5)?),
        "release": row.get::<_, Option<String>>(6)?,
        "version": row.get::<_, Option<String>>(7)?,
        "environment": row.get::<_, String>(8)?,
        "public": row.get::<_, bool>(9)?,
        "input": json_column(row.get(10)?),
        "output": json_column(row.get(11)?),
        "latency": (end - start) as f64 / 1e9,
        "totalCost": row.get::<_, f64>(17)?,
        "usage": {"input": row.get::<_, i64>(14)?, "output": row.get::<_, i64>(15)?, "total": row.get::<_, i64>(16)?},
        "observationCount": row.get::<_, i64>(18)?,
        "levelCounts": {"DEBUG": counts[0], "DEFAULT": counts[1], "WARNING": counts[2], "ERROR": counts[3]},
        "level": worst_level(counts[0], counts[1], counts[2], counts[3]).as_upper(),
        "rootObservationId": row.get::<_, Option<String>>(26)?,
        "createdAt": iso(row.get(23)?),
        "updatedAt": iso(row.get(24)?),
        "projectId": project_id,
        "htmlPath": format!("/project/{project_id}/traces/{id}"),
        "bookmarked": false,
        "externalId": Value::Null,
    }))
}

/// Columns of `scores` read by [`score`], prefixed by `s.`.
pub const SCORE_COLUMNS: &str = "s.id, s.trace_id, s.observation_id, s.session_id, s.name, s.value, s.string_value,
    s.data_type, s.source, s.comment, s.metadata, s.environment, s.timestamp, s.created_at, s.project_id";

/// A score row as Langfuse's API returns it.
pub fn score(row: &Row<'_>) -> rusqlite::Result<Value> {
    let data_type: String = row.get(7)?;
    let value: Option<f64> = row.get(5)?;
    let string_value: Option<String> = row.get(6)?;
    let created = iso(row.get(13)?);
    let mut object = json!({
        "id": row.get::<_, String>(0)?,
        "traceId": row.get::<_, Option<String>>(1)?,
        "observationId": row.get::<_, Option<String>>(2)?,
        "sessionId": row.get::<_, Option<String>>(3)?,
        "datasetRunId": Value::Null,
        "name": row.get::<_, String>(4)?,
        "dataType": data_type,
        "source": row.get::<_, String>(8)?,
        "comment": row.get::<_, Option<String>>(9)?,
        "metadata": json_column(row.get(10)?),
        "environment": row.get::<_, String>(11)?,
        "timestamp": iso(row.get(12)?),
        "createdAt": created,
        "updatedAt": created,
        "projectId": row.get::<_, String>(14)?,
        "authorUserId": Value::Null,
        "configId": Value::Null,
        "queueId": Value::Null,
    });
    let fields = object.as_object_mut().expect("object");
    match data_type.as_str() {
        "NUMERIC" => {
            fields.insert("value".into(), json!(value));
        }
        "BOOLEAN" => {
            fields.insert("value".into(), json!(value));
            fields.insert("stringValue".into(), json!(string_value));
        }
        _ => {
            fields.insert("value".into(), json!(value));
            fields.insert("stringValue".into(), json!(string_value));
        }
    }
    Ok(object)
}

/// A score as Langfuse's v3 API returns it: `value` typed by `dataType` (number, JSON
/// boolean, or string), and what it is about as `subject`.
pub fn score_v3(row: &Row<'_>) -> rusqlite::Result<Value> {
    let data_type: String = row.get(7)?;
    let number: Option<f64> = row.get(5)?;
    let text: Option<String> = row.get(6)?;
    let value = match data_type.as_str() {
        "NUMERIC" => json!(number),
        "BOOLEAN" => json!(number.is_some_and(|v| v != 0.0)),
        _ => json!(text.or_else(|| number.map(|n| n.to_string())).unwrap_or_default()),
    };
    let trace_id: Option<String> = row.get(1)?;
    let observation_id: Option<String> = row.get(2)?;
    let session_id: Option<String> = row.get(3)?;
    let subject = match (&observation_id, &trace_id, &session_id) {
        (Some(observation), trace, _) => json!({"kind": "observation", "id": observation, "traceId": trace}),
        (None, Some(trace), _) => json!({"kind": "trace", "id": trace}),
        (None, None, Some(session)) => json!({"kind": "session", "id": session}),
        _ => Value::Null,
    };
    let created = iso(row.get(13)?);
    Ok(json!({
        "id": row.get::<_, String>(0)?,
        "projectId": row.get::<_, String>(14)?,
        "name": row.get::<_, String>(4)?,
        "value": value,
        "dataType": data_type,
        "source": row.get::<_, String>(8)?,
        "comment": row.get::<_, Option<String>>(9)?,
        "metadata": json_column(row.get(10)?),
        "environment": row.get::<_, String>(11)?,
        "timestamp": iso(row.get(12)?),
        "createdAt": created,
        "updatedAt": created,
        "configId": Value::Null,
        "subject": subject,
        "traceId": trace_id,
        "observationId": observation_id,
        "sessionId": session_id,
    }))
}

/// The worst level among a trace's counts per level.
pub fn worst_level(debug: i64, default: i64, warning: i64, error: i64) -> Level {
    [(error, Level::Error), (warning, Level::Warning), (default, Level::Default), (debug, Level::Debug)]
        .into_iter()
        .find_map(|(count, level)| (count > 0).then_some(level))
        .unwrap_or(Level::Default)
}

/// Runs `sql` with `params` and maps every row with `map`.
pub fn all<T>(
    connection: &Connection,
    sql: &str,
    params: Vec<Sql>,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    let mut statement = connection.prepare_cached(sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(params), map)?;
    rows.collect()
}

/// The count `sql` returns.
pub fn count(connection: &Connection, sql: &str, params: Vec<Sql>) -> rusqlite::Result<u64> {
    connection.query_row(sql, rusqlite::params_from_iter(params), |row| row.get::<_, i64>(0)).map(|n| n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times_have_milliseconds() {
        assert_eq!(iso(1_700_000_000_123_456_789), "2023-11-14T22:13:20.123Z");
        assert_eq!(parse_time("2023-11-14T22:13:20.123Z"), Some(1_700_000_000_123_000_000));
        assert_eq!(parse_time("2023-11-14T22:13:20Z"), Some(1_700_000_000_000_000_000));
        assert_eq!(parse_time("yesterday"), None);
    }
}
