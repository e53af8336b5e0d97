//! Size checks: [`TokenLimit`] on prompts, [`ReadingTime`] on answers.

use std::borrow::Cow;

use crate::scan::{Finding, Scan, ScanContext, Scanner, FULL_RISK};

/// How tokens are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// One token per 4 characters, rounded up: a documented approximation for English
    /// text and OpenAI's tokenizers (code, numbers and other scripts run higher).
    #[default]
    Characters,
    /// `cl100k_base` (GPT-4, GPT-3.5), exact (cargo feature `tiktoken`).
    #[cfg(feature = "tiktoken")]
    Cl100kBase,
    /// `o200k_base` (GPT-4o, o1, o3, GPT-4.1), exact (cargo feature `tiktoken`).
    #[cfg(feature = "tiktoken")]
    O200kBase,
}

impl Encoding {
    /// The token count of `text`.
    pub fn count(self, text: &str) -> usize {
        match self {
            Encoding::Characters => text.chars().count().div_ceil(4),
            #[cfg(feature = "tiktoken")]
            Encoding::Cl100kBase => tiktoken_rs::cl100k_base_singleton().encode_with_special_tokens(text).len(),
            #[cfg(feature = "tiktoken")]
            Encoding::O200kBase => tiktoken_rs::o200k_base_singleton().encode_with_special_tokens(text).len(),
        }
    }
}

/// Rejects prompts over a token budget (or truncates them to it).
#[derive(Debug, Clone)]
pub struct TokenLimit {
    limit: usize,
    encoding: Encoding,
    truncate: bool,
}

impl TokenLimit {
    /// At most `limit` tokens, counted with [`Encoding::Characters`].
    pub fn new(limit: usize) -> Self {
        TokenLimit { limit, encoding: Encoding::default(), truncate: false }
    }

    /// Counts with `encoding`.
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Cuts the text to the budget instead of rejecting it.
    pub fn truncate(mut self, truncate: bool) -> Self {
        self.truncate = truncate;
        self
    }
}

impl Scanner for TokenLimit {
    fn name(&self) -> &str {
        "token_limit"
    }

    fn scan<'t>(&self, text: &'t str, _: &ScanContext<'_>) -> Scan<'t> {
        if self.encoding.count(text) <= self.limit {
            return Scan::clean(text);
        }
        // The longest prefix within the budget (counts grow with length: binary search).
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let fits = boundaries.partition_point(|&end| self.encoding.count(&text[..end]) <= self.limit);
        let cut = boundaries[fits.saturating_sub(1)];
        over_budget(text, cut, "token-limit", self.truncate)
    }
}

/// Rejects answers that take longer than `max_minutes` to read (or truncates them).
#[derive(Debug, Clone)]
pub struct ReadingTime {
    max_minutes: f32,
    words_per_minute: f32,
    truncate: bool,
}

impl ReadingTime {
    /// At most `max_minutes` at 200 words per minute.
    pub fn new(max_minutes: f32) -> Self {
        ReadingTime { max_minutes, words_per_minute: 200.0, truncate: false }
    }

    /// Reading speed (default 200 words per minute).
    pub fn words_per_minute(mut self, words: f32) -> Self {
        self.words_per_minute = words;
        self
    }

    /// Cuts the answer to the time instead of rejecting it.
    pub fn truncate(mut self, truncate: bool) -> Self {
        self.truncate = truncate;
        self
    }
}

impl Scanner for ReadingTime {
    fn name(&self) -> &str {
        "reading_time"
    }

    fn scan<'t>(&self, text: &'t str, _: &ScanContext<'_>) -> Scan<'t> {
        let budget = (self.max_minutes * self.words_per_minute).max(0.0) as usize;
        match text.split_whitespace().nth(budget) {
            None => Scan::clean(text),
            Some(first_over) => {
                let cut = first_over.as_ptr() as usize - text.as_ptr() as usize;
                over_budget(text, cut, "reading-time", self.truncate)
            }
        }
    }
}

/// The verdict on a text over budget from byte `cut` on.
fn over_budget<'t>(text: &'t str, cut: usize, kind: &str, truncate: bool) -> Scan<'t> {
    let finding = Finding { kind: kind.to_owned(), span: cut..text.len(), replacement: truncate.then(String::new) };
    if !truncate {
        return Scan::reject(text, vec![finding]);
    }
    Scan {
        sanitized: Cow::Owned(text[..cut].trim_end().to_owned()),
        valid: false,
        risk: FULL_RISK,
        blocked: false,
        findings: vec![finding],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_limit_rejects_or_truncates() {
        let context = ScanContext::default();
        assert!(TokenLimit::new(3).scan("twelve chars", &context).valid);
        let over = TokenLimit::new(2).scan("twelve chars", &context);
        assert!(over.blocked && over.findings[0].span == (8..12));
        let cut = TokenLimit::new(2).truncate(true).scan("twelve chars", &context);
        assert_eq!((cut.sanitized.as_ref(), cut.blocked, cut.valid), ("twelve c", false, false));
        assert_eq!(Encoding::Characters.count("ééé"), 1);
    }

    #[test]
    fn reading_time_counts_words() {
        let context = ScanContext::default();
        let text = "one two three four five";
        assert!(ReadingTime::new(1.0).words_per_minute(5.0).scan(text, &context).valid);
        assert!(ReadingTime::new(1.0).words_per_minute(4.0).scan(text, &context).blocked);
        let cut = ReadingTime::new(0.5).words_per_minute(4.0).truncate(true).scan(text, &context);
        assert_eq!(cut.sanitized, "one two");
    }

    #[cfg(feature = "tiktoken")]
    #[test]
    fn tiktoken_counts_exactly() {
        assert_eq!(Encoding::Cl100kBase.count("hello world"), 2);
        assert_eq!(Encoding::O200kBase.count("hello world"), 2);
    }
}
