//! Trace-level data: the [`TraceAttributes`] every observation carries a snapshot of,
//! and the [`TraceRecord`] emitted when a trace's root ends.

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ExperimentAttributes, Payload, Timestamp};
use crate::ids::{ObservationId, TraceId};

/// Trace-level attributes: set through `current_trace()`, a propagation `Scope`, or
/// defaults from the configuration. Every observation carries a snapshot of them, so a
/// backend reading span by span (Langfuse's OTLP endpoint) sees them on each.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceAttributes {
    /// Trace name (defaults to the root observation's name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The end user the trace belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The session (conversation, thread) the trace belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Tags, without duplicates, in insertion order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Free metadata.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub metadata: Map<String, Value>,
    /// Version of the traced application logic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Release (deployment) of the application.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Whether the trace may be shared by public link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    /// Trace input (defaults to the root observation's input).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<Payload>,
    /// Trace output (defaults to the root observation's output).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Payload>,
    /// The experiment the trace is an item run of; its observations are exported in
    /// environment `sdk-experiment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<Arc<ExperimentAttributes>>,
}

impl TraceAttributes {
    /// The input as a JSON value.
    pub fn input_value(&self) -> Option<Value> {
        self.input.as_ref().map(Payload::to_value)
    }

    /// The output as a JSON value.
    pub fn output_value(&self) -> Option<Value> {
        self.output.as_ref().map(Payload::to_value)
    }

    /// Adds tags not already present, in order; hashed, so linear in the tags however
    /// many there are.
    pub fn add_tags<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, tags: I) {
        let mut tags = tags.into_iter().map(Into::into).peekable();
        if tags.peek().is_none() {
            return;
        }
        let mut present: HashSet<String> = self.tags.iter().cloned().collect();
        for tag in tags {
            if !present.contains(&tag) {
                present.insert(tag.clone());
                self.tags.push(tag);
            }
        }
    }

    /// Overlays `other`: its set fields win, tags are united, metadata merged key by key.
    pub fn merge(&mut self, other: &TraceAttributes) {
        macro_rules! overlay {
            ($($field:ident),*) => {$(
                if other.$field.is_some() {
                    self.$field.clone_from(&other.$field);
                }
            )*};
        }
        overlay!(name, user_id, session_id, version, release, public, input, output, experiment);
        self.add_tags(other.tags.iter().cloned());
        for (key, value) in &other.metadata {
            self.metadata.insert(key.clone(), value.clone());
        }
    }
}

/// A finished trace: emitted when its root observation (in this process) ends, after
/// the root's own observation record. Name, input and output default to the root's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceRecord {
    /// Trace id.
    pub id: TraceId,
    /// The root observation of this process's part of the trace.
    pub root_observation_id: ObservationId,
    /// Start of the root observation.
    pub start_time: Timestamp,
    /// End of the root observation.
    pub end_time: Timestamp,
    /// Deployment environment.
    pub environment: String,
    /// Final trace-level attributes.
    pub attributes: TraceAttributes,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_attributes_merge() {
        let mut base = TraceAttributes { user_id: Some("a".into()), tags: vec!["x".into()], ..Default::default() };
        let overlay =
            TraceAttributes { session_id: Some("s".into()), tags: vec!["x".into(), "y".into()], ..Default::default() };
        base.merge(&overlay);
        assert_eq!(base.user_id.as_deref(), Some("a"));
        assert_eq!(base.session_id.as_deref(), Some("s"));
        assert_eq!(base.tags, vec!["x", "y"]);
    }

    #[test]
    fn many_tags_keep_first_seen_order_without_duplicates() {
        let mut attributes = TraceAttributes { tags: vec!["b".into()], ..Default::default() };
        attributes.add_tags((0..50_000).map(|i| format!("t{}", i % 25_000)).chain(["b".to_owned(), "a".to_owned()]));
        assert_eq!(attributes.tags.len(), 25_002);
        assert_eq!(attributes.tags[..3], ["b", "t0", "t1"]);
        assert_eq!(attributes.tags.last().map(String::as_str), Some("a"));
    }
}
