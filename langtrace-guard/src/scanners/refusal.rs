//! [`NoRefusalLight`]: flags answers in which the model refuses.

use crate::scan::{Scan, ScanContext, Scanner};
use crate::scanners::BanSubstrings;

/// Rejects answers containing a common refusal phrase ("I'm sorry, but I can't", "As
/// an AI language model", ...; ASCII case-insensitive). **A heuristic**: it misses
/// refusals in other words or languages, and flags answers quoting such a phrase.
#[derive(Debug, Clone)]
pub struct NoRefusalLight {
    phrases: BanSubstrings,
}

impl Default for NoRefusalLight {
    fn default() -> Self {
        NoRefusalLight { phrases: BanSubstrings::refusals() }
    }
}

impl NoRefusalLight {
    /// The built-in phrase list.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Scanner for NoRefusalLight {
    fn name(&self) -> &str {
        self.phrases.name()
    }

    fn scan<'t>(&self, text: &'t str, context: &ScanContext<'_>) -> Scan<'t> {
        self.phrases.scan(text, context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_flagged() {
        let context = ScanContext::default();
        let scanner = NoRefusalLight::new();
        assert!(scanner.scan("I'm sorry, but I can't help with that request.", &context).blocked);
        assert!(scanner.scan("as an ai language model I have no opinion", &context).blocked);
        assert!(scanner.scan("Sure! Here is the summary.", &context).valid);
    }
}
