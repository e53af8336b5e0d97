//! Langfuse's JSON shapes of prompts: a version (`Prompt`), a list entry (`PromptMeta`),
//! the list page with its legacy `pagination` copy, and langtrace's label-history entry.

use serde::Serialize;
use serde_json::Value;

use crate::api::paging::PageMeta;
use crate::api::wire::{iso, json_column};
use crate::store::prompts::history::LabelMove;
use crate::store::prompts::list::PromptSummary;
use crate::store::prompts::PromptRow;

/// A prompt version as Langfuse answers it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Prompt {
    id: String,
    created_at: String,
    updated_at: String,
    project_id: String,
    created_by: String,
    name: String,
    version: i64,
    #[serde(rename = "type")]
    prompt_type: String,
    prompt: Value,
    config: Value,
    labels: Vec<String>,
    tags: Value,
    commit_message: Option<String>,
    is_active: bool,
    /// Absent from create and label answers; `null` or the graph on a read.
    #[serde(skip_serializing_if = "Option::is_none")]
    resolution_graph: Option<Value>,
}

impl Prompt {
    /// The wire form of `row` of `project_id`, its prompt as stored (no graph).
    pub fn stored(project_id: &str, row: PromptRow) -> Self {
        Prompt {
            is_active: row.labels.iter().any(|label| label == "production"),
            id: row.id,
            created_at: iso(row.created_at),
            updated_at: iso(row.updated_at),
            project_id: project_id.to_owned(),
            created_by: row.created_by,
            name: row.name,
            version: row.version,
            prompt_type: row.prompt_type,
            prompt: json_column(Some(&row.prompt)),
            config: json_column(Some(&row.config)),
            labels: row.labels,
            tags: json_column(Some(&row.tags)),
            commit_message: row.commit_message,
            resolution_graph: None,
        }
    }

    /// This version as a read answers it: its prompt resolved (JSON text; `None` keeps
    /// the stored one) and its resolution graph (`null` without one).
    pub fn read(mut self, resolved: Option<&str>, graph: Option<Value>) -> Self {
        if let Some(prompt) = resolved {
            self.prompt = json_column(Some(prompt));
        }
        self.resolution_graph = Some(graph.unwrap_or(Value::Null));
        self
    }
}

/// A name of the list.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptMeta {
    name: String,
    #[serde(rename = "type")]
    prompt_type: String,
    versions: Vec<i64>,
    labels: Vec<String>,
    tags: Value,
    last_updated_at: String,
    last_config: Value,
}

impl From<PromptSummary> for PromptMeta {
    fn from(summary: PromptSummary) -> Self {
        PromptMeta {
            name: summary.name,
            prompt_type: summary.prompt_type,
            versions: summary.versions,
            labels: summary.labels,
            tags: json_column(Some(&summary.tags)),
            last_updated_at: iso(summary.last_updated_at),
            last_config: json_column(Some(&summary.last_config)),
        }
    }
}

/// The list's page: `meta`, and `pagination`, its copy for older clients.
#[derive(Debug, Serialize)]
pub struct PromptPage {
    /// The names.
    pub data: Vec<PromptMeta>,
    /// Where this page is.
    pub meta: PageMeta,
    /// The same as `meta`.
    pub pagination: PageMeta,
}

/// One label move (langtrace's label history).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelHistoryEntry {
    label: String,
    from_version: Option<i64>,
    to_version: Option<i64>,
    public_key: String,
    timestamp: String,
}

impl From<LabelMove> for LabelHistoryEntry {
    fn from(moved: LabelMove) -> Self {
        LabelHistoryEntry {
            label: moved.label,
            from_version: moved.from_version,
            to_version: moved.to_version,
            public_key: moved.public_key,
            timestamp: iso(moved.at),
        }
    }
}

/// The label history of a name, newest first.
#[derive(Debug, Serialize)]
pub struct LabelHistory {
    /// The moves.
    pub data: Vec<LabelHistoryEntry>,
}
