//! [`Json`]: the answer must hold valid JSON (with required top-level keys).

use serde_json::Value;

use crate::scan::{Finding, Scan, ScanContext, Scanner};

/// Rejects answers without a valid JSON value: the whole answer, else the first
/// `` ```json `` fenced block, else the text from the first `{` or `[` to the last `}`
/// or `]`. With required keys, the value must be an object holding each of them.
/// Does not repair JSON.
#[derive(Debug, Clone, Default)]
pub struct Json {
    required_keys: Vec<String>,
}

impl Json {
    /// Any valid JSON value.
    pub fn new() -> Self {
        Self::default()
    }

    /// An object with each of `keys` at the top level.
    pub fn required_keys<S: Into<String>>(mut self, keys: impl IntoIterator<Item = S>) -> Self {
        self.required_keys = keys.into_iter().map(Into::into).collect();
        self
    }
}

impl Scanner for Json {
    fn name(&self) -> &str {
        "json"
    }

    fn scan<'t>(&self, text: &'t str, _: &ScanContext<'_>) -> Scan<'t> {
        let finding = |kind: &str| vec![Finding { kind: kind.to_owned(), span: 0..text.len(), replacement: None }];
        let Some(value) = candidates(text).find_map(|c| serde_json::from_str::<Value>(c).ok()) else {
            return Scan::reject(text, finding("invalid-json"));
        };
        let missing = self.required_keys.iter().any(|key| value.get(key).is_none());
        if missing {
            return Scan::reject(text, finding("missing-key"));
        }
        Scan::clean(text)
    }
}

/// Where a JSON value may be, most specific first.
fn candidates(text: &str) -> impl Iterator<Item = &str> {
    let fenced = text.split_once("```json").and_then(|(_, rest)| rest.split_once("```")).map(|(block, _)| block);
    let start = text.find(['{', '[']);
    let end = text.rfind(['}', ']']);
    let embedded = start.zip(end).filter(|(s, e)| s < e).map(|(s, e)| &text[s..=e]);
    [Some(text), fenced, embedded].into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_json_in_answers() {
        let context = ScanContext::default();
        let cases = [
            (r#"{"a": 1}"#, true),
            ("Here you go:\n```json\n{\"a\": 1, \"b\": 2}\n```\nDone.", true),
            (r#"Result: {"a": 1} as asked"#, true),
            ("[1, 2, 3]", true),
            ("no json here", false),
            (r#"{"a": 1"#, false),
        ];
        for (text, valid) in cases {
            assert_eq!(Json::new().scan(text, &context).valid, valid, "{text:?}");
        }
        let keys = Json::new().required_keys(["a", "b"]);
        assert!(keys.scan(r#"{"a": 1, "b": null}"#, &context).valid);
        let missing = keys.scan(r#"{"a": 1}"#, &context);
        assert!(missing.blocked && missing.findings[0].kind == "missing-key");
    }
}
