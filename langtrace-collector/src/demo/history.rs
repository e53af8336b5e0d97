//! The demo's week of history. The demo agent runs now, in about a second, yet its
//! traces should read as a week of use (the dashboard and the prompt metrics show trends,
//! not one bucket). Each trace is given a place on the timeline before it runs
//! ([`Timeline::place`]: how long ago it happened), and [`Backdated`], a sink wrapped
//! around the OTLP exporter, moves every record of that trace back by that much before
//! it is sent. Nothing else changes: the records are the facade's own, with their real
//! durations, sent through the real exporter; the last trace of the timeline keeps its
//! live clock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use langtrace::{Config, Record, Sink, SinkError, Timestamp, TraceId};

/// How far back each trace is moved, by trace id: written by the app before a trace
/// starts, read by [`Backdated`] on the pipeline's worker thread.
#[derive(Clone, Default)]
pub(super) struct Timeline {
    shifts: Arc<Mutex<HashMap<TraceId, Duration>>>,
}

impl Timeline {
    /// A fresh trace id whose records will be moved `ago` into the past.
    pub(super) fn place(&self, ago: Duration) -> TraceId {
        let id = TraceId::random();
        self.shifts.lock().unwrap_or_else(PoisonError::into_inner).insert(id, ago);
        id
    }

    fn shift_of(&self, id: TraceId) -> Duration {
        self.shifts.lock().unwrap_or_else(PoisonError::into_inner).get(&id).copied().unwrap_or_default()
    }
}

/// Minutes between the turns of one conversation.
const TURN_GAP: Duration = Duration::from_secs(120);

/// Where the traces of a deployment that ran `days_ago` (its first and last day, before
/// now) and had `conversations` of `turns` each go: the nightly evaluation first, then
/// the conversations evenly up to the last day, the turns of each two minutes apart
/// (its last turn at its slot). `(evaluation, [per conversation: per turn])`.
pub(super) fn spread(days_ago: (f64, f64), turns: &[usize]) -> (Duration, Vec<Vec<Duration>>) {
    let (first, last) = days_ago;
    let slots = turns.len().max(1) as f64;
    let at = |slot: f64| Duration::from_secs_f64((first - (first - last) * slot / slots).max(0.0) * 86_400.0);
    let conversations = turns
        .iter()
        .enumerate()
        .map(|(index, &count)| {
            let slot = at(index as f64 + 1.0);
            (0..count).map(|turn| slot + TURN_GAP * (count - 1 - turn) as u32).collect()
        })
        .collect();
    (at(0.0), conversations)
}

/// A sink that moves each record back by its trace's place on the [`Timeline`], then
/// hands the batch to `inner`.
pub(super) struct Backdated<S> {
    inner: S,
    timeline: Timeline,
}

impl<S: Sink> Backdated<S> {
    /// Wraps `inner`.
    pub(super) fn new(inner: S, timeline: Timeline) -> Self {
        Self { inner, timeline }
    }
}

/// `time` moved `ago` into the past.
fn earlier(time: Timestamp, ago: Duration) -> Timestamp {
    Timestamp(time.0.saturating_sub(u64::try_from(ago.as_nanos()).unwrap_or(u64::MAX)))
}

impl<S: Sink> Sink for Backdated<S> {
    fn configure(&mut self, config: &Config) {
        self.inner.configure(config);
    }

    fn export(&mut self, batch: &[Record]) -> Result<(), SinkError> {
        let moved: Vec<Record> = batch
            .iter()
            .cloned()
            .map(|mut record| {
                match &mut record {
                    Record::Observation(observation) => {
                        let ago = self.timeline.shift_of(observation.trace_id);
                        observation.start_time = earlier(observation.start_time, ago);
                        observation.end_time = earlier(observation.end_time, ago);
                        observation.completion_start_time =
                            observation.completion_start_time.map(|time| earlier(time, ago));
                    }
                    Record::Trace(trace) => {
                        let ago = self.timeline.shift_of(trace.id);
                        trace.start_time = earlier(trace.start_time, ago);
                        trace.end_time = earlier(trace.end_time, ago);
                    }
                    Record::Score(score) => {
                        score.timestamp = earlier(score.timestamp, self.timeline.shift_of(score.trace_id));
                    }
                }
                record
            })
            .collect();
        self.inner.export(&moved)
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        self.inner.flush()
    }

    fn shutdown(&mut self) -> Result<(), SinkError> {
        self.inner.shutdown()
    }
}

#[cfg(test)]
mod tests {
    use langtrace::tracing_subscriber::layer::SubscriberExt;
    use langtrace::{observe, LangtraceLayer, MemorySink, Scope};

    use super::*;

    #[observe]
    fn step() {}

    #[test]
    fn the_records_of_a_placed_trace_move_back_and_the_others_keep_their_clock() {
        let memory = MemorySink::new();
        let timeline = Timeline::default();
        let (layer, mut guard) = LangtraceLayer::builder()
            .ignore_env()
            .sink(Backdated::new(memory.clone(), timeline.clone()))
            .build()
            .expect("a layer");
        let dispatch = langtrace::tracing::Dispatch::new(langtrace::tracing_subscriber::registry().with(layer));
        let ago = Duration::from_secs(3 * 86_400);
        let before = Timestamp::now();
        langtrace::tracing::dispatcher::with_default(&dispatch, || {
            Scope::new().trace_id(timeline.place(ago)).in_scope(step);
            step();
        });
        guard.shutdown(Duration::from_secs(10)).expect("delivered");
        let after = Timestamp::now();

        let observations = memory.observations();
        let traces = memory.traces();
        assert_eq!((observations.len(), traces.len()), (2, 2), "{observations:?}");
        let in_window = |time: Timestamp, ago: Duration| {
            let ago = ago.as_nanos() as u64;
            (before.0 - ago..=after.0 - ago).contains(&time.0)
        };
        for (observation, trace, ago) in
            [(&observations[0], &traces[0], ago), (&observations[1], &traces[1], Duration::ZERO)]
        {
            assert_eq!(observation.trace_id, trace.id);
            for time in [observation.start_time, observation.end_time, trace.start_time, trace.end_time] {
                assert!(in_window(time, ago), "{time:?} not {ago:?} before the run");
            }
            assert!(observation.end_time >= observation.start_time, "durations are kept");
        }
    }

    #[test]
    fn a_deployment_spreads_over_its_days_and_its_last_turn_is_live_when_it_ends_now() {
        let day = 86_400.0;
        let (evaluation, conversations) = spread((4.0, 0.0), &[2, 3]);
        assert_eq!(evaluation.as_secs_f64(), 4.0 * day);
        assert_eq!(
            conversations[0],
            [Duration::from_secs_f64(2.0 * day) + TURN_GAP, Duration::from_secs_f64(2.0 * day)]
        );
        assert_eq!(conversations[1], [TURN_GAP * 2, TURN_GAP, Duration::ZERO]);
    }

    #[test]
    fn a_shift_never_goes_before_the_epoch() {
        assert_eq!(earlier(Timestamp(5), Duration::from_secs(1)), Timestamp(0));
    }
}
