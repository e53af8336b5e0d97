//! Trace rollups, one per trace a batch touches, run after its observations are stored.
//!
//! They stay right whatever order spans arrive in: a batch's trace attributes merge as
//! [`TraceAttributes::merge`] does (later set values win, tags united, metadata merged
//! key by key), and the stored row takes them the same way, within the [`StoredCaps`];
//! an explicit trace name/input/output beats the root observation's, a trace once public
//! stays public, and the totals (start, end, tokens, cost, counts per level) take the
//! batch's [`Delta`]. Stored input and output stay JSON text: the writer never parses
//! them.

use langtrace_core::record::{ObservationRecord, Payload, TraceAttributes};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use super::caps::StoredCaps;
use super::totals::{self, Delta, Totals};
use crate::store::db::{self, params, OptionalExtension, Row, Transaction};

/// What a batch says about one trace.
#[derive(Default)]
pub struct TraceUpdate {
    /// The trace-level attributes its spans carried, merged in arrival order.
    attributes: TraceAttributes,
    /// Whether any of them marked the trace public.
    public: bool,
    /// The root observation's defaults, when the batch holds the root.
    root: Option<RootDefaults>,
    /// The root's environment, else the first span's.
    environment: Option<String>,
}

/// What the root observation gives its trace unless the trace says otherwise.
struct RootDefaults {
    id: String,
    name: String,
    input: Option<Payload>,
    output: Option<Payload>,
}

impl TraceUpdate {
    /// Takes in one observation of the trace (`id` is its hex id).
    pub fn absorb(&mut self, record: &ObservationRecord, id: &str) {
        self.attributes.merge(&record.trace);
        self.public |= record.trace.public.unwrap_or(false);
        if record.is_root {
            self.environment = Some(record.environment.clone());
            self.root = Some(RootDefaults {
                id: id.to_owned(),
                name: record.name.to_string(),
                input: record.input.clone(),
                output: record.output.clone(),
            });
        } else if self.environment.is_none() {
            self.environment = Some(record.environment.clone());
        }
    }
}

/// A trace attribute that is either set explicitly or defaulted from the root observation.
#[derive(Default)]
struct Defaulted {
    value: Option<String>,
    explicit: bool,
}

impl Defaulted {
    /// Reads the column `name` and its `<name>_explicit` flag.
    fn read(row: &Row<'_>, name: &str, flag: &str) -> db::Result<Self> {
        Ok(Self { value: row.get(name)?, explicit: row.get(flag)? })
    }

    /// An explicit value wins (a later one over an earlier one); the root's fills the
    /// attribute while nobody set it explicitly.
    fn update(&mut self, explicit: Option<String>, root: Option<Option<String>>) {
        if explicit.is_some() {
            self.value = explicit;
            self.explicit = true;
        } else if let (false, Some(default)) = (self.explicit, root) {
            self.value = default;
        }
    }
}

/// The stored trace's attributes that a rollup merges into. Input and output stay the
/// JSON text the row holds: the writer never parses them; tags and metadata are parsed
/// only when the update brings some.
#[derive(Default)]
struct Stored {
    /// Tags, as JSON text (`None`: no row yet).
    tags: Option<String>,
    /// Metadata, as JSON text (`None`: no row yet).
    metadata: Option<String>,
    name: Defaulted,
    input: Defaulted,
    output: Defaulted,
    root_observation_id: Option<String>,
    totals: Totals,
}

impl Stored {
    fn read(row: &Row<'_>) -> db::Result<Self> {
        Ok(Self {
            tags: row.get("tags")?,
            metadata: row.get("metadata")?,
            name: Defaulted::read(row, "name", "name_explicit")?,
            input: Defaulted::read(row, "input", "input_explicit")?,
            output: Defaulted::read(row, "output", "output_explicit")?,
            root_observation_id: row.get("root_observation_id")?,
            totals: Totals::read(row)?,
        })
    }

    /// Merges `update`: tags united, metadata merged key by key (both within `caps`);
    /// explicit name, input and output win, the root's fill what nobody set explicitly.
    fn merge(&mut self, update: &TraceUpdate, caps: &StoredCaps) {
        let explicit = &update.attributes;
        if !explicit.tags.is_empty() {
            rewrite(&mut self.tags, |tags: &mut Vec<String>| caps.unite_tags(tags, &explicit.tags));
        }
        if !explicit.metadata.is_empty() {
            rewrite(&mut self.metadata, |metadata: &mut Map<String, Value>| {
                metadata.extend(explicit.metadata.iter().map(|(k, v)| (k.clone(), v.clone())));
                caps.metadata(metadata);
            });
        }
        let text = |payload: &Option<Payload>| payload.as_ref().map(|p| p.json().into_owned());
        let root = update.root.as_ref();
        self.name.update(explicit.name.clone(), root.map(|r| Some(r.name.clone())));
        self.input.update(text(&explicit.input), root.map(|r| text(&r.input)));
        self.output.update(text(&explicit.output), root.map(|r| text(&r.output)));
        if let Some(root) = root {
            self.root_observation_id = Some(root.id.clone());
        }
    }
}

/// Applies `change` to the value a JSON column holds (its type's default when there is
/// none or it cannot be read) and writes it back.
fn rewrite<T: DeserializeOwned + Serialize + Default>(column: &mut Option<String>, change: impl FnOnce(&mut T)) {
    let mut value: T = column.as_deref().and_then(|text| serde_json::from_str(text).ok()).unwrap_or_default();
    change(&mut value);
    *column = Some(super::json_text(&value));
}

/// Merges `update` into the trace row and applies `delta` to its totals.
pub fn roll_up(
    tx: &Transaction<'_>,
    project_id: &str,
    trace_id: &str,
    update: &TraceUpdate,
    delta: &Delta,
    caps: &StoredCaps,
    now: i64,
) -> db::Result<()> {
    let stored = tx
        .prepare_cached(
            "SELECT name, name_explicit, tags, metadata, input, input_explicit, output, output_explicit,
                root_observation_id, start_time, end_time, input_tokens, output_tokens, total_tokens, total_cost,
                observation_count, debug_count, default_count, warning_count, error_count
             FROM traces WHERE project_id = ?1 AND id = ?2",
        )?
        .query_row(params![project_id, trace_id], Stored::read)
        .optional()?;
    let mut merged = stored.unwrap_or_default();
    merged.merge(update, caps);
    let rescanned = match delta.needs_bounds_rescan(&merged.totals) {
        true => totals::rescan_bounds(tx, project_id, trace_id)?,
        false => None,
    };
    let totals = delta.apply(&merged.totals, rescanned);
    tx.prepare_cached(
        "INSERT INTO traces (project_id, id, name, name_explicit, user_id, session_id, tags, metadata, release,
            version, environment, public, input, input_explicit, output, output_explicit, root_observation_id,
            start_time, end_time, input_tokens, output_tokens, total_tokens, total_cost, observation_count,
            debug_count, default_count, warning_count, error_count, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, COALESCE(?11, 'default'), ?12, ?13, ?14, ?15, ?16,
            ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?29)
         ON CONFLICT (project_id, id) DO UPDATE SET
            name = excluded.name, name_explicit = excluded.name_explicit,
            user_id = COALESCE(excluded.user_id, traces.user_id),
            session_id = COALESCE(excluded.session_id, traces.session_id), tags = excluded.tags,
            metadata = excluded.metadata, release = COALESCE(excluded.release, traces.release),
            version = COALESCE(excluded.version, traces.version),
            environment = CASE WHEN ?11 IS NULL THEN traces.environment ELSE excluded.environment END,
            public = CASE WHEN excluded.public > traces.public THEN excluded.public ELSE traces.public END,
            input = excluded.input, input_explicit = excluded.input_explicit,
            output = excluded.output, output_explicit = excluded.output_explicit,
            root_observation_id = excluded.root_observation_id, start_time = excluded.start_time,
            end_time = excluded.end_time, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
            total_tokens = excluded.total_tokens, total_cost = excluded.total_cost,
            observation_count = excluded.observation_count, debug_count = excluded.debug_count,
            default_count = excluded.default_count, warning_count = excluded.warning_count,
            error_count = excluded.error_count, updated_at = excluded.updated_at",
    )?
    .execute(params![
        project_id,
        trace_id,
        merged.name.value,
        merged.name.explicit,
        update.attributes.user_id,
        update.attributes.session_id,
        merged.tags.as_deref().unwrap_or("[]"),
        merged.metadata.as_deref().unwrap_or("{}"),
        update.attributes.release,
        update.attributes.version,
        update.environment,
        update.public,
        merged.input.value,
        merged.input.explicit,
        merged.output.value,
        merged.output.explicit,
        merged.root_observation_id,
        totals.start,
        totals.end,
        totals.input_tokens,
        totals.output_tokens,
        totals.total_tokens,
        totals.total_cost,
        totals.count,
        totals.levels[0],
        totals.levels[1],
        totals.levels[2],
        totals.levels[3],
        now,
    ])?;
    Ok(())
}
