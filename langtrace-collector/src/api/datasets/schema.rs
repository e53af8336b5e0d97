//! The JSON Schemas a dataset may put on its items' `input` and `expectedOutput`:
//! compiled with `boon` (drafts 4 to 2020-12, draft 2020-12 when a schema names none),
//! with no loader, so a `$ref` reaches neither files nor the network; checked on every
//! item write, answering 400 `Dataset item validation failed: ...`.

use std::error::Error;

use boon::{Compiler, Schemas, UrlLoader};
use serde_json::Value;

/// Where a schema is registered while it compiles (never loaded from anywhere).
const LOCATION: &str = "urn:langtrace:dataset-schema";

/// Refuses every URL: schemas are self-contained.
struct NoLoader;

impl UrlLoader for NoLoader {
    fn load(&self, url: &str) -> Result<Value, Box<dyn Error>> {
        Err(format!("{url}: a dataset schema cannot refer to other documents").into())
    }
}

/// A compiled schema.
pub struct ItemSchema {
    schemas: Schemas,
    index: boon::SchemaIndex,
}

impl ItemSchema {
    /// Compiles `schema`; the compiler's complaint when it is not a JSON Schema.
    pub fn compile(schema: &Value) -> Result<Self, String> {
        let mut compiler = Compiler::new();
        compiler.use_loader(Box::new(NoLoader));
        let mut schemas = Schemas::new();
        compiler.add_resource(LOCATION, schema.clone()).map_err(|error| format!("{error:#}"))?;
        let index = compiler.compile(LOCATION, &mut schemas).map_err(|error| format!("{error:#}"))?;
        Ok(Self { schemas, index })
    }

    /// Checks `value`; what is wrong with it, where, when it does not match.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        self.schemas.validate(value, self.index).map_err(|error| {
            let text = format!("{error:#}");
            // The first line names the schema's internal location; the causes follow it.
            text.split_once('\n').map_or(text.clone(), |(_, causes)| causes.trim().to_owned())
        })
    }
}

/// Checks `value` of `field` (`input` or `expectedOutput`) against `schema` (JSON text)
/// when both are there; the 400 message when it does not match.
pub fn validate(field: &str, schema: Option<&str>, value: Option<&Value>) -> Result<(), String> {
    let (Some(schema), Some(value)) = (schema, value) else { return Ok(()) };
    let schema: Value = serde_json::from_str(schema).map_err(|error| format!("stored {field} schema: {error}"))?;
    ItemSchema::compile(&schema).and_then(|compiled| compiled.check(value)).map_err(|problem| {
        format!("Dataset item validation failed: {field} does not match the dataset's schema: {problem}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_checked_and_refs_reach_nothing() {
        let schema =
            json!({"type": "object", "required": ["question"], "properties": {"question": {"type": "string"}}});
        let text = schema.to_string();
        assert_eq!(validate("input", Some(&text), Some(&json!({"question": "why?"}))), Ok(()));
        let refused = validate("input", Some(&text), Some(&json!({"question": 3}))).unwrap_err();
        assert!(refused.starts_with("Dataset item validation failed: input"), "{refused}");
        assert!(refused.contains("/question"), "{refused}");
        assert_eq!(validate("input", None, Some(&json!(1))), Ok(()));
        assert!(ItemSchema::compile(&json!({"type": "no-such-type"})).is_err());
        assert!(ItemSchema::compile(&json!({"$ref": "file:///etc/passwd"})).is_err());
        assert!(ItemSchema::compile(&json!({"$ref": "https://example.com/s.json"})).is_err());
    }
}
