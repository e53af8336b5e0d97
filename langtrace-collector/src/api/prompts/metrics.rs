//! `GET /api/public/v2/prompts/{name}/metrics` (langtrace's own, not Langfuse's): one
//! entry per version of the prompt, newest first, with the figures of the generations
//! linked to it (count, first and last use, latency p50 and p95 in ms, tokens, cost) and
//! the average of each numeric score given to those generations or their traces. The
//! same counts, latencies, tokens and costs over time come from the metrics API with the
//! `promptName` and `promptVersion` dimensions.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use crate::api::path::PathParams;
use crate::api::wire::iso;
use crate::app::{ApiError, AppState, Authed};
use crate::store::prompts::{self, metrics};

/// One score name's average over a version's generations.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ScoreAverage {
    name: String,
    average: f64,
    count: u64,
}

/// The figures of one version.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionMetrics {
    version: i64,
    prompt_id: String,
    labels: Vec<String>,
    generations: u64,
    first_used_at: Option<String>,
    last_used_at: Option<String>,
    latency_p50: Option<f64>,
    latency_p95: Option<f64>,
    input_tokens: i64,
    output_tokens: i64,
    total_tokens: i64,
    total_cost: f64,
    scores: Vec<ScoreAverage>,
}

/// Every version's figures.
#[derive(Debug, Serialize)]
pub struct PromptMetrics {
    data: Vec<VersionMetrics>,
}

/// `GET /api/public/v2/prompts/{name}/metrics`; 404 for a name without versions.
pub async fn metrics(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(name): PathParams<String>,
) -> Result<Json<PromptMetrics>, ApiError> {
    let (versions, mut figures) = state
        .read(move |c| {
            let versions = prompts::versions(c, &project.id, &name)?;
            if versions.is_empty() {
                return Err(ApiError::Missing(format!("Prompt not found: '{name}'")));
            }
            Ok((versions, metrics::of_prompt(c, &project.id, &name)?))
        })
        .await?;
    let data = versions
        .into_iter()
        .rev()
        .map(|row| {
            let figures = figures.remove(&row.version).unwrap_or_default();
            VersionMetrics {
                version: row.version,
                prompt_id: row.id,
                labels: row.labels,
                generations: figures.generations,
                first_used_at: figures.first_used.map(iso),
                last_used_at: figures.last_used.map(iso),
                latency_p50: figures.latency_p50_ms,
                latency_p95: figures.latency_p95_ms,
                input_tokens: figures.input_tokens,
                output_tokens: figures.output_tokens,
                total_tokens: figures.total_tokens,
                total_cost: figures.total_cost,
                scores: figures
                    .scores
                    .into_iter()
                    .map(|(name, (average, count))| ScoreAverage { name, average, count })
                    .collect(),
            }
        })
        .collect();
    Ok(Json(PromptMetrics { data }))
}
