//! `GET /api/public/v2/datasets/{name}/export`: a dataset's ACTIVE items, current or as
//! of `version` (an ISO time, as `GET /api/public/dataset-items` takes it), newest first,
//! as `format=jsonl` (each line the item object of `GET /api/public/dataset-items`),
//! `format=csv` ([`CSV_COLUMNS`]), `format=openai_sft` (input, then expected output) or
//! `format=openai_dpo` (expected output preferred, `metadata.non_preferred_output` not).
//! An unknown dataset answers Langfuse's 404 `Dataset not found`.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::csv::Csv;
use super::format::Format;
use super::jsonl::Jsonl;
use super::openai_dpo::OpenaiDpo;
use super::openai_sft::OpenaiSft;
use super::stream::{self, Batches, BATCH_ROWS};
use super::Item;
use crate::api::datasets::{dataset_not_found, items::shaped};
use crate::api::path::PathParams;
use crate::api::query::{iso_time, Query};
use crate::app::{ApiError, AppState, Authed};
use crate::store::datasets::{self, items::ItemFilter};
use crate::store::db;
use crate::store::export::{self, ItemCursor};

/// The columns of a dataset item CSV, fields of the API's item object.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "status",
    "input",
    "expectedOutput",
    "metadata",
    "sourceTraceId",
    "sourceObservationId",
    "datasetId",
    "datasetName",
    "createdAt",
    "updatedAt",
    "version",
];

/// The formats of a dataset export, the default first.
const FORMATS: [Format; 4] = [Format::Jsonl, Format::Csv, Format::OpenaiSft, Format::OpenaiDpo];

/// The item field the fine-tuning formats take as the answer to learn.
const ANSWER_FIELD: &str = "expectedOutput";

/// The query of a dataset export.
#[derive(Debug, Deserialize)]
pub struct DatasetExportQuery {
    format: Option<String>,
    #[serde(default, deserialize_with = "iso_time")]
    version: Option<i64>,
}

/// The items of one dataset, batch after batch.
struct ItemBatches {
    project_id: String,
    public_url: String,
    filter: ItemFilter,
    cursor: Option<ItemCursor>,
}

impl Batches for ItemBatches {
    fn next(&mut self, connection: &db::Connection) -> Result<Vec<Item>, ApiError> {
        let rows = export::items_after(connection, &self.project_id, &self.filter, self.cursor.as_ref(), BATCH_ROWS)?;
        if let Some(last) = rows.last() {
            self.cursor = Some(last.into());
        }
        rows.into_iter()
            .map(|row| {
                let id = row.id.clone();
                let item = shaped(connection, &self.project_id, &self.public_url, row)?;
                Ok(Item { id, value: serde_json::to_value(item).map_err(ApiError::internal)? })
            })
            .collect()
    }
}

/// `GET /api/public/v2/datasets/{name}/export`.
pub async fn export(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(name): PathParams<String>,
    Query(query): Query<DatasetExportQuery>,
) -> Result<Response, ApiError> {
    let format = Format::parse(query.format.as_deref(), &FORMATS)?;
    let project_id = project.id.clone();
    let dataset = state.read(move |c| datasets::by_name(c, &project_id, &name)?.ok_or_else(dataset_not_found)).await?;
    let filter = ItemFilter { dataset_id: Some(dataset.id), as_of: query.version, ..ItemFilter::default() };
    let batches =
        ItemBatches { project_id: project.id, public_url: state.limits.public_url.clone(), filter, cursor: None };
    let stem = format!("dataset-{}", file_safe(&dataset.name));
    match format {
        Format::Jsonl => stream::respond(state, &stem, format, batches, Jsonl).await,
        Format::Csv => stream::respond(state, &stem, format, batches, Csv::new(CSV_COLUMNS)).await,
        Format::OpenaiSft => stream::respond(state, &stem, format, batches, OpenaiSft::new(ANSWER_FIELD)).await,
        Format::OpenaiDpo => stream::respond(state, &stem, format, batches, OpenaiDpo::new(ANSWER_FIELD)).await,
    }
}

/// `name` with every character but ASCII letters, digits, `-` and `_` replaced by `_`, for
/// the downloaded file's name (a header value: no quotes, no control characters).
fn file_safe(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_safe("qa-set_2"), "qa-set_2");
        assert_eq!(file_safe("a\"b/c\r\nd é"), "a_b_c__d__");
    }
}
