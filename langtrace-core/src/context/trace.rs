//! [`TraceHandle`]: updates of the trace the calling code runs in.

use std::sync::Arc;

use serde::Serialize;
use tracing::Span;

use super::score::{self, ScoreTarget};
use super::{to_json, with_state};
use crate::draft::TraceCell;
use crate::ids::{ObservationId, TraceId};
use crate::layer::Find;
use crate::record::{ExperimentAttributes, Score, ScoreValue, TraceAttributes};

/// The trace the calling code runs in.
#[derive(Clone, Debug)]
pub struct TraceHandle {
    span: Span,
}

/// The trace of the current observation.
pub fn current_trace() -> TraceHandle {
    TraceHandle { span: Span::current() }
}

/// Id of the current trace, for deep links and scoring.
pub fn current_trace_id() -> Option<TraceId> {
    current_trace().id()
}

impl TraceHandle {
    fn cell(&self) -> Option<Arc<TraceCell>> {
        with_state(&self.span, Find::Trace, |state, _| state.trace.clone()).flatten()
    }

    fn update(&self, change: impl FnOnce(&mut TraceAttributes)) -> &Self {
        if let Some(trace) = self.cell().filter(|t| t.sampled) {
            trace.update(change);
        }
        self
    }

    fn update_with<T>(&self, make: impl FnOnce() -> T, change: impl FnOnce(&mut TraceAttributes, T)) -> &Self {
        if let Some(trace) = self.cell().filter(|t| t.sampled) {
            let value = make();
            trace.update(|attributes| change(attributes, value));
        }
        self
    }

    /// The trace id (also for sampled-out traces).
    pub fn id(&self) -> Option<TraceId> {
        self.cell().map(|t| t.id)
    }

    /// Whether the trace is recorded.
    pub fn is_sampled(&self) -> bool {
        self.cell().is_some_and(|t| t.sampled)
    }

    /// Names the trace (default: the root observation's name).
    pub fn set_name(&self, name: impl Into<String>) -> &Self {
        let name = name.into();
        self.update(|t| t.name = Some(name))
    }

    /// Sets the user.
    pub fn set_user_id(&self, user_id: impl Into<String>) -> &Self {
        let user_id = user_id.into();
        self.update(|t| t.user_id = Some(user_id))
    }

    /// Sets the session.
    pub fn set_session_id(&self, session_id: impl Into<String>) -> &Self {
        let session_id = session_id.into();
        self.update(|t| t.session_id = Some(session_id))
    }

    /// Adds tags (duplicates ignored).
    pub fn add_tags<I: IntoIterator<Item = S>, S: Into<String>>(&self, tags: I) -> &Self {
        let tags: Vec<String> = tags.into_iter().map(Into::into).collect();
        self.update(|t| t.add_tags(tags))
    }

    /// Sets one metadata key.
    pub fn set_metadata(&self, key: impl Into<String>, value: impl Serialize) -> &Self {
        let key = key.into();
        self.update_with(
            || to_json(value),
            |t, value| {
                t.metadata.insert(key, value);
            },
        )
    }

    /// Sets the version.
    pub fn set_version(&self, version: impl Into<String>) -> &Self {
        let version = version.into();
        self.update(|t| t.version = Some(version))
    }

    /// Sets the release.
    pub fn set_release(&self, release: impl Into<String>) -> &Self {
        let release = release.into();
        self.update(|t| t.release = Some(release))
    }

    /// Makes the trace shareable by public link (or not).
    pub fn set_public(&self, public: bool) -> &Self {
        self.update(|t| t.public = Some(public))
    }

    /// Sets the trace input (default: the root observation's input).
    pub fn set_input(&self, input: impl Serialize) -> &Self {
        self.update_with(|| to_json(input), |t, value| t.input = Some(value.into()))
    }

    /// Sets the trace output (default: the root observation's output).
    pub fn set_output(&self, output: impl Serialize) -> &Self {
        self.update_with(|| to_json(output), |t, value| t.output = Some(value.into()))
    }

    /// Marks the trace as one item run of an experiment: every observation of it carries
    /// the experiment's attributes and is exported in environment `sdk-experiment`.
    pub fn set_experiment(&self, experiment: ExperimentAttributes) -> &Self {
        let experiment = Arc::new(experiment);
        self.update(|t| t.experiment = Some(experiment))
    }

    /// Scores the trace as a whole: `0.9` is numeric, `true` boolean, `"correct"`
    /// categorical. See [`Self::record_score`] for a comment or id.
    pub fn score(&self, name: impl Into<String>, value: impl Into<ScoreValue>) -> &Self {
        self.record_score(Score::new(name, value))
    }

    /// Records a [`Score`] built with a comment or an id on the trace.
    pub fn record_score(&self, score: Score) -> &Self {
        score::record(&self.span, ScoreTarget::Trace, score);
        self
    }

    /// Records a [`Score`] on one observation of this trace, given by id: one that has
    /// ended already (an experiment's task, scored by evaluators that ran after it).
    pub fn record_observation_score(&self, observation: ObservationId, score: Score) -> &Self {
        score::record(&self.span, ScoreTarget::Given(observation), score);
        self
    }
}
