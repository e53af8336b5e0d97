//! Point-in-time event observations: [`event`] and its [`EventBuilder`].

use serde::Serialize;
use serde_json::Value;

use super::{to_json, with_state};
use crate::draft::cell::lock;
use crate::ids::ObservationId;
use crate::layer::Find;
use crate::record::{Level, ObservationType};
use crate::vocab::fields;

/// Builds a point-in-time event observation in the current context.
#[derive(Debug)]
#[must_use = "call `emit()` to record the event"]
pub struct EventBuilder {
    name: String,
    input: Option<Value>,
    output: Option<Value>,
    level: Level,
    status_message: Option<String>,
    metadata: serde_json::Map<String, Value>,
}

/// Starts an event observation named `name`; `emit()` records it.
pub fn event(name: impl Into<String>) -> EventBuilder {
    EventBuilder {
        name: name.into(),
        input: None,
        output: None,
        level: Level::Default,
        status_message: None,
        metadata: serde_json::Map::new(),
    }
}

impl EventBuilder {
    /// Input of the event.
    pub fn input(mut self, input: impl Serialize) -> Self {
        self.input = Some(to_json(input));
        self
    }

    /// Output of the event.
    pub fn output(mut self, output: impl Serialize) -> Self {
        self.output = Some(to_json(output));
        self
    }

    /// Level of the event.
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// Status message of the event.
    pub fn status_message(mut self, message: impl Into<String>) -> Self {
        self.status_message = Some(message.into());
        self
    }

    /// One metadata key.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Serialize) -> Self {
        self.metadata.insert(key.into(), to_json(value));
        self
    }

    /// Records the event under the current observation; returns its id when recorded.
    pub fn emit(self) -> Option<ObservationId> {
        let span = tracing::span!(target: fields::OBSERVE_TARGET, tracing::Level::INFO, "event");
        with_state(&span, Find::This, move |state, _| {
            let cell = state.observation.as_ref()?;
            let mut observation = lock(cell);
            observation.observation_type = ObservationType::Event;
            observation.name = self.name.into();
            if let Some(input) = self.input {
                observation.input.set(input);
            }
            if let Some(output) = self.output {
                observation.output.set(output);
            }
            observation.level = self.level;
            observation.status_message = self.status_message;
            observation.metadata = self.metadata;
            observation.end = observation.start;
            observation.id
        })
        .flatten()
    }
}
