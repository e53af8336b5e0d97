//! An in-memory sink, for tests (ours and users').

use std::sync::{Arc, Mutex, PoisonError};

use super::{Sink, SinkError};
use crate::record::{ObservationRecord, Record, ScoreRecord, TraceRecord};

/// Keeps every record it receives. Clones share the same storage, so keep one clone to
/// read from after handing another to the layer builder.
#[derive(Clone, Default)]
pub struct MemorySink {
    records: Arc<Mutex<Vec<Record>>>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every record received so far, in arrival order.
    pub fn records(&self) -> Vec<Record> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The observation records, in the order they finished.
    pub fn observations(&self) -> Vec<ObservationRecord> {
        self.records()
            .into_iter()
            .filter_map(|record| match record {
                Record::Observation(observation) => Some(observation),
                _ => None,
            })
            .collect()
    }

    /// The trace records, in the order their roots finished.
    pub fn traces(&self) -> Vec<TraceRecord> {
        self.records()
            .into_iter()
            .filter_map(|record| match record {
                Record::Trace(trace) => Some(*trace),
                _ => None,
            })
            .collect()
    }

    /// The score records, in the order they were recorded.
    pub fn scores(&self) -> Vec<ScoreRecord> {
        self.records()
            .into_iter()
            .filter_map(|record| match record {
                Record::Score(score) => Some(score),
                _ => None,
            })
            .collect()
    }

    /// The first observation with this name.
    pub fn observation(&self, name: &str) -> Option<ObservationRecord> {
        self.observations().into_iter().find(|o| o.name == name)
    }

    /// Forgets everything received so far.
    pub fn clear(&self) {
        self.records.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }
}

impl Sink for MemorySink {
    fn export(&mut self, batch: &[Record]) -> Result<(), SinkError> {
        self.records.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(batch);
        Ok(())
    }
}
