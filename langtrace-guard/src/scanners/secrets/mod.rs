//! [`Secrets`]: API keys, tokens and private keys, found with the project's rule table
//! (`rules.rs`): a keyword prefilter, a pattern and an entropy floor per rule.

mod rules;

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use regex::Regex;
use sha2::{Digest, Sha256};

use crate::scan::{apply_replacements, non_overlapping, Finding, Scan, ScanContext, Scanner};
use rules::{Rule, RULES};

/// How a found secret is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RedactMode {
    /// `******`.
    #[default]
    All,
    /// The first and last two characters kept: `sk..9Q` (`******` under 8 characters).
    Partial,
    /// The lower-case hex SHA-256 of the secret (the same secret always gives the same
    /// text, so occurrences can be correlated without revealing it).
    Hash,
}

impl RedactMode {
    /// The replacement of `secret`.
    pub fn replace(self, secret: &str) -> String {
        match self {
            RedactMode::All => "******".to_owned(),
            RedactMode::Partial => {
                let chars: Vec<char> = secret.chars().collect();
                match chars.len() {
                    0..8 => "******".to_owned(),
                    n => format!("{}{}..{}{}", chars[0], chars[1], chars[n - 2], chars[n - 1]),
                }
            }
            RedactMode::Hash => hex::encode(Sha256::digest(secret.as_bytes())),
        }
    }
}

/// The compiled rule table, shared by every [`Secrets`] scanner and by the facade's
/// `mask::secrets()`.
struct Table {
    prefilter: AhoCorasick,
    /// For each prefilter pattern, the rule it belongs to.
    keyword_rule: Vec<usize>,
    patterns: Vec<Regex>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let (keywords, keyword_rule): (Vec<&str>, Vec<usize>) =
        RULES.iter().enumerate().flat_map(|(i, rule)| rule.keywords.iter().map(move |k| (*k, i))).unzip();
    Table {
        prefilter: AhoCorasickBuilder::new().ascii_case_insensitive(true).build(keywords).expect("keyword automaton"),
        keyword_rule,
        patterns: RULES.iter().map(|rule| Regex::new(rule.pattern).expect("valid rule pattern")).collect(),
    }
});

/// Finds secrets: provider-prefixed API keys (OpenAI, Anthropic, Google/Gemini, AWS,
/// Azure, GitHub, GitLab, Slack, Stripe, Twilio, SendGrid), PEM private key blocks, JWTs
/// and generic high-entropy values assigned to a key-like name (`api_key = ...`,
/// `"password": "..."`), and replaces them ([`RedactMode`]).
///
/// Does not catch secrets without a recognisable prefix or assignment (a bare random
/// string), secrets split across lines or encoded (base64 of a key), or low-entropy
/// passwords (`password=hunter2hunter2` is below the floor on purpose).
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    mode: RedactMode,
}

impl Secrets {
    /// Redacts fully (`******`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Chooses how secrets are replaced.
    pub fn redact(mut self, mode: RedactMode) -> Self {
        self.mode = mode;
        self
    }

    /// The secrets in `text`, sorted and not overlapping, replaced per `mode`.
    pub fn find(text: &str, mode: RedactMode) -> Vec<Finding> {
        let table = &*TABLE;
        let mut triggered = vec![false; RULES.len()];
        for keyword in table.prefilter.find_overlapping_iter(text) {
            triggered[table.keyword_rule[keyword.pattern().as_usize()]] = true;
        }
        let mut findings = Vec::new();
        for (index, rule) in RULES.iter().enumerate().filter(|(i, _)| triggered[*i]) {
            let pattern = &table.patterns[index];
            for whole in pattern.find_iter(text) {
                // Capture groups only within the match: capturing over the whole text
                // takes a slower engine.
                let secret = match pattern.captures(whole.as_str()).and_then(|c| c.get(1)) {
                    Some(group) => whole.start() + group.start()..whole.start() + group.end(),
                    None => whole.range(),
                };
                if passes_entropy(rule, &text[secret.clone()]) {
                    findings.push(Finding {
                        kind: rule.id.to_owned(),
                        replacement: Some(mode.replace(&text[secret.clone()])),
                        span: secret,
                    });
                }
            }
        }
        non_overlapping(findings)
    }
}

impl Scanner for Secrets {
    fn name(&self) -> &str {
        "secrets"
    }

    fn scan<'t>(&self, text: &'t str, _: &ScanContext<'_>) -> Scan<'t> {
        Scan::from_findings(text, Secrets::find(text, self.mode), true)
    }
}

/// The secrets of `text` replaced by `[SECRET]`: what the facade's `mask::secrets()`
/// records.
pub fn mask_secrets(text: &str) -> Cow<'_, str> {
    let findings = Secrets::find(text, RedactMode::All);
    if findings.is_empty() {
        return Cow::Borrowed(text);
    }
    let findings: Vec<Finding> =
        findings.into_iter().map(|f| Finding { replacement: Some("[SECRET]".to_owned()), ..f }).collect();
    Cow::Owned(apply_replacements(text, &findings))
}

fn passes_entropy(rule: &Rule, secret: &str) -> bool {
    // PEM bodies: the base64 between the armour lines.
    let body = secret.lines().filter(|line| !line.starts_with("-----")).collect::<String>();
    let measured = if body.is_empty() { secret } else { &body };
    shannon_entropy(measured) >= rule.min_entropy
}

/// Shannon entropy of `text` in bits per character.
pub fn shannon_entropy(text: &str) -> f32 {
    let mut counts = [0u32; 256];
    let mut total = 0u32;
    for byte in text.bytes() {
        counts[byte as usize] += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = n as f32 / total as f32;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests;
