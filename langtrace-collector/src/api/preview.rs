//! Inputs and outputs in lists: previews unless asked for. A list answers each input and
//! output whole when it fits in [`PREVIEW_CHARS`] characters of stored JSON text; a
//! longer one comes as a JSON string holding the first [`PREVIEW_CHARS`] characters of
//! that text followed by [`CUT_MARKER`] and the whole length. `fields=io` (or the detail
//! route) answers the whole value.
//!
//! [`PREVIEW_CHARS`]: crate::store::filter::PREVIEW_CHARS

use serde::Deserialize;
use serde_json::Value;

use super::wire::json_column;
use crate::app::ApiError;
use crate::store::filter::{Io, IoText};

/// What follows a cut preview: `…[truncated: <n> characters in all; ...]`.
pub const CUT_MARKER: &str = "…[truncated: ";

/// The `fields` parameter of a list, `fields=a,b` or repeated.
#[derive(Debug, Default, Deserialize)]
pub struct FieldsQuery {
    /// Field groups.
    #[serde(default, deserialize_with = "super::query::comma_list")]
    pub fields: Vec<String>,
}

impl FieldsQuery {
    /// How the list reads input and output: previews without `fields`, whole with `io`
    /// among them, not at all otherwise. Names outside `known` get 400.
    pub fn io(&self, known: &[&str]) -> Result<Io, ApiError> {
        if let Some(unknown) = self.fields.iter().find(|name| !known.contains(&name.as_str())) {
            return Err(ApiError::BadRequest(format!(
                "unknown fields group {unknown:?}: expected any of {}",
                known.join(", ")
            )));
        }
        Ok(if self.fields.is_empty() {
            Io::Preview
        } else if self.fields.iter().any(|name| name == "io") {
            Io::Full
        } else {
            Io::Omitted
        })
    }
}

/// An input or output as a list answers it: the stored JSON, or the string preview of a
/// cut one.
pub fn io_value(io: &IoText) -> Value {
    match (io.cut_from, io.text.as_deref()) {
        (Some(chars), Some(start)) => Value::String(format!(
            "{start}{CUT_MARKER}{chars} characters in all; fields=io or the detail route has the whole value]"
        )),
        (_, text) => json_column(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::filter::PREVIEW_CHARS;

    #[test]
    fn whole_values_stay_json_and_cut_ones_become_marked_strings() {
        let whole = IoText { text: Some(r#"{"a":[1,2]}"#.into()), cut_from: None };
        assert_eq!(io_value(&whole), serde_json::json!({"a": [1, 2]}));
        let start: String = "é".repeat(PREVIEW_CHARS as usize);
        let cut = IoText { text: Some(start.clone()), cut_from: Some(PREVIEW_CHARS + 5) };
        let Value::String(preview) = io_value(&cut) else { panic!("a string") };
        assert!(preview.starts_with(&start) && preview.contains(CUT_MARKER), "{preview}");
        assert!(preview.contains(&format!("{} characters in all", PREVIEW_CHARS + 5)));
        assert_eq!(io_value(&IoText::default()), Value::Null);
    }

    #[test]
    fn fields_choose_previews_whole_values_or_none() {
        let fields = |names: &[&str]| FieldsQuery { fields: names.iter().map(|n| n.to_string()).collect() };
        let known = ["core", "io", "metrics"];
        assert_eq!(fields(&[]).io(&known).unwrap(), Io::Preview);
        assert_eq!(fields(&["core", "io"]).io(&known).unwrap(), Io::Full);
        assert_eq!(fields(&["core", "metrics"]).io(&known).unwrap(), Io::Omitted);
        assert!(fields(&["everything"]).io(&known).unwrap_err().to_string().contains("core, io, metrics"));
    }
}
