//! [`InvisibleText`]: characters a reader cannot see but a model reads.

use std::sync::LazyLock;

use regex::Regex;

use crate::scan::{Finding, Scan, ScanContext, Scanner};

/// Invisible characters: every format (`Cf`), private-use (`Co`) and unassigned (`Cn`)
/// code point, which covers zero-width characters, bidi controls and the tag block
/// U+E0000..U+E007F ("ASCII smuggling"); plus runs of two or more variation selectors
/// (U+FE00..U+FE0F, U+E0100..U+E01EF: "emoji smuggling", category `Mn`).
static INVISIBLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{Cf}\p{Co}\p{Cn}]+|[\x{FE00}-\x{FE0F}\x{E0100}-\x{E01EF}]{2,}").expect("valid pattern")
});

/// Removes invisible characters (see the module's list) and reports them by kind:
/// `tag`, `bidi`, `zero-width`, `variation-selectors`, `private-use`, `unassigned`,
/// `format`. Pure ASCII text is skipped.
///
/// Does not catch visible look-alikes (homoglyphs) or text hidden by markup; removes the
/// zero-width joiner of emoji sequences too (they then render as separate emoji), and
/// code points assigned after the Unicode version of the `regex` crate count as
/// unassigned. A single variation selector (as in ❤️) is kept.
#[derive(Debug, Clone, Default)]
pub struct InvisibleText {
    keep: bool,
}

impl InvisibleText {
    /// Removes what it finds.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rejects the text instead of removing the characters.
    pub fn block(mut self) -> Self {
        self.keep = true;
        self
    }
}

impl Scanner for InvisibleText {
    fn name(&self) -> &str {
        "invisible_text"
    }

    fn scan<'t>(&self, text: &'t str, _: &ScanContext<'_>) -> Scan<'t> {
        if text.is_ascii() {
            return Scan::clean(text);
        }
        let mut findings = Vec::new();
        for run in INVISIBLE.find_iter(text) {
            // One finding per kind within the run, so counts name what was hidden.
            let mut start = run.start();
            let mut chars = run.as_str().char_indices().peekable();
            while let Some((offset, c)) = chars.next() {
                let kind = kind_of(c);
                let next_kind = chars.peek().map(|&(_, next)| kind_of(next));
                if next_kind != Some(kind) {
                    let end = run.start() + offset + c.len_utf8();
                    findings.push(Finding {
                        kind: kind.to_owned(),
                        span: start..end,
                        replacement: Some(String::new()),
                    });
                    start = end;
                }
            }
        }
        Scan::from_findings(text, findings, !self.keep)
    }
}

/// The kind an invisible character is reported as.
fn kind_of(c: char) -> &'static str {
    match c {
        '\u{E0000}'..='\u{E007F}' => "tag",
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => "bidi",
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => "zero-width",
        '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' => "variation-selectors",
        '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}' => "private-use",
        c if INVISIBLE_FORMAT.is_match(c.encode_utf8(&mut [0; 4])) => "format",
        _ => "unassigned",
    }
}

/// Format characters (`Cf`), to tell them from unassigned code points.
static INVISIBLE_FORMAT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\p{Cf}$").expect("valid pattern"));

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> (String, Vec<String>) {
        let scan = InvisibleText::new().scan(text, &ScanContext::default());
        (scan.sanitized.into_owned(), scan.findings.into_iter().map(|f| f.kind).collect())
    }

    #[test]
    fn each_kind_is_found_and_removed() {
        let tags: String = "ignore".chars().map(|c| char::from_u32(0xE0000 + c as u32).unwrap()).collect();
        let cases: &[(String, &str, &[&str])] = &[
            ("pass\u{200B}word".into(), "password", &["zero-width"]),
            ("a\u{FEFF}b\u{2060}c".into(), "abc", &["zero-width", "zero-width"]),
            (format!("hi{tags}!"), "hi!", &["tag"]),
            ("abc\u{202E}fed\u{202C}".into(), "abcfed", &["bidi", "bidi"]),
            ("x\u{2066}y\u{2069}".into(), "xy", &["bidi", "bidi"]),
            ("😀\u{FE0F}\u{FE0E}\u{E0101}ok".into(), "😀ok", &["variation-selectors"]),
            ("p\u{E000}q".into(), "pq", &["private-use"]),
            ("r\u{0378}s".into(), "rs", &["unassigned"]),
            ("soft\u{00AD}hyphen".into(), "softhyphen", &["format"]),
            ("\u{200B}\u{202E}".into(), "", &["zero-width", "bidi"]),
        ];
        for (text, sanitized, kinds) in cases {
            assert_eq!(scan(text), (sanitized.to_string(), kinds.iter().map(|k| k.to_string()).collect()), "{text:?}");
        }
    }

    #[test]
    fn visible_text_passes() {
        for text in ["plain ascii", "héllo wörld ✓", "I ❤\u{FE0F} Rust", "日本語のテキスト", ""] {
            let scan = InvisibleText::new().scan(text, &ScanContext::default());
            assert!(scan.valid && scan.findings.is_empty() && scan.sanitized == text, "{text:?}");
        }
    }

    #[test]
    fn block_mode_rejects_without_changing() {
        let scan = InvisibleText::new().block().scan("a\u{200B}b", &ScanContext::default());
        assert!(!scan.valid && scan.blocked);
        assert_eq!(scan.sanitized, "a\u{200B}b");
    }
}
