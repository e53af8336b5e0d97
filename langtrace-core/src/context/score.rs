//! Recording [`Score`]s on the current observation or trace (see
//! [`ObservationHandle::score`](super::ObservationHandle::score) and
//! [`TraceHandle::score`](super::TraceHandle::score)).

use tracing::Span;

use super::with_state;
use crate::ids::ObservationId;
use crate::layer::Find;
use crate::pipeline::processor::Pending;
use crate::record::{Score, ScoreValue};

/// What a score is attached to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ScoreTarget {
    /// The innermost recorded observation at or above the span (and its trace).
    Observation,
    /// The trace of the span, as a whole.
    Trace,
    /// This observation of the span's trace (one that may have ended already).
    Given(ObservationId),
}

/// Hands `score` to the pipeline, attached to `target` as seen from `span`. Nothing
/// happens outside a recorded trace or for a number that is not finite (no backend
/// stores NaN); a score of a trace shed under overload, or one the full queue refuses,
/// is counted as dropped. Never blocks.
pub(crate) fn record(span: &Span, target: ScoreTarget, score: Score) {
    if matches!(score.value, ScoreValue::Numeric(value) if !value.is_finite()) {
        return;
    }
    let find = match target {
        ScoreTarget::Observation => Find::Observation,
        ScoreTarget::Trace | ScoreTarget::Given(_) => Find::Trace,
    };
    with_state(span, find, |state, context| {
        let Some(trace) = state.trace.as_ref() else { return };
        if trace.shed {
            context.count_dropped(1);
            return;
        }
        if !trace.sampled {
            return;
        }
        let observation_id = match target {
            ScoreTarget::Observation => match state.observation.as_ref().and(state.nearest) {
                Some(id) => Some(id),
                None => return,
            },
            ScoreTarget::Trace => None,
            ScoreTarget::Given(id) => Some(id),
        };
        // A refused record is counted by the queue; its memory is simply freed.
        let _ = context.push(Pending::Score(score.into_record(trace.id, observation_id)));
    });
}
