//! The generation a playground run becomes, in the reserved environment
//! [`super::ENVIRONMENT`]: named after the linked prompt (else `playground`), with the
//! model, its parameters, the input messages (tools and response format in the metadata),
//! the answer as an assistant message, usage, cost from the model prices, the time of the
//! first token and the prompt link; level ERROR with the provider's message on failure.
//! Written through the single writer like an ingested span.

use std::borrow::Cow;
use std::sync::Arc;

use langtrace_core::record::{Level, ObservationRecord, ObservationType, Payload, Timestamp, TraceAttributes};
use langtrace_core::{ObservationId, TraceId};
use serde_json::{json, Map, Value};

use super::run::RunSpec;
use crate::app::AppState;
use crate::providers::assemble::Completion;
use crate::providers::ProviderError;
use crate::store::write;

/// The name of a run's generation and trace without a linked prompt.
pub const NAME: &str = "playground";

/// A finished run, as traced.
pub struct Generation<'a> {
    /// What ran.
    pub spec: &'a RunSpec,
    /// Its trace.
    pub trace_id: TraceId,
    /// Its generation.
    pub observation_id: ObservationId,
    /// When the provider was called.
    pub start: Timestamp,
    /// When the answer ended.
    pub end: Timestamp,
    /// When the first token arrived.
    pub first_token: Option<Timestamp>,
    /// The answer.
    pub completion: &'a Completion,
    /// The failure.
    pub failure: Option<&'a ProviderError>,
}

/// Prices and writes the run's generation; its cost in USD, when the prices know the
/// model. A write that fails is logged: the run's answer does not depend on it.
pub async fn write(state: &AppState, generation: Generation<'_>) -> Option<f64> {
    let mut record = record(&generation);
    let project_id = generation.spec.project_id.clone();
    let preparing = state.clone();
    let prepared = tokio::task::spawn_blocking(move || {
        if let Some(cost) =
            preparing.prices.cost(&project_id, record.model.as_deref().unwrap_or_default(), &record.usage_details)
        {
            record.cost_details = cost;
        }
        let total = record.total_cost();
        (write::prepare(vec![record], &preparing.limits.stored, |_, _| None), total, project_id)
    })
    .await;
    let Ok((batch, cost, project_id)) = prepared else {
        tracing::error!("the playground run's trace could not be prepared");
        return None;
    };
    let locks = batch.locks(&project_id);
    if let Err(error) = state.writer.write_locked(locks, move |tx| write::observations(tx, &project_id, &batch)).await {
        tracing::warn!(%error, "the playground run's trace was not stored");
    }
    cost
}

/// The generation's record.
fn record(generation: &Generation<'_>) -> ObservationRecord {
    let spec = generation.spec;
    let request = &spec.request;
    let name = spec.prompt.as_ref().map_or_else(|| NAME.to_owned(), |p| p.name.clone());
    let mut metadata = Map::new();
    metadata.insert("provider".into(), json!(spec.provider));
    if !request.tools.is_empty() {
        metadata.insert("tools".into(), Value::from(request.tools.clone()));
    }
    if let Some(format) = &request.response_format {
        metadata.insert("response_format".into(), format.clone());
    }
    if let Some(reason) = &generation.completion.finish_reason {
        metadata.insert("finish_reason".into(), json!(reason));
    }
    let input = Payload::from(Value::from(request.messages.clone()));
    let answered = !generation.completion.text.is_empty() || !generation.completion.tool_calls().is_empty();
    let trace = TraceAttributes { name: Some(name.clone()), input: Some(input.clone()), ..TraceAttributes::default() };
    ObservationRecord {
        id: generation.observation_id,
        trace_id: generation.trace_id,
        parent_id: None,
        is_root: true,
        observation_type: ObservationType::Generation,
        name: Cow::Owned(name),
        start_time: generation.start,
        end_time: generation.end,
        completion_start_time: generation.first_token,
        level: if generation.failure.is_some() { Level::Error } else { Level::Default },
        status_message: generation.failure.map(|f| f.message.clone()),
        input: Some(input),
        output: answered.then(|| Payload::from(generation.completion.message())),
        metadata,
        version: None,
        environment: super::ENVIRONMENT.to_owned(),
        model: Some(request.model.clone()),
        model_parameters: request.params.clone(),
        usage_details: generation.completion.usage(),
        cost_details: Default::default(),
        prompt: spec.prompt.clone(),
        trace: Arc::new(trace),
        media: Vec::new(),
    }
}
