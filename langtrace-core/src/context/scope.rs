//! [`Scope`]: trace attributes, trace id and remote parent for everything opened inside.

use std::future::Future;
use std::sync::Arc;

use serde::Serialize;
use tracing::instrument::{Instrument, Instrumented};
use tracing::Span;

use super::propagation::parse_traceparent;
use super::{to_json, with_state};
use crate::draft::ScopeData;
use crate::ids::{IdError, ObservationId, TraceId};
use crate::layer::Find;
use crate::record::TraceAttributes;
use crate::vocab::fields;

/// Propagates trace attributes (user, session, tags, metadata, version, name) to every
/// observation opened inside it, and optionally chooses the id or remote parent of the
/// traces started inside it. Scopes nest; inner values win, tags and metadata add up.
///
/// ```
/// use langtrace_core::context::Scope;
/// let answer = Scope::new().user_id("user-1").session_id("chat-7").tags(["beta"]).in_scope(|| {
///     // every observation opened here carries user-1 / chat-7 / beta
///     42
/// });
/// # assert_eq!(answer, 42);
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a scope does nothing until `in_scope` or `instrument`"]
pub struct Scope {
    attributes: TraceAttributes,
    trace_id: Option<TraceId>,
    parent_id: Option<ObservationId>,
}

impl Scope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// User of the traces.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.attributes.user_id = Some(user_id.into());
        self
    }

    /// Session of the traces.
    pub fn session_id(mut self, session_id: impl Into<String>) -> Self {
        self.attributes.session_id = Some(session_id.into());
        self
    }

    /// Tags of the traces.
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.attributes.add_tags(tags);
        self
    }

    /// One metadata key of the traces.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Serialize) -> Self {
        self.attributes.metadata.insert(key.into(), to_json(value));
        self
    }

    /// Version of the traces.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.attributes.version = Some(version.into());
        self
    }

    /// Name of the traces started inside.
    pub fn trace_name(mut self, name: impl Into<String>) -> Self {
        self.attributes.name = Some(name.into());
        self
    }

    /// The id of the trace started inside (ignored when the scope is already inside a
    /// trace: a trace's id cannot change).
    pub fn trace_id(mut self, trace_id: TraceId) -> Self {
        self.trace_id = Some(trace_id);
        self
    }

    /// Continues a trace from a W3C `traceparent` header (`00-<trace id>-<parent id>-<flags>`):
    /// observations started inside join that trace under that remote parent.
    pub fn traceparent(mut self, header: &str) -> Result<Self, IdError> {
        let (trace_id, parent_id) = parse_traceparent(header)?;
        self.trace_id = Some(trace_id);
        self.parent_id = Some(parent_id);
        Ok(self)
    }

    /// Opens the scope as a (non-observation) span; enter it or instrument with it.
    pub fn into_span(self) -> Span {
        let span = tracing::span!(target: fields::SCOPE_TARGET, tracing::Level::INFO, "langtrace.scope");
        with_state(&span, Find::This, |state, _| {
            let mut data = ScopeData {
                attributes: TraceAttributes::default(),
                trace_id: self.trace_id,
                parent_id: self.parent_id,
            };
            if let Some(outer) = &state.scope {
                data.attributes = outer.attributes.clone();
                data.trace_id = data.trace_id.or(outer.trace_id);
                data.parent_id = data.parent_id.or(outer.parent_id);
            }
            data.attributes.merge(&self.attributes);
            let data = Arc::new(data);
            if let Some(trace) = state.trace.as_ref().filter(|t| t.sampled) {
                trace.apply_scope(&data);
            }
            state.scope = Some(data);
        });
        span
    }

    /// Runs `f` inside the scope.
    pub fn in_scope<R>(self, f: impl FnOnce() -> R) -> R {
        self.into_span().in_scope(f)
    }

    /// Runs a future inside the scope (every poll).
    pub fn instrument<F: Future>(self, future: F) -> Instrumented<F> {
        future.instrument(self.into_span())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparent_parsing() {
        let scope = Scope::new().traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
        assert_eq!(scope.trace_id.unwrap().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(scope.parent_id.unwrap().to_string(), "00f067aa0ba902b7");
        for bad in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-+1",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
            "00-+bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ] {
            assert!(Scope::new().traceparent(bad).is_err(), "{bad}");
        }
    }
}
