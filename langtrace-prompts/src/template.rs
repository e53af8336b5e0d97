//! Langfuse's variable syntax, as its Python SDK reads it: a variable starts at `{{` and
//! ends at the first `}}` after it; its name is the text between, trimmed. There is no
//! escaping and there are no sections. A variable that is not given stays as written,
//! `null` becomes the empty string, a string is inserted as is and any other value as
//! its JSON text.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

const OPEN: &str = "{{";
const CLOSE: &str = "}}";

/// One piece of a template: literal text, or a variable with its name and its text as
/// written (`{{ name }}`).
enum Piece<'a> {
    Text(&'a str),
    Variable { name: &'a str, written: &'a str },
}

/// Splits a template into literal text and variables.
fn pieces(template: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = template;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let variable = rest.find(OPEN).and_then(|start| {
            let end = rest[start + OPEN.len()..].find(CLOSE)? + start + OPEN.len();
            Some((start, end))
        });
        match variable {
            Some((0, end)) => {
                let written = &rest[..end + CLOSE.len()];
                rest = &rest[end + CLOSE.len()..];
                Some(Piece::Variable { name: written[OPEN.len()..end].trim(), written })
            }
            Some((start, _)) => {
                let text = &rest[..start];
                rest = &rest[start..];
                Some(Piece::Text(text))
            }
            None => {
                let text = rest;
                rest = "";
                Some(Piece::Text(text))
            }
        }
    })
}

/// The variable names a template uses, in order of first use, each once.
pub(crate) fn variables(template: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    pieces(template)
        .filter_map(|piece| match piece {
            Piece::Variable { name, .. } if seen.insert(name) => Some(name.to_owned()),
            _ => None,
        })
        .collect()
}

/// The template with every given variable replaced.
pub(crate) fn compile(template: &str, vars: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(template.len());
    for piece in pieces(template) {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Variable { name, written } => match vars.get(name) {
                Some(value) => out.push_str(&value_text(value)),
                None => out.push_str(written),
            },
        }
    }
    out
}

/// How a variable's value is inserted.
pub(crate) fn value_text(value: &Value) -> std::borrow::Cow<'_, str> {
    match value {
        Value::Null => "".into(),
        Value::String(text) => text.as_str().into(),
        other => other.to_string().into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn vars(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn given_variables_are_replaced_and_unknown_ones_stay() {
        let template = "Hi {{name}}, you are {{ age }} and {{unknown}}.";
        assert_eq!(compile(template, &vars(json!({"name": "Ada", "age": 36}))), "Hi Ada, you are 36 and {{unknown}}.");
    }

    #[test]
    fn null_is_empty_and_structures_are_json_text() {
        let out =
            compile("[{{a}}|{{b}}|{{c}}|{{d}}]", &vars(json!({"a": null, "b": true, "c": [1, 2], "d": {"k": "v"}})));
        assert_eq!(out, r#"[|true|[1,2]|{"k":"v"}]"#);
    }

    #[test]
    fn a_variable_ends_at_the_first_closing_braces() {
        // As PY5's TemplateParser: `{{a {{b}}` names "a {{b".
        assert_eq!(variables("x {{a {{b}} y}}"), vec!["a {{b"]);
        assert_eq!(compile("x {{a {{b}} y}}", &vars(json!({"a {{b": "V"}))), "x V y}}");
    }

    #[test]
    fn unclosed_and_empty_variables() {
        assert_eq!(compile("open {{name and more", &vars(json!({"name": "x"}))), "open {{name and more");
        assert_eq!(variables("{{}} {{ }}"), vec![""]);
        assert_eq!(compile("a{{}}b", &vars(json!({"": "E"}))), "aEb");
    }

    #[test]
    fn replacement_text_is_not_scanned_again() {
        assert_eq!(compile("{{a}}", &vars(json!({"a": "{{b}}", "b": "no"}))), "{{b}}");
    }

    #[test]
    fn variables_are_listed_once_in_order() {
        assert_eq!(variables("{{b}} {{a}} {{ b }} text"), vec!["b", "a"]);
        assert!(variables("no variables { here }").is_empty());
    }

    #[test]
    fn multibyte_text_around_variables() {
        assert_eq!(compile("é{{ü}}ß{{x", &vars(json!({"ü": "→"}))), "é→ß{{x");
    }
}
