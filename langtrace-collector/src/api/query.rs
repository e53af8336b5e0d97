//! Typed query strings: [`Query<T>`] deserializes the whole query string into `T` with
//! repeated keys kept (`tags=a&tags=b` into a `Vec`), and a bad value answers 400 naming
//! the parameter. Helpers for the value kinds the API takes: comma-separated lists and
//! ISO-8601 times.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;

use crate::app::ApiError;
use crate::time::parse_time;

/// The request's query string as `T`.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default();
        let deserializer = serde_html_form::Deserializer::from_bytes(raw.as_bytes());
        serde_path_to_error::deserialize(deserializer)
            .map(Query)
            .map_err(|error| ApiError::BadRequest(format!("query parameter {}: {}", error.path(), error.inner())))
    }
}

/// Every value of a repeated parameter, comma-separated values split too
/// (`environment=a,b&environment=c`), blanks dropped.
pub fn comma_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    let values = Vec::<String>::deserialize(deserializer)?;
    Ok(values
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .collect())
}

/// An ISO-8601 time parameter, as nanoseconds since the epoch.
pub fn iso_time<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|text| {
            parse_time(&text).ok_or_else(|| serde::de::Error::custom(format!("must be an ISO-8601 time, got {text:?}")))
        })
        .transpose()
}

/// `true` only for the text `true` (Langfuse's boolean parameters).
pub fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.map(|text| text == "true"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Sample {
        #[serde(default, deserialize_with = "comma_list")]
        tags: Vec<String>,
        #[serde(default, deserialize_with = "iso_time")]
        from: Option<i64>,
        page: Option<u32>,
    }

    fn parse(raw: &str) -> Result<Sample, String> {
        let deserializer = serde_html_form::Deserializer::from_bytes(raw.as_bytes());
        serde_path_to_error::deserialize(deserializer).map_err(|e| format!("{}: {}", e.path(), e.inner()))
    }

    #[test]
    fn repeated_and_comma_separated_values_and_named_errors() {
        let sample = parse("tags=a&tags=b,c&tags=&page=2&from=2023-11-14T22:13:20Z").unwrap();
        assert_eq!(sample.tags, ["a", "b", "c"]);
        assert_eq!((sample.page, sample.from), (Some(2), Some(1_700_000_000_000_000_000)));
        assert!(parse("tags=one").unwrap().tags == ["one"]);
        assert!(parse("page=two").unwrap_err().starts_with("page:"));
        assert!(parse("from=yesterday").unwrap_err().contains("ISO-8601"));
    }
}
