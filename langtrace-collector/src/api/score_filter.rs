//! The `score` parameter of the observation lists and export (langtrace's own):
//! `score=NAME OP VALUE` with `OP` one of `>=`, `>`, `<=`, `<`, `=`
//! (`score=helpful>=0.8`), repeated for several conditions that must all hold. An
//! observation matches when a numeric score of that name on it, or on its trace as a
//! whole, compares as asked.

use serde::de::{Deserializer, Error as _};
use serde::Deserialize;

use crate::app::ApiError;
use crate::store::score_threshold::{Comparison, ScoreThreshold};

/// The operators, longest first so `>=` is not read as `>`.
const OPERATORS: [(&str, Comparison); 5] = [
    (">=", Comparison::AtLeast),
    ("<=", Comparison::AtMost),
    (">", Comparison::Above),
    ("<", Comparison::Below),
    ("=", Comparison::Equal),
];

/// Reads one `score` value; 400 naming the parameter and its syntax otherwise.
pub fn parse(text: &str) -> Result<ScoreThreshold, ApiError> {
    let malformed = || {
        ApiError::BadRequest(format!(
            "score must be NAME OP NUMBER with OP one of >=, >, <=, <, = (e.g. score=helpful>=0.8), got {text:?}"
        ))
    };
    let at = text.find(['<', '>', '=']).ok_or_else(malformed)?;
    let (name, rest) = (text[..at].trim(), &text[at..]);
    let (operator, comparison) =
        OPERATORS.iter().find(|(operator, _)| rest.starts_with(operator)).ok_or_else(malformed)?;
    let value: f64 = rest[operator.len()..].trim().parse().map_err(|_| malformed())?;
    if name.is_empty() || !value.is_finite() {
        return Err(malformed());
    }
    Ok(ScoreThreshold { name: name.to_owned(), comparison: *comparison, value })
}

/// Every `score` value of a query string, parsed (a serde `deserialize_with` helper).
pub fn thresholds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<ScoreThreshold>, D::Error> {
    let texts = Vec::<String>::deserialize(deserializer)?;
    texts.iter().map(|text| parse(text).map_err(|error| D::Error::custom(error.to_string()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_and_their_errors() {
        let threshold = parse("helpful>=0.8").unwrap();
        assert_eq!(
            (threshold.name.as_str(), threshold.comparison, threshold.value),
            ("helpful", Comparison::AtLeast, 0.8)
        );
        assert_eq!(parse(" toxicity < 0.1 ").unwrap().comparison, Comparison::Below);
        assert_eq!(parse("rank=2").unwrap().comparison, Comparison::Equal);
        assert_eq!(parse("rank>-1").unwrap().value, -1.0);
        for bad in ["helpful", ">=0.8", "helpful>=", "helpful>=high", "helpful=>1", "helpful>=NaN", "helpful>=inf"] {
            let message = parse(bad).unwrap_err().to_string();
            assert!(message.starts_with("score must be NAME OP NUMBER"), "{bad}: {message}");
        }
    }
}
