//! A sink that prints each finished trace as an indented tree: type, name, level,
//! duration, model, tokens and cost, and each score as a line. What `init()` uses when no
//! endpoint is configured.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::io::Write;

use super::{Sink, SinkError};
use crate::ids::{ObservationId, TraceId};
use crate::record::{Level, ObservationRecord, Record, ScoreRecord, ScoreValue, TraceRecord};

/// Traces whose root has not finished yet, kept at most; older ones are printed partially.
const MAX_PENDING_TRACES: usize = 1024;

/// Prints finished traces as trees to stdout or any writer.
pub struct ConsoleSink {
    out: Box<dyn Write + Send>,
    pending: HashMap<TraceId, Vec<ObservationRecord>>,
    order: VecDeque<TraceId>,
}

impl ConsoleSink {
    /// Prints to standard output.
    pub fn new() -> Self {
        Self::to_writer(std::io::stdout())
    }

    /// Prints to `out` (a file, a buffer shared with a test, ...).
    pub fn to_writer(out: impl Write + Send + 'static) -> Self {
        Self { out: Box::new(out), pending: HashMap::new(), order: VecDeque::new() }
    }

    fn print(&mut self, text: &str) -> Result<(), SinkError> {
        self.out.write_all(text.as_bytes()).map_err(|e| SinkError(e.to_string()))
    }
}

impl Default for ConsoleSink {
    fn default() -> Self {
        Self::new()
    }
}

impl Sink for ConsoleSink {
    fn export(&mut self, batch: &[Record]) -> Result<(), SinkError> {
        for record in batch {
            match record {
                Record::Observation(observation) => {
                    let id = observation.trace_id;
                    if !self.pending.contains_key(&id) {
                        self.order.push_back(id);
                    }
                    self.pending.entry(id).or_default().push(observation.clone());
                }
                Record::Trace(trace) => {
                    let observations = self.pending.remove(&trace.id).unwrap_or_default();
                    self.order.retain(|id| *id != trace.id);
                    let text = render_trace(trace, &observations);
                    self.print(&text)?;
                }
                Record::Score(score) => {
                    let text = render_score(score);
                    self.print(&text)?;
                }
            }
        }
        while self.order.len() > MAX_PENDING_TRACES {
            if let Some(id) = self.order.pop_front() {
                self.pending.remove(&id);
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        self.out.flush().map_err(|e| SinkError(e.to_string()))
    }
}

/// Renders one trace and its observations as an indented tree.
pub fn render_trace(trace: &TraceRecord, observations: &[ObservationRecord]) -> String {
    let attributes = &trace.attributes;
    let mut out = format!(
        "TRACE {} {} [{}] env={}",
        attributes.name.as_deref().unwrap_or("(unnamed)"),
        trace.id,
        format_duration(trace.end_time.duration_since(trace.start_time)),
        trace.environment
    );
    let mut field = |label: &str, value: Option<&str>| {
        if let Some(value) = value {
            let _ = write!(out, " {label}={value}");
        }
    };
    field("user", attributes.user_id.as_deref());
    field("session", attributes.session_id.as_deref());
    field("release", attributes.release.as_deref());
    field("version", attributes.version.as_deref());
    if !attributes.tags.is_empty() {
        let _ = write!(out, " tags={}", attributes.tags.join(","));
    }
    out.push('\n');

    let known: std::collections::HashSet<ObservationId> = observations.iter().map(|o| o.id).collect();
    let mut children: HashMap<Option<ObservationId>, Vec<&ObservationRecord>> = HashMap::new();
    for observation in observations {
        let parent = observation.parent_id.filter(|p| known.contains(p));
        children.entry(parent).or_default().push(observation);
    }
    for siblings in children.values_mut() {
        siblings.sort_by_key(|o| (o.start_time, o.end_time));
    }
    render_children(&mut out, &children, None, "");
    out
}

/// Renders one score as a line: `SCORE accuracy=0.9 trace=… observation=… "comment"`.
pub fn render_score(score: &ScoreRecord) -> String {
    let mut line = match &score.value {
        ScoreValue::Numeric(value) => format!("SCORE {}={value}", score.name),
        ScoreValue::Boolean(value) => format!("SCORE {}={value}", score.name),
        ScoreValue::Categorical(value) => format!("SCORE {}={value:?}", score.name),
    };
    let _ = write!(line, " trace={}", score.trace_id);
    if let Some(observation) = score.observation_id {
        let _ = write!(line, " observation={observation}");
    }
    if let Some(comment) = &score.comment {
        let _ = write!(line, " {comment:?}");
    }
    line.push('\n');
    line
}

fn render_children(
    out: &mut String,
    children: &HashMap<Option<ObservationId>, Vec<&ObservationRecord>>,
    parent: Option<ObservationId>,
    indent: &str,
) {
    let Some(siblings) = children.get(&parent) else { return };
    for (i, observation) in siblings.iter().enumerate() {
        let last = i + 1 == siblings.len();
        let _ = writeln!(out, "{indent}{}{}", if last { "└─ " } else { "├─ " }, describe(observation));
        let deeper = format!("{indent}{}", if last { "   " } else { "│  " });
        render_children(out, children, Some(observation.id), &deeper);
    }
}

fn describe(o: &ObservationRecord) -> String {
    let mut line = format!("{} {}", o.observation_type, o.name);
    if let Some(model) = &o.model {
        let _ = write!(line, " ({model})");
    }
    if o.level != Level::Default {
        let _ = write!(line, " {}", o.level);
    }
    if let Some(message) = &o.status_message {
        let _ = write!(line, " {message:?}");
    }
    let _ = write!(line, " [{}]", format_duration(o.duration()));
    if let Some(total) = o.total_tokens() {
        let usage = &o.usage_details;
        match (usage.get("input"), usage.get("output")) {
            (Some(input), Some(output)) => {
                let _ = write!(line, " tokens={input}+{output}={total}");
            }
            _ => {
                let _ = write!(line, " tokens={total}");
            }
        }
    }
    if let Some(cost) = o.total_cost() {
        let _ = write!(line, " cost=${cost:.6}");
    }
    if let Some(first) = o.completion_start_time {
        let _ = write!(line, " ttft={}", format_duration(first.duration_since(o.start_time)));
    }
    line
}

fn format_duration(duration: std::time::Duration) -> String {
    let micros = duration.as_micros();
    if micros < 1_000 {
        format!("{micros}µs")
    } else if micros < 1_000_000 {
        format!("{:.1}ms", micros as f64 / 1_000.0)
    } else {
        format!("{:.2}s", duration.as_secs_f64())
    }
}
