//! The scanner model: the [`Scanner`] trait every check implements, what one scan
//! returns ([`Scan`], [`Finding`]) and what it sees besides the text ([`ScanContext`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

/// Risk of a scan that found nothing (LLM Guard's convention: -1 is "no risk").
pub const NO_RISK: f32 = -1.0;
/// Risk of a scan that found what it looks for.
pub const FULL_RISK: f32 = 1.0;

/// One check of a prompt or an answer: a built-in scanner or your own (an ONNX
/// classifier, a moderation API, an LLM judge), chained by a [`crate::Guard`].
pub trait Scanner: Send + Sync {
    /// The scanner's name: the name of its guardrail observation and of its score.
    fn name(&self) -> &str;

    /// Scans `text`: the prompt for input scanners, the answer for output scanners (which
    /// also see the prompt in `context`).
    fn scan<'t>(&self, text: &'t str, context: &ScanContext<'_>) -> Scan<'t>;

    /// Whether the scanner puts protected values back into the text (as
    /// [`crate::scanners::Deanonymize`] does). The guard then records the chain's text as
    /// it was before this scanner, so traces never hold the restored values.
    fn reveals(&self) -> bool {
        false
    }

    /// The scanner behind an `Arc`, as [`crate::Guard::input`] and
    /// [`crate::Guard::output`] take them (scanners are shared, not rebuilt).
    fn shared(self) -> Arc<dyn Scanner>
    where
        Self: Sized + 'static,
    {
        Arc::new(self)
    }
}

/// What a scanner sees besides the text.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanContext<'a> {
    /// The (sanitized) prompt, when scanning an answer.
    pub prompt: Option<&'a str>,
}

/// One thing a scanner found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What it is (`EMAIL`, `github-token`, `zero-width`, ...): recorded in traces, never
    /// the value itself.
    pub kind: String,
    /// Where it is, in bytes of the text the scanner was given.
    pub span: Range<usize>,
    /// What replaced it in the sanitized text (`None`: left in place).
    pub replacement: Option<String>,
}

/// The result of one scan.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan<'t> {
    /// The text with every replacement applied (borrowed when nothing changed).
    pub sanitized: Cow<'t, str>,
    /// Whether the text passed (false as soon as something was found, redacted or not).
    pub valid: bool,
    /// Risk score in LLM Guard's convention: -1 for none, else 0..=1.
    pub risk: f32,
    /// Whether the verdict rejects the text (a finding that was not redacted away): the
    /// guard then answers [`crate::Blocked`].
    pub blocked: bool,
    /// What was found.
    pub findings: Vec<Finding>,
}

impl<'t> Scan<'t> {
    /// A scan that found nothing.
    pub fn clean(text: &'t str) -> Self {
        Scan { sanitized: Cow::Borrowed(text), valid: true, risk: NO_RISK, blocked: false, findings: Vec::new() }
    }

    /// A scan that found `findings` and rejects the text as it is.
    pub fn reject(text: &'t str, findings: Vec<Finding>) -> Self {
        Scan { sanitized: Cow::Borrowed(text), valid: false, risk: FULL_RISK, blocked: true, findings }
    }

    /// The verdict for `findings`: clean when empty; else the text with the findings'
    /// replacements applied when `redact`, or rejected as it is.
    pub fn from_findings(text: &'t str, findings: Vec<Finding>, redact: bool) -> Self {
        match (findings.is_empty(), redact) {
            (true, _) => Scan::clean(text),
            (false, false) => Scan::reject(text, findings),
            (false, true) => Scan {
                sanitized: Cow::Owned(apply_replacements(text, &findings)),
                valid: false,
                risk: FULL_RISK,
                blocked: false,
                findings,
            },
        }
    }

    /// Finding kinds and how often each was found (what traces record).
    pub fn finding_counts(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for finding in &self.findings {
            *counts.entry(finding.kind.as_str()).or_insert(0) += 1;
        }
        counts
    }
}

/// `text` with each finding's replacement in place of its span. Findings must be sorted
/// by start and not overlap (see [`non_overlapping`]).
pub fn apply_replacements(text: &str, findings: &[Finding]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for finding in findings {
        if let Some(replacement) = &finding.replacement {
            out.push_str(&text[at..finding.span.start]);
            out.push_str(replacement);
            at = finding.span.end;
        }
    }
    out.push_str(&text[at..]);
    out
}

/// Sorts findings by start and drops those overlapping an earlier one (on a tie the
/// first given wins, so callers list their more specific findings first).
pub fn non_overlapping(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by_key(|f| f.span.start);
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    for finding in findings {
        if kept.last().is_none_or(|last| last.span.end <= finding.span.start) {
            kept.push(finding);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(span: Range<usize>, replacement: &str) -> Finding {
        Finding { kind: "k".into(), span, replacement: Some(replacement.into()) }
    }

    #[test]
    fn replacements_splice_in_order() {
        let text = "call 555 or mail a@b.io now";
        let findings = vec![finding(5..8, "[P]"), finding(17..23, "[E]")];
        assert_eq!(apply_replacements(text, &findings), "call [P] or mail [E] now");
    }

    #[test]
    fn overlapping_findings_keep_the_earlier() {
        let kept = non_overlapping(vec![finding(4..9, "b"), finding(0..5, "a"), finding(9..12, "c")]);
        assert_eq!(kept.iter().map(|f| f.span.clone()).collect::<Vec<_>>(), vec![0..5, 9..12]);
    }

    #[test]
    fn verdicts_follow_findings_and_mode() {
        assert!(Scan::from_findings("x", vec![], true).valid);
        let rejected = Scan::from_findings("abc", vec![finding(0..1, "z")], false);
        assert!(!rejected.valid && rejected.blocked && rejected.sanitized == "abc");
        let redacted = Scan::from_findings("abc", vec![finding(0..1, "z")], true);
        assert!(!redacted.valid && !redacted.blocked && redacted.sanitized == "zbc");
        assert_eq!(redacted.finding_counts().get("k"), Some(&1));
    }
}
