//! Tracing of a chain: one `guardrail` observation per scanner under the current
//! observation, opened when the scanner starts and closed when the chain ends (its input,
//! the chain's sanitized text, is known only then), and optionally its risk as a
//! `guard.<scanner>` score on that observation.

use langtrace_core::{Level, ObservationHandle, Score};
use serde_json::{json, Map, Value};
use tracing::Span;

use crate::guard::Verdict;

/// What a guard records besides verdicts.
#[derive(Clone, Default)]
pub(crate) struct Recording {
    /// Record the raw text each scanner was given (explicit opt-in).
    pub raw_text: bool,
    /// Record each run's risk as a `guard.<scanner>` score.
    pub scores: bool,
}

/// The observation of one scanner run.
pub(crate) struct ScanRecord {
    span: Span,
    raw_text: bool,
    scores: bool,
}

impl ScanRecord {
    /// Opens the observation (a `tracing` span the langtrace layer maps to type
    /// `GUARDRAIL`, named after the scanner); records `text` only under `raw_text`.
    pub fn start(scanner: &str, recording: &Recording, text: &str) -> Self {
        let span = tracing::info_span!(
            target: "langtrace::guard",
            "guardrail",
            otel.name = scanner,
            langfuse.observation.type = "guardrail",
        );
        if recording.raw_text {
            ObservationHandle::for_span(&span).set_input(text);
        }
        ScanRecord { span, raw_text: recording.raw_text, scores: recording.scores }
    }

    /// Records the verdict (level `WARNING` when invalid) and, unless raw text is
    /// recorded, the chain's sanitized text as input (`None` when the chain stopped
    /// early, since the text may still hold what later scanners would have removed).
    pub fn finish(&self, verdict: &Verdict, sanitized: Option<&str>) {
        let handle = ObservationHandle::for_span(&self.span);
        if !handle.is_recorded() {
            return;
        }
        let findings: Map<String, Value> = verdict.findings.iter().map(|(kind, n)| (kind.clone(), json!(n))).collect();
        handle
            .set_metadata("valid", verdict.valid)
            .set_metadata("risk", verdict.risk)
            .set_metadata("findings", &findings)
            .set_output(json!({ "valid": verdict.valid, "risk": verdict.risk, "findings": findings }));
        if !verdict.valid {
            handle.set_level(Level::Warning).set_status_message(format!(
                "{} found {}",
                verdict.scanner,
                kinds(verdict)
            ));
        }
        if let (false, Some(text)) = (self.raw_text, sanitized) {
            handle.set_input(text);
        }
        if self.scores {
            // LLM Guard's -1 ("no risk") becomes 0, so the score reads as a risk in 0..=1.
            let mut score = Score::new(format!("guard.{}", verdict.scanner), f64::from(verdict.risk.clamp(0.0, 1.0)));
            if !verdict.valid {
                score = score.comment(format!("found {}", kinds(verdict)));
            }
            handle.record_score(score);
        }
    }
}

/// `EMAIL x2, URL` for a status message.
fn kinds(verdict: &Verdict) -> String {
    let parts: Vec<String> =
        verdict.findings.iter().map(|(kind, n)| if *n > 1 { format!("{kind} x{n}") } else { kind.clone() }).collect();
    if parts.is_empty() {
        "a problem".to_owned()
    } else {
        parts.join(", ")
    }
}
