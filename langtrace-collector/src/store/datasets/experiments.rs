//! Experiments (Langfuse's dataset runs) and their items: one row per experiment, one per
//! trace that ran one of its items, whichever way they arrived (spans carrying
//! `langfuse.experiment.*`, or `POST /dataset-run-items`). An experiment's start, end
//! and item count are read from its items.

use crate::store::db::{self, Connection, Row, Value as Sql};
use crate::store::filter::{self, Filter, Page, Paged};

/// A stored experiment with figures from its items. Times in ns; JSON as text.
#[derive(Debug, Clone)]
pub struct ExperimentRow {
    /// Id.
    pub id: String,
    /// Run name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Metadata, JSON text.
    pub metadata: Option<String>,
    /// The dataset it ran over.
    pub dataset_id: Option<String>,
    /// That dataset's name.
    pub dataset_name: Option<String>,
    /// Creation time.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
    /// Its first item's start, else its creation.
    pub start_time: i64,
    /// Its last item's end.
    pub end_time: Option<i64>,
    /// Items.
    pub item_count: i64,
}

/// The experiments with their figures, as a table `x` with a `project_id` column.
const EXPERIMENTS: &str = "(SELECT e.project_id AS project_id, e.id AS id, e.name AS name,
    e.description AS description, e.metadata AS metadata, e.dataset_id AS dataset_id, d.name AS dataset_name,
    e.created_at AS created_at, e.updated_at AS updated_at,
    COALESCE((SELECT MIN(i.start_time) FROM experiment_items i WHERE i.project_id = e.project_id
        AND i.experiment_id = e.id), e.created_at) AS start_time,
    (SELECT MAX(i.end_time) FROM experiment_items i WHERE i.project_id = e.project_id
        AND i.experiment_id = e.id) AS end_time,
    (SELECT COUNT(*) FROM experiment_items i WHERE i.project_id = e.project_id
        AND i.experiment_id = e.id) AS item_count
    FROM experiments e LEFT JOIN datasets d ON d.project_id = e.project_id AND d.id = e.dataset_id
    WHERE e.project_id = ?) x";

fn read_experiment(row: &Row<'_>) -> db::Result<ExperimentRow> {
    Ok(ExperimentRow {
        id: row.get("id")?,
        name: row.get("name")?,
        description: row.get("description")?,
        metadata: row.get("metadata")?,
        dataset_id: row.get("dataset_id")?,
        dataset_name: row.get("dataset_name")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        start_time: row.get("start_time")?,
        end_time: row.get("end_time")?,
        item_count: row.get("item_count")?,
    })
}

/// Which experiments a list shows; unset fields do not filter.
#[derive(Debug, Default, Clone)]
pub struct ExperimentFilter {
    /// This id.
    pub id: Option<String>,
    /// This run name.
    pub name: Option<String>,
    /// Over this dataset.
    pub dataset_id: Option<String>,
    /// Starting at or after (ns).
    pub from: Option<i64>,
    /// Starting before (ns).
    pub to: Option<i64>,
}

impl ExperimentFilter {
    /// The clause over [`EXPERIMENTS`]; its first parameter is the project (the inner
    /// query's), then the outer clause's.
    fn clause(&self, project_id: &str) -> Filter {
        let mut filter = Filter::project("x", project_id);
        filter
            .and_some("x.id = ?", &self.id)
            .and_some("x.name = ?", &self.name)
            .and_some("x.dataset_id = ?", &self.dataset_id)
            .and_some("x.start_time >= ?", &self.from)
            .and_some("x.start_time < ?", &self.to);
        filter
    }
}

/// The parameters of a query over [`EXPERIMENTS`] filtered by `clause`.
fn experiment_params(project_id: &str, clause: &Filter, extra: impl IntoIterator<Item = Sql>) -> Vec<Sql> {
    std::iter::once(Sql::Text(project_id.to_owned())).chain(clause.params(extra)).collect()
}

/// The experiments `filter` selects, newest first.
fn experiments(
    connection: &Connection,
    project_id: &str,
    filter: &ExperimentFilter,
    tail: &str,
    extra: Vec<Sql>,
) -> db::Result<Vec<ExperimentRow>> {
    let clause = filter.clause(project_id);
    let sql = format!("SELECT * FROM {EXPERIMENTS} WHERE {} {tail}", clause.sql());
    filter::all(connection, &sql, experiment_params(project_id, &clause, extra), read_experiment)
}

/// The one experiment `filter` selects, if any.
pub fn find(connection: &Connection, project_id: &str, filter: &ExperimentFilter) -> db::Result<Option<ExperimentRow>> {
    Ok(experiments(connection, project_id, filter, "LIMIT 1", Vec::new())?.pop())
}

/// One page of the runs of dataset `dataset_id`, newest first.
pub fn runs_page(
    connection: &Connection,
    project_id: &str,
    dataset_id: &str,
    page: Page,
) -> db::Result<Paged<ExperimentRow>> {
    let filter = ExperimentFilter { dataset_id: Some(dataset_id.to_owned()), ..ExperimentFilter::default() };
    let clause = filter.clause(project_id);
    let total = filter::count(
        connection,
        &format!("SELECT COUNT(*) FROM {EXPERIMENTS} WHERE {}", clause.sql()),
        experiment_params(project_id, &clause, []),
    )?;
    let rows = experiments(
        connection,
        project_id,
        &filter,
        "ORDER BY x.created_at DESC, x.id DESC LIMIT ? OFFSET ?",
        page.bounds().to_vec(),
    )?;
    Ok(Paged { rows, total })
}

/// The names of every run of dataset `dataset_id`, newest first.
pub fn run_names(connection: &Connection, project_id: &str, dataset_id: &str) -> db::Result<Vec<String>> {
    let sql = "SELECT name FROM experiments WHERE project_id = ? AND dataset_id = ? ORDER BY created_at DESC, id DESC";
    let params = vec![Sql::Text(project_id.to_owned()), Sql::Text(dataset_id.to_owned())];
    filter::all(connection, sql, params, |row| row.get(0))
}

/// Where a cursor-paged list continues: after this start time and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeCursor {
    /// Time of the last row seen.
    pub time: i64,
    /// Its id.
    pub id: String,
}

/// The `(time, id) <` clause of a cursor over `time` and `id` columns.
fn after_cursor(filter: &mut Filter, time: &str, id: &str, cursor: Option<&TimeCursor>) {
    if let Some(TimeCursor { time: at, id: last }) = cursor {
        filter.and(
            &format!("({time} < ? OR ({time} = ? AND {id} < ?))"),
            [Sql::Integer(*at), Sql::Integer(*at), Sql::Text(last.clone())],
        );
    }
}

/// Up to `limit` experiments `filter` selects after `cursor`, latest start first.
pub fn experiments_after(
    connection: &Connection,
    project_id: &str,
    filter: &ExperimentFilter,
    cursor: Option<&TimeCursor>,
    limit: u32,
) -> db::Result<Vec<ExperimentRow>> {
    let mut clause = filter.clause(project_id);
    after_cursor(&mut clause, "x.start_time", "x.id", cursor);
    let sql =
        format!("SELECT * FROM {EXPERIMENTS} WHERE {} ORDER BY x.start_time DESC, x.id DESC LIMIT ?", clause.sql());
    let params = experiment_params(project_id, &clause, [Sql::Integer(i64::from(limit))]);
    filter::all(connection, &sql, params, read_experiment)
}

/// A stored experiment item with its experiment and its trace's input and output.
#[derive(Debug, Clone)]
pub struct ExperimentItemRow {
    /// Id.
    pub id: String,
    /// Its experiment.
    pub experiment_id: String,
    /// The experiment's run name.
    pub experiment_name: String,
    /// The experiment's metadata, JSON text.
    pub experiment_metadata: Option<String>,
    /// The experiment's dataset.
    pub dataset_id: Option<String>,
    /// The trace that ran it.
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
    /// Start (ns): the run's, else when the item was stored.
    pub start_time: i64,
    /// End (ns).
    pub end_time: Option<i64>,
    /// Level.
    pub level: Option<String>,
    /// The trace's environment.
    pub environment: Option<String>,
    /// The trace's input, JSON text.
    pub input: Option<String>,
    /// The trace's output, JSON text.
    pub output: Option<String>,
    /// When stored.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
}

/// The experiment items with their experiment and trace, as a table `y`.
const ITEMS: &str = "(SELECT i.project_id AS project_id, i.id AS id, i.experiment_id AS experiment_id,
    e.name AS experiment_name, e.metadata AS experiment_metadata, e.dataset_id AS dataset_id, i.trace_id AS trace_id,
    i.observation_id AS observation_id, i.dataset_item_id AS dataset_item_id, i.item_version AS item_version,
    i.expected_output AS expected_output, i.item_metadata AS item_metadata,
    COALESCE(i.start_time, i.created_at) AS start_time, i.end_time AS end_time, i.level AS level,
    t.environment AS environment, t.input AS input, t.output AS output, i.created_at AS created_at,
    i.updated_at AS updated_at
    FROM experiment_items i JOIN experiments e ON e.project_id = i.project_id AND e.id = i.experiment_id
    LEFT JOIN traces t ON t.project_id = i.project_id AND t.id = i.trace_id
    WHERE i.project_id = ?) y";

fn read_item(row: &Row<'_>) -> db::Result<ExperimentItemRow> {
    Ok(ExperimentItemRow {
        id: row.get("id")?,
        experiment_id: row.get("experiment_id")?,
        experiment_name: row.get("experiment_name")?,
        experiment_metadata: row.get("experiment_metadata")?,
        dataset_id: row.get("dataset_id")?,
        trace_id: row.get("trace_id")?,
        observation_id: row.get("observation_id")?,
        dataset_item_id: row.get("dataset_item_id")?,
        item_version: row.get("item_version")?,
        expected_output: row.get("expected_output")?,
        item_metadata: row.get("item_metadata")?,
        start_time: row.get("start_time")?,
        end_time: row.get("end_time")?,
        level: row.get("level")?,
        environment: row.get("environment")?,
        input: row.get("input")?,
        output: row.get("output")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

/// Which experiment items a list shows; unset fields do not filter.
#[derive(Debug, Default, Clone)]
pub struct ItemFilter {
    /// Of this experiment.
    pub experiment_id: Option<String>,
    /// Run by this trace.
    pub trace_id: Option<String>,
    /// Starting at or after (ns).
    pub from: Option<i64>,
    /// Starting before (ns).
    pub to: Option<i64>,
}

impl ItemFilter {
    fn clause(&self, project_id: &str) -> Filter {
        let mut filter = Filter::project("y", project_id);
        filter
            .and_some("y.experiment_id = ?", &self.experiment_id)
            .and_some("y.trace_id = ?", &self.trace_id)
            .and_some("y.start_time >= ?", &self.from)
            .and_some("y.start_time < ?", &self.to);
        filter
    }
}

/// One page of the items `filter` selects, newest first.
pub fn items_page(
    connection: &Connection,
    project_id: &str,
    filter: &ItemFilter,
    page: Page,
) -> db::Result<Paged<ExperimentItemRow>> {
    let clause = filter.clause(project_id);
    let total = filter::count(
        connection,
        &format!("SELECT COUNT(*) FROM {ITEMS} WHERE {}", clause.sql()),
        experiment_params(project_id, &clause, []),
    )?;
    let sql =
        format!("SELECT * FROM {ITEMS} WHERE {} ORDER BY y.created_at DESC, y.id DESC LIMIT ? OFFSET ?", clause.sql());
    let rows = filter::all(connection, &sql, experiment_params(project_id, &clause, page.bounds()), read_item)?;
    Ok(Paged { rows, total })
}

/// Up to `limit` items `filter` selects after `cursor`, latest start first.
pub fn items_after(
    connection: &Connection,
    project_id: &str,
    filter: &ItemFilter,
    cursor: Option<&TimeCursor>,
    limit: u32,
) -> db::Result<Vec<ExperimentItemRow>> {
    let mut clause = filter.clause(project_id);
    after_cursor(&mut clause, "y.start_time", "y.id", cursor);
    let sql = format!("SELECT * FROM {ITEMS} WHERE {} ORDER BY y.start_time DESC, y.id DESC LIMIT ?", clause.sql());
    let params = experiment_params(project_id, &clause, [Sql::Integer(i64::from(limit))]);
    filter::all(connection, &sql, params, read_item)
}
