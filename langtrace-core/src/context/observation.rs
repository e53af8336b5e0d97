//! [`ObservationHandle`]: updates of the observation the calling code runs in.

use serde::Serialize;
use serde_json::Value;
use tracing::Span;

use super::score::{self, ScoreTarget};
use super::{to_json, with_state};
use crate::draft::cell::{lock, ObservationState};
use crate::ids::{ObservationId, TraceId};
use crate::layer::Find;
use crate::record::{Cost, Level, PromptLink, Score, ScoreValue, Timestamp, Usage};

/// The innermost observation around the code that got it. Setters return `&Self` so
/// updates chain; each is a no-op when nothing is recorded.
#[derive(Clone, Debug)]
pub struct ObservationHandle {
    span: Span,
}

/// The observation the calling code runs in.
pub fn current_observation() -> ObservationHandle {
    ObservationHandle { span: Span::current() }
}

/// Id of the current observation, for deep links and scoring.
pub fn current_observation_id() -> Option<ObservationId> {
    current_observation().id()
}

impl ObservationHandle {
    /// The innermost observation at or above `span`.
    pub fn for_span(span: &Span) -> Self {
        Self { span: span.clone() }
    }

    fn update(&self, change: impl FnOnce(&mut ObservationState)) -> &Self {
        with_state(&self.span, Find::Observation, |state, _| {
            state.observation.as_ref().map(|cell| change(&mut lock(cell)))
        });
        self
    }

    /// Computes the value only when the observation is recorded.
    fn update_with<T>(&self, make: impl FnOnce() -> T, change: impl FnOnce(&mut ObservationState, T)) -> &Self {
        if self.is_recorded() {
            let value = make();
            self.update(|observation| change(observation, value));
        }
        self
    }

    /// Whether the observation is recorded (a layer is present and the trace sampled).
    pub fn is_recorded(&self) -> bool {
        with_state(&self.span, Find::Observation, |state, _| state.observation.is_some()).unwrap_or(false)
    }

    /// The observation's id.
    pub fn id(&self) -> Option<ObservationId> {
        with_state(&self.span, Find::Observation, |state, _| state.observation.as_ref().and(state.nearest)).flatten()
    }

    /// The id of the observation's trace (also for sampled-out traces).
    pub fn trace_id(&self) -> Option<TraceId> {
        with_state(&self.span, Find::Observation, |state, _| state.trace.as_ref().map(|t| t.id)).flatten()
    }

    /// Renames the observation.
    pub fn set_name(&self, name: impl Into<String>) -> &Self {
        let name = name.into();
        self.update(|o| o.name = name.into())
    }

    /// Sets the level.
    pub fn set_level(&self, level: Level) -> &Self {
        self.update(|o| o.level = level)
    }

    /// Sets the status message (explains the level).
    pub fn set_status_message(&self, message: impl Into<String>) -> &Self {
        let message = message.into();
        self.update(|o| o.status_message = Some(message))
    }

    /// Replaces the input.
    pub fn set_input(&self, input: impl Serialize) -> &Self {
        self.update_with(|| to_json(input), |o, value| o.input.set(value))
    }

    /// Replaces the output; `#[observe]` will not overwrite it with the return value.
    pub fn set_output(&self, output: impl Serialize) -> &Self {
        self.update_with(
            || to_json(output),
            |o, value| {
                o.output.set(value);
                o.output_explicit = true;
            },
        )
    }

    /// Sets one metadata key.
    pub fn set_metadata(&self, key: impl Into<String>, value: impl Serialize) -> &Self {
        let key = key.into();
        self.update_with(
            || to_json(value),
            |o, value| {
                o.metadata.insert(key, value);
            },
        )
    }

    /// Sets the version of the code producing this observation.
    pub fn set_version(&self, version: impl Into<String>) -> &Self {
        let version = version.into();
        self.update(|o| o.version = Some(version))
    }

    /// Sets the model (generation-like observations).
    pub fn set_model(&self, model: impl Into<String>) -> &Self {
        let model = model.into();
        self.update(|o| o.model = Some(model))
    }

    /// Merges model parameters (a struct or map serializing to a JSON object).
    pub fn set_model_parameters(&self, parameters: impl Serialize) -> &Self {
        self.update_with(
            || to_json(parameters),
            |o, value| {
                if let Value::Object(map) = value {
                    o.model_parameters.extend(map);
                }
            },
        )
    }

    /// Sets token counts (merged key by key).
    pub fn set_usage(&self, usage: Usage) -> &Self {
        self.update(|o| o.usage_details.extend(usage.entries()))
    }

    /// Sets costs in USD (merged key by key).
    pub fn set_cost(&self, cost: Cost) -> &Self {
        self.update(|o| o.cost_details.extend(cost.entries()))
    }

    /// Sets when the first token arrived.
    pub fn set_completion_start_time(&self, time: Timestamp) -> &Self {
        self.update(|o| o.completion_start_time = Some(time))
    }

    /// Marks now as the time of the first token, unless one is already set.
    pub fn mark_first_token(&self) -> &Self {
        let now = Timestamp::now();
        self.update(|o| {
            o.completion_start_time.get_or_insert(now);
        })
    }

    /// Links the prompt (from prompt management) the generation used: a fetched prompt
    /// (`set_prompt(&prompt)`), a [`PromptRef`](crate::PromptRef) or a `(name, version)` pair. A fallback
    /// prompt links nothing and leaves an earlier link in place.
    pub fn set_prompt(&self, prompt: impl PromptLink) -> &Self {
        match prompt.prompt_ref() {
            Some(prompt) => self.update(|o| o.prompt = Some(prompt)),
            None => self,
        }
    }

    /// Scores this observation (and so its trace), like Langfuse's `span.score(...)`:
    /// `0.9` is numeric, `true` boolean, `"correct"` categorical. Delivered through the
    /// pipeline with the observations; see [`Self::record_score`] for a comment or id.
    pub fn score(&self, name: impl Into<String>, value: impl Into<ScoreValue>) -> &Self {
        self.record_score(Score::new(name, value))
    }

    /// Records a [`Score`] built with a comment or an id on this observation.
    pub fn record_score(&self, score: Score) -> &Self {
        score::record(&self.span, ScoreTarget::Observation, score);
        self
    }

    /// Scores the whole trace of this observation (Langfuse's `span.score_trace(...)`).
    pub fn score_trace(&self, name: impl Into<String>, value: impl Into<ScoreValue>) -> &Self {
        score::record(&self.span, ScoreTarget::Trace, Score::new(name, value));
        self
    }
}
