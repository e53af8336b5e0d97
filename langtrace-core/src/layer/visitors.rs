//! Field visitors: what the layer reads of a span's fields.

use std::fmt;

use serde_json::Value;
use tracing_core::field::{Field, Visit};

use crate::draft::ObservationState;
use crate::record::{Level, ObservationType};
use crate::vocab::fields;

/// Reads the fields `#[observe]` puts on its spans.
pub(super) struct ObserveFields<'a>(pub(super) &'a mut ObservationState);

impl Visit for ObserveFields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            fields::AS_TYPE => {
                if let Some(ty) = ObservationType::parse(value) {
                    self.0.observation_type = ty;
                }
            }
            fields::MODEL => self.0.model = Some(value.to_owned()),
            fields::LEVEL => {
                if let Some(level) = Level::parse_alias(value) {
                    self.0.level = level;
                }
            }
            _ => {}
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn fmt::Debug) {}
}

/// Collects the fields of a foreign span as JSON values for the convention mapper.
pub(super) struct ForeignFields<'a>(pub(super) &'a mut Vec<(&'static str, Value)>);

impl ForeignFields<'_> {
    fn put(&mut self, field: &Field, value: Value) {
        self.0.push((field.name(), value));
    }
}

impl Visit for ForeignFields<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, value.to_string().into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, format!("{value:?}").into());
    }
}
