//! `GET /metrics`: the collector's gauges and counters in Prometheus' text exposition
//! format (0.0.4), behind the same keys as every route (Prometheus sends them with
//! `basic_auth`), each value the calling key's project's. Each metric is a [`Sample`];
//! [`render`] writes any list of them, so other metrics join by adding samples.

use std::fmt::Write;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::forwarding::project_totals;
use crate::app::{ApiError, AppState, Authed};

/// How a metric behaves over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only goes up (until a restart of what it counts).
    Counter,
    /// Goes up and down.
    Gauge,
}

/// One metric with one value (no labels).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The metric's name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
    pub name: &'static str,
    /// One line of help text.
    pub help: &'static str,
    /// Counter or gauge.
    pub kind: Kind,
    /// The value.
    pub value: f64,
}

/// The exposition text of `samples`: `# HELP`, `# TYPE`, then the value, for each.
pub fn render(samples: &[Sample]) -> String {
    let mut text = String::new();
    for sample in samples {
        let kind = match sample.kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
        };
        // Writing to a String cannot fail.
        let _ = writeln!(text, "# HELP {} {}", sample.name, sample.help);
        let _ = writeln!(text, "# TYPE {} {kind}", sample.name);
        let _ = writeln!(text, "{} {}", sample.name, sample.value);
    }
    text
}

/// The content type of the text format.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>, Authed(project): Authed) -> Result<impl IntoResponse, ApiError> {
    let (totals, lag) = project_totals(&state, project.id).await?;
    let samples = [
        Sample {
            name: "langtrace_forward_enabled",
            help: "1 when spans are forwarded to an upstream OTLP endpoint.",
            kind: Kind::Gauge,
            value: if state.forward.is_some() { 1.0 } else { 0.0 },
        },
        Sample {
            name: "langtrace_forward_pending_spans",
            help: "Spans received and not yet delivered upstream.",
            kind: Kind::Gauge,
            value: totals.pending_spans as f64,
        },
        Sample {
            name: "langtrace_forward_delivered_spans_total",
            help: "Spans the upstream accepted.",
            kind: Kind::Counter,
            value: totals.delivered_spans as f64,
        },
        Sample {
            name: "langtrace_forward_dropped_spans_total",
            help: "Spans given up: refused by the upstream, or dropped past the backlog cap.",
            kind: Kind::Counter,
            value: totals.dropped_spans as f64,
        },
        Sample {
            name: "langtrace_forward_lag_seconds",
            help: "Age of the oldest span not yet delivered upstream (0 when none waits).",
            kind: Kind::Gauge,
            value: lag,
        },
    ];
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], render(&samples)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_render_with_help_and_type() {
        let samples = [
            Sample { name: "a_total", help: "As.", kind: Kind::Counter, value: 3.0 },
            Sample { name: "b", help: "B now.", kind: Kind::Gauge, value: 0.25 },
        ];
        assert_eq!(
            render(&samples),
            "# HELP a_total As.\n# TYPE a_total counter\na_total 3\n# HELP b B now.\n# TYPE b gauge\nb 0.25\n"
        );
    }
}
