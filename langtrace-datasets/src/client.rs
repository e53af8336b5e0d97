//! [`Datasets`], the client, its builder, and the dataset operations.

use std::sync::Arc;
use std::time::Duration;

use langtrace_api::Settings;
use serde::Deserialize;
use serde_json::json;

use langtrace_api::encode;

use crate::api::HttpApi;
use crate::error::Error;
use crate::experiment::Experiment;
use crate::model::{Dataset, DatasetItem, ItemStatus, NewDataset, NewItem, Page, Source, Traced};

/// Longest time one request may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Items asked for per page when a dataset is read (Langfuse's SDK default).
pub const ITEMS_PAGE_SIZE: u32 = 50;

/// The datasets client of one Langfuse project (Langfuse itself or `langtrace serve`).
/// Cheap to clone. Its futures need a Tokio runtime.
#[derive(Clone)]
pub struct Datasets {
    pub(crate) api: Arc<HttpApi>,
}

impl std::fmt::Debug for Datasets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Datasets").field("url", &self.api.base()).finish_non_exhaustive()
    }
}

/// The one field of `GET /api/public/projects` the client reads.
#[derive(Deserialize)]
struct Project {
    id: String,
}

impl Datasets {
    /// A client configured from `LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY` and
    /// `LANGFUSE_BASE_URL` (or `LANGFUSE_HOST`; default Langfuse Cloud), as `init()`
    /// reads them.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// A builder; unset values come from the environment.
    pub fn builder() -> DatasetsBuilder {
        DatasetsBuilder::default()
    }

    /// The dataset `name` with all its active items (read page by page).
    pub async fn get(&self, name: &str) -> Result<Dataset, Error> {
        let mut dataset: Dataset = self.api.get(&format!("/v2/datasets/{}", encode(name))).await?;
        let mut page = 1;
        loop {
            let path =
                format!("/dataset-items?datasetName={}&page={page}&limit={ITEMS_PAGE_SIZE}", encode(&dataset.name));
            let answer: Page<DatasetItem> = self.api.get(&path).await?;
            let last = answer.data.is_empty() || answer.meta.page >= answer.meta.total_pages;
            dataset.items.extend(answer.data);
            if last {
                return Ok(dataset);
            }
            page += 1;
        }
    }

    /// Creates the dataset, or updates the one of that name; answers it (without items).
    pub async fn create(&self, dataset: &NewDataset) -> Result<Dataset, Error> {
        self.api.post("/v2/datasets", dataset).await
    }

    /// Creates an item, or updates the one with its id. An item made
    /// [from a trace](NewItem::from_trace) or [observation](NewItem::from_observation)
    /// first reads its source's input and output (an input or expected output set on
    /// the item wins) and links to it.
    pub async fn create_item(&self, item: NewItem) -> Result<DatasetItem, Error> {
        let item = self.resolve_source(item).await?;
        self.api.post("/dataset-items", &item).await
    }

    /// One item, whatever its status.
    pub async fn item(&self, id: &str) -> Result<DatasetItem, Error> {
        self.api.get(&format!("/dataset-items/{}", encode(id))).await
    }

    /// Archives an item: it stays stored (and readable by id) but is no longer listed
    /// nor used by experiments.
    pub async fn archive_item(&self, item: &DatasetItem) -> Result<DatasetItem, Error> {
        let body = json!({"datasetName": item.dataset_name, "id": item.id, "status": ItemStatus::Archived});
        self.api.post("/dataset-items", &body).await
    }

    /// Starts an experiment named `name` (see [`Experiment`]).
    pub fn run_experiment(&self, name: impl Into<String>) -> Experiment {
        Experiment::new(self.clone(), name.into())
    }

    /// The id of the project the keys belong to.
    pub(crate) async fn project_id(&self) -> Result<String, Error> {
        #[derive(Deserialize)]
        struct Projects {
            data: Vec<Project>,
        }
        let projects: Projects = self.api.get("/projects").await?;
        projects.data.into_iter().next().map(|p| p.id).ok_or_else(|| Error::Decode("no project for these keys".into()))
    }

    async fn resolve_source(&self, mut item: NewItem) -> Result<NewItem, Error> {
        let Some(source) = item.source.take() else { return Ok(item) };
        let traced: Traced = match &source {
            Source::Trace(id) => self.api.get(&format!("/traces/{}", encode(id))).await?,
            Source::Observation(id) => self.api.get(&format!("/observations/{}", encode(id))).await?,
        };
        match source {
            Source::Trace(id) => item.source_trace_id = Some(id),
            Source::Observation(id) => {
                item.source_observation_id = Some(id);
                item.source_trace_id = traced.trace_id;
            }
        }
        item.input = item.input.or(traced.input);
        item.expected_output = item.expected_output.or(traced.output);
        Ok(item)
    }
}

/// Settings of a [`Datasets`] client; each unset value is read from the environment.
#[derive(Clone, Default)]
pub struct DatasetsBuilder {
    settings: Settings,
}

impl std::fmt::Debug for DatasetsBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatasetsBuilder").field("settings", &self.settings).finish()
    }
}

impl DatasetsBuilder {
    langtrace_api::settings_methods!(default timeout "10 s");

    /// The client; an error names a refused setting or says keys are missing.
    pub fn build(self) -> Result<Datasets, Error> {
        let user_agent = concat!("langtrace-datasets/", env!("CARGO_PKG_VERSION"));
        let api = HttpApi::new(self.settings.connect(user_agent, DEFAULT_TIMEOUT)?);
        Ok(Datasets { api: Arc::new(api) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_a_key_pair_is_refused_without_showing_the_secret() {
        let error =
            Datasets::builder().secret_key("sk-very-secret").base_url("http://127.0.0.1:1").build().unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(text.contains("LANGFUSE_PUBLIC_KEY"), "{text}");
        assert!(!text.contains("sk-very-secret"), "{text}");
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let builder = Datasets::builder().public_key("pk").secret_key("sk-hidden").base_url("http://127.0.0.1:9");
        assert!(!format!("{builder:?}").contains("sk-hidden"));
        let shown = format!("{:?}", builder.build().unwrap());
        assert!(shown.contains("http://127.0.0.1:9/api/public") && !shown.contains("sk-hidden"), "{shown}");
    }
}
