//! Langfuse datasets and experiments for Rust, against Langfuse itself or
//! `langtrace serve`: read and write dataset items, and run a task over them with
//! evaluators, traced as Langfuse's SDKs trace experiments.
//!
//! ```no_run
//! use langtrace_datasets::{Datasets, Evaluation, NewDataset, NewItem};
//! use serde_json::json;
//!
//! # async fn demo() -> Result<(), langtrace_datasets::Error> {
//! // LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY, LANGFUSE_BASE_URL, as for `init()`.
//! let datasets = Datasets::from_env()?;
//! datasets.create(&NewDataset::new("capitals")).await?;
//! datasets.create_item(NewItem::new("capitals").input(json!("France")).expected_output(json!("Paris"))).await?;
//! let dataset = datasets.get("capitals").await?;
//! let result = datasets
//!     .run_experiment("capital lookup")
//!     .data(&dataset.items)
//!     .task(|item| async move { Ok::<_, String>(format!("capital of {}", item.input)) })
//!     .evaluator("exact_match", |e| async move {
//!         Ok::<_, String>(Evaluation::new("exact_match", Some(&e.output) == e.expected_output.as_ref()))
//!     })
//!     .run()
//!     .await?;
//! println!("{result}");
//! # Ok(()) }
//! ```
//!
//! Item runs are traced through the application's langtrace layer (`init()`), one
//! trace per item, in environment `sdk-experiment`, under the experiment's stable id.

#![warn(missing_docs)]

mod api;
mod client;
mod error;
pub mod experiment;
mod model;

pub use client::{Datasets, DatasetsBuilder, DEFAULT_TIMEOUT, ITEMS_PAGE_SIZE};
pub use error::Error;
pub use experiment::{Evaluation, EvaluatorInput, Experiment, ExperimentItem, ExperimentResult, ItemResult};
pub use model::{Dataset, DatasetItem, ItemStatus, NewDataset, NewItem};
