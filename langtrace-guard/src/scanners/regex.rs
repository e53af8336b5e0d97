//! [`Regex`]: user patterns, with a `RegexSet` pass deciding which patterns to run.

use regex::RegexSet;

use crate::scan::{non_overlapping, Finding, Scan, ScanContext, Scanner};
use crate::scanners::substrings::REDACTED;

/// What a match means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegexAction {
    /// A match rejects the text.
    Block,
    /// Each match is replaced with `[REDACTED]`.
    Redact,
    /// The text is rejected unless some pattern matches.
    Require,
}

/// Regular expressions (Rust `regex` syntax: no look-around or back-references, linear
/// time on any input). One `RegexSet` pass tells which patterns match at all; only those
/// run again to locate matches.
#[derive(Debug, Clone)]
pub struct Regex {
    set: RegexSet,
    patterns: Vec<regex::Regex>,
    action: RegexAction,
}

impl Regex {
    /// Compiles `patterns`; the error names the first invalid one.
    pub fn new<S: AsRef<str>>(
        patterns: impl IntoIterator<Item = S>,
        action: RegexAction,
    ) -> Result<Self, regex::Error> {
        let patterns = patterns.into_iter().map(|p| regex::Regex::new(p.as_ref())).collect::<Result<Vec<_>, _>>()?;
        let set = RegexSet::new(patterns.iter().map(regex::Regex::as_str))?;
        Ok(Regex { set, patterns, action })
    }
}

impl Scanner for Regex {
    fn name(&self) -> &str {
        "regex"
    }

    fn scan<'t>(&self, text: &'t str, _: &ScanContext<'_>) -> Scan<'t> {
        let matched = self.set.matches(text);
        if self.action == RegexAction::Require {
            return if matched.matched_any() {
                Scan::clean(text)
            } else {
                Scan::reject(text, vec![Finding { kind: "no-required-match".into(), span: 0..0, replacement: None }])
            };
        }
        let redact = self.action == RegexAction::Redact;
        let findings = matched
            .iter()
            .flat_map(|index| self.patterns[index].find_iter(text).map(move |m| (index, m.range())))
            .filter(|(_, span)| !span.is_empty())
            .map(|(index, span)| Finding {
                kind: format!("pattern-{index}"),
                span,
                replacement: redact.then(|| REDACTED.to_owned()),
            })
            .collect();
        Scan::from_findings(text, non_overlapping(findings), redact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATTERNS: [&str; 2] = [r"\bBearer [A-Za-z0-9._-]+", r"order #\d+"];

    #[test]
    fn each_action() {
        let context = ScanContext::default();
        let block = Regex::new(PATTERNS, RegexAction::Block).unwrap();
        let redact = Regex::new(PATTERNS, RegexAction::Redact).unwrap();
        let require = Regex::new(PATTERNS, RegexAction::Require).unwrap();
        let text = "use Bearer abc.def for order #42";
        let blocked = block.scan(text, &context);
        assert!(blocked.blocked && blocked.sanitized == text && blocked.findings.len() == 2);
        let redacted = redact.scan(text, &context);
        assert_eq!(redacted.sanitized, "use [REDACTED] for [REDACTED]");
        assert_eq!(redacted.findings[1].kind, "pattern-1");
        assert!(require.scan(text, &context).valid);
        assert!(require.scan("nothing here", &context).blocked);
        assert!(block.scan("nothing here", &context).valid);
    }

    #[test]
    fn an_invalid_pattern_is_an_error() {
        let error = Regex::new(["ok", "(unclosed"], RegexAction::Block).unwrap_err();
        assert!(error.to_string().contains("(unclosed"), "{error}");
    }
}
