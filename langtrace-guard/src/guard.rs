//! [`Guard`]: chains of input and output scanners, run with the sanitized text flowing
//! from one scanner to the next, each traced as a guardrail observation.

use std::sync::Arc;

use crate::scan::{ScanContext, Scanner, NO_RISK};
use crate::trace::{Recording, ScanRecord};

/// A text a scanner rejected: the error of [`Guard::scan_input`] and
/// [`Guard::scan_output`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("blocked by the {scanner} scanner (risk {risk})")]
pub struct Blocked {
    /// The name of the scanner that rejected the text (the first one, without fail-fast).
    pub scanner: String,
    /// Its risk score.
    pub risk: f32,
}

/// A text that passed a chain of scanners.
#[derive(Debug, Clone, PartialEq)]
pub struct Scanned {
    /// The sanitized text: send this to the model (input) or to the user (output).
    pub text: String,
    /// Each scanner's verdict, in chain order.
    pub verdicts: Vec<Verdict>,
}

impl Scanned {
    /// Whether every scanner found nothing.
    pub fn is_clean(&self) -> bool {
        self.verdicts.iter().all(|v| v.valid)
    }

    /// The highest risk of the chain (-1 when nothing was found).
    pub fn max_risk(&self) -> f32 {
        self.verdicts.iter().map(|v| v.risk).fold(NO_RISK, f32::max)
    }
}

/// One scanner's verdict within a chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The scanner's name.
    pub scanner: String,
    /// Whether it found nothing.
    pub valid: bool,
    /// Its risk score.
    pub risk: f32,
    /// Finding kinds and counts.
    pub findings: Vec<(String, usize)>,
}

/// Input and output scanner chains.
///
/// ```
/// use langtrace_guard::{Guard, Scanner, scanners::{InvisibleText, Pii, Secrets, Deanonymize, Vault}};
///
/// let vault = Vault::new();
/// let guard = Guard::new()
///     .input([InvisibleText::new().shared(), Secrets::new().shared(), Pii::new(vault.clone()).shared()])
///     .output([Deanonymize::new(vault).shared()]);
/// let prompt = guard.scan_input("Mail bob@example.com the report").unwrap();
/// assert_eq!(prompt.text, "Mail [REDACTED_EMAIL_1] the report");
/// let answer = guard.scan_output(&prompt.text, "Sent to [REDACTED_EMAIL_1].").unwrap();
/// assert_eq!(answer.text, "Sent to bob@example.com.");
/// ```
#[derive(Clone, Default)]
pub struct Guard {
    input: Vec<Arc<dyn Scanner>>,
    output: Vec<Arc<dyn Scanner>>,
    fail_fast: bool,
    recording: Recording,
}

impl Guard {
    /// A guard without scanners (every text passes).
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends input scanners, run in order by [`Guard::scan_input`].
    pub fn input(mut self, scanners: impl IntoIterator<Item = Arc<dyn Scanner>>) -> Self {
        self.input.extend(scanners);
        self
    }

    /// Appends output scanners, run in order by [`Guard::scan_output`].
    pub fn output(mut self, scanners: impl IntoIterator<Item = Arc<dyn Scanner>>) -> Self {
        self.output.extend(scanners);
        self
    }

    /// Stops at the first scanner that rejects the text (the later ones neither run nor
    /// appear in the trace). Default: every scanner runs.
    pub fn fail_fast(mut self, fail_fast: bool) -> Self {
        self.fail_fast = fail_fast;
        self
    }

    /// Records the raw text each scanner was given as its observation's input. Off by
    /// default: the raw text holds exactly the secrets and PII the scanners catch, so
    /// only the chain's sanitized text is recorded.
    pub fn record_raw_text(mut self, raw: bool) -> Self {
        self.recording.raw_text = raw;
        self
    }

    /// Records each scanner run's risk as a numeric score `guard.<scanner>` (0 to 1;
    /// LLM Guard's -1, "no risk", becomes 0) on its guardrail observation, with the
    /// finding kinds as comment when it found something. The scores travel with the
    /// trace through the pipeline (in recorded traces only); the OTLP bridge sends them
    /// to the Langfuse scores API. Default: off.
    pub fn record_scores(mut self, scores: bool) -> Self {
        self.recording.scores = scores;
        self
    }

    /// Runs the input chain on `prompt`.
    pub fn scan_input(&self, prompt: &str) -> Result<Scanned, Blocked> {
        self.run(&self.input, prompt, ScanContext::default())
    }

    /// Runs the output chain on `answer`; the scanners also see `prompt`.
    pub fn scan_output(&self, prompt: &str, answer: &str) -> Result<Scanned, Blocked> {
        self.run(&self.output, answer, ScanContext { prompt: Some(prompt) })
    }

    fn run(&self, chain: &[Arc<dyn Scanner>], text: &str, context: ScanContext<'_>) -> Result<Scanned, Blocked> {
        let mut current = text.to_owned();
        let mut records = Vec::with_capacity(chain.len());
        let mut blocked: Option<Blocked> = None;
        // The text traces may hold: the chain's result, or the text before the first
        // scanner that restores protected values.
        let mut recordable: Option<String> = None;
        for scanner in chain {
            if scanner.reveals() && recordable.is_none() {
                recordable = Some(current.clone());
            }
            let record = ScanRecord::start(scanner.name(), &self.recording, &current);
            let scan = scanner.scan(&current, &context);
            let verdict = Verdict {
                scanner: scanner.name().to_owned(),
                valid: scan.valid,
                risk: scan.risk,
                findings: scan.finding_counts().into_iter().map(|(k, n)| (k.to_owned(), n)).collect(),
            };
            if scan.blocked && blocked.is_none() {
                blocked = Some(Blocked { scanner: verdict.scanner.clone(), risk: scan.risk });
            }
            let sanitized = scan.sanitized.into_owned();
            records.push((record, verdict));
            current = sanitized;
            if blocked.is_some() && self.fail_fast {
                break;
            }
        }
        let complete = records.len() == chain.len();
        let recordable = recordable.as_deref().unwrap_or(&current);
        for (record, verdict) in &records {
            record.finish(verdict, complete.then_some(recordable));
        }
        match blocked {
            Some(blocked) => Err(blocked),
            None => Ok(Scanned { text: current, verdicts: records.into_iter().map(|(_, v)| v).collect() }),
        }
    }
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = |chain: &[Arc<dyn Scanner>]| chain.iter().map(|s| s.name().to_owned()).collect::<Vec<_>>();
        f.debug_struct("Guard")
            .field("input", &names(&self.input))
            .field("output", &names(&self.output))
            .field("fail_fast", &self.fail_fast)
            .field("raw_text", &self.recording.raw_text)
            .field("scores", &self.recording.scores)
            .finish()
    }
}
