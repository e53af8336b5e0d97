//! One playground run, shared by the UI's route and the proxy: the project's connection
//! for the provider name (404 if it has none), the provider's stream read delta by delta
//! (the first text or tool-call delta is the first token), then the run traced
//! ([`super::trace`]) and summed up in an [`Outcome`]. A failure at any point (the
//! provider's error answer, a timeout, a cut or unfinished stream) ends the run and is
//! traced as the generation's error.

use futures_util::StreamExt;
use langtrace_core::record::{PromptRef, Timestamp};
use langtrace_core::{ObservationId, TraceId};

use crate::api::llm_connections;
use crate::app::{ApiError, AppState};
use crate::providers::assemble::Completion;
use crate::providers::{ChatRequest, Delta, DeltaStream, ProviderError};
use crate::store::connections;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// The project.
    pub project_id: String,
    /// The connection's provider name.
    pub provider: String,
    /// The request.
    pub request: ChatRequest,
    /// The linked prompt version.
    pub prompt: Option<PromptRef>,
}

/// A run under way.
pub struct Run {
    spec: RunSpec,
    /// Its trace.
    pub trace_id: TraceId,
    /// Its generation.
    pub observation_id: ObservationId,
    start: Timestamp,
    first_token: Option<Timestamp>,
    completion: Completion,
    stream: Option<DeltaStream>,
    failure: Option<ProviderError>,
}

/// How a run ended.
pub struct Outcome {
    /// The answer (as far as it came).
    pub completion: Completion,
    /// Why it failed, if it did.
    pub failure: Option<ProviderError>,
    /// Its trace (hex).
    pub trace_id: String,
    /// Its generation (hex).
    pub observation_id: String,
    /// The model asked for.
    pub model: String,
    /// From the call to the last byte.
    pub latency_ms: u64,
    /// From the call to the first token.
    pub time_to_first_token_ms: Option<u64>,
    /// Cost from the model prices, when they know the model.
    pub cost_usd: Option<f64>,
}

/// Starts a run: finds the connection and calls the provider (a provider that fails
/// to answer makes a run that has already failed, still to be traced).
pub async fn start(state: &AppState, spec: RunSpec) -> Result<Run, ApiError> {
    let row = state
        .read({
            let (project_id, provider) = (spec.project_id.clone(), spec.provider.clone());
            move |c| Ok(connections::by_provider(c, &project_id, &provider)?)
        })
        .await?
        .ok_or_else(|| ApiError::Missing(format!("LLM connection '{}' not found", spec.provider)))?;
    let endpoint = llm_connections::endpoint(state, &row)?;
    let start = Timestamp::now();
    let (stream, failure) = match state.providers.stream(&endpoint, &spec.request).await {
        Ok(stream) => (Some(stream), None),
        Err(error) => (None, Some(error)),
    };
    Ok(Run {
        spec,
        trace_id: TraceId::random(),
        observation_id: ObservationId::random(),
        start,
        first_token: None,
        completion: Completion::default(),
        stream,
        failure,
    })
}

impl Run {
    /// Why the run failed so far.
    pub fn failure(&self) -> Option<&ProviderError> {
        self.failure.as_ref()
    }

    /// The next delta; `None` once the answer is over or has failed.
    pub async fn next(&mut self) -> Option<Delta> {
        let stream = self.stream.as_mut()?;
        let failure = match stream.next().await {
            Some(Ok(delta)) => {
                if self.first_token.is_none() && matches!(delta, Delta::Text(_) | Delta::ToolCall { .. }) {
                    self.first_token = Some(Timestamp::now());
                }
                match self.completion.absorb(&delta) {
                    Ok(()) => return Some(delta),
                    Err(error) => error,
                }
            }
            Some(Err(error)) => error,
            None => match self.completion.check_finished() {
                Ok(()) => {
                    self.stream = None;
                    return None;
                }
                Err(error) => error,
            },
        };
        self.stream = None;
        self.failure = Some(failure);
        None
    }

    /// Reads what is left of the answer, traces the run and sums it up.
    pub async fn finish(mut self, state: &AppState) -> Outcome {
        while self.next().await.is_some() {}
        let end = Timestamp::now();
        let millis = |from: Timestamp, to: Timestamp| to.duration_since(from).as_millis() as u64;
        let generation = super::trace::Generation {
            spec: &self.spec,
            trace_id: self.trace_id,
            observation_id: self.observation_id,
            start: self.start,
            end,
            first_token: self.first_token,
            completion: &self.completion,
            failure: self.failure.as_ref(),
        };
        let cost_usd = super::trace::write(state, generation).await;
        Outcome {
            trace_id: self.trace_id.to_string(),
            observation_id: self.observation_id.to_string(),
            model: self.spec.request.model,
            latency_ms: millis(self.start, end),
            time_to_first_token_ms: self.first_token.map(|first| millis(self.start, first)),
            completion: self.completion,
            failure: self.failure,
            cost_usd,
        }
    }
}
