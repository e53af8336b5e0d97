//! What the playground and the proxy refuse before a provider is called, each with a 400
//! naming the field: sampling parameters of the wrong type or out of OpenAI's ranges, and
//! tools whose name a provider would refuse or whose parameters are not a JSON Schema
//! object. Parameters the collector does not know are passed on unchecked.

use serde_json::{Map, Value};

use crate::app::ApiError;

/// The sampling parameters checked: name and rule.
const RULES: [(&str, Rule); 9] = [
    ("temperature", Rule::Number { min: 0.0, max: 2.0 }),
    ("top_p", Rule::Number { min: 0.0, max: 1.0 }),
    ("presence_penalty", Rule::Number { min: -2.0, max: 2.0 }),
    ("frequency_penalty", Rule::Number { min: -2.0, max: 2.0 }),
    ("max_tokens", Rule::Positive),
    ("max_completion_tokens", Rule::Positive),
    ("n", Rule::Positive),
    ("seed", Rule::Integer),
    ("stop", Rule::Stop),
];

/// Longest tool name OpenAI and Anthropic take.
const MAX_TOOL_NAME: usize = 64;

/// What a parameter's value must be.
#[derive(Clone, Copy)]
enum Rule {
    /// A number in `min..=max`.
    Number { min: f64, max: f64 },
    /// An integer of at least 1.
    Positive,
    /// An integer.
    Integer,
    /// A string or an array of strings (how many, the provider decides: OpenAI takes 4,
    /// Anthropic more).
    Stop,
}

impl Rule {
    /// Why `value` breaks the rule, if it does.
    fn refusal(self, value: &Value) -> Option<String> {
        match self {
            Rule::Number { min, max } => match value.as_f64() {
                Some(number) if (min..=max).contains(&number) => None,
                _ => Some(format!("must be a number from {min} to {max}")),
            },
            Rule::Positive => match value.as_u64() {
                Some(count) if count >= 1 => None,
                _ => Some("must be a whole number of at least 1".to_owned()),
            },
            Rule::Integer => (!value.is_i64() && !value.is_u64()).then(|| "must be a whole number".to_owned()),
            Rule::Stop => match value {
                Value::String(_) => None,
                Value::Array(stops) if stops.iter().all(Value::is_string) => None,
                _ => Some("must be a string or an array of strings".to_owned()),
            },
        }
    }
}

/// Checks the sampling parameters in `params` (null ones are left out by the caller);
/// `at` prefixes the field in the message (`modelParams.` for the UI's body).
pub fn params(params: &Map<String, Value>, at: &str) -> Result<(), ApiError> {
    for (name, rule) in RULES {
        if let Some(reason) = params.get(name).filter(|v| !v.is_null()).and_then(|value| rule.refusal(value)) {
            return Err(ApiError::BadRequest(format!("{at}{name} {reason}")));
        }
    }
    Ok(())
}

/// Checks a tool's name (1 to 64 letters, digits, `_` or `-`) and its parameters (a
/// JSON Schema object: a JSON object whose `type`, if given, is `"object"`, whose
/// `properties`, if given, map names to schemas, and whose `required`, if given, lists
/// names); `at` names the tool in the message.
pub fn tool(name: &str, parameters: Option<&Value>, at: &str) -> Result<(), ApiError> {
    let bad = |message: String| Err(ApiError::BadRequest(message));
    let name_ok = (1..=MAX_TOOL_NAME).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !name_ok {
        return bad(format!("{at}.name must be 1 to {MAX_TOOL_NAME} letters, digits, '_' or '-'"));
    }
    let Some(parameters) = parameters else { return Ok(()) };
    let Some(schema) = parameters.as_object() else {
        return bad(format!("{at}.parameters must be a JSON Schema object"));
    };
    if schema.get("type").is_some_and(|kind| kind != "object") {
        return bad(format!("{at}.parameters.type must be \"object\""));
    }
    if let Some(properties) = schema.get("properties") {
        if !properties.as_object().is_some_and(|p| p.values().all(Value::is_object)) {
            return bad(format!("{at}.parameters.properties must map each name to a schema object"));
        }
    }
    if let Some(required) = schema.get("required") {
        if !required.as_array().is_some_and(|r| r.iter().all(Value::is_string)) {
            return bad(format!("{at}.parameters.required must be an array of names"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn refusal(params_json: Value) -> Option<String> {
        match params(params_json.as_object().unwrap(), "modelParams.") {
            Ok(()) => None,
            Err(ApiError::BadRequest(message)) => Some(message),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn parameters_in_range_pass_and_unknown_ones_are_not_checked() {
        let fine = json!({"temperature": 0, "top_p": 1.0, "presence_penalty": -2, "max_tokens": 64, "seed": -3,
                          "stop": ["a", "b"], "n": 1, "logit_bias": "anything", "temperature_null": null});
        assert_eq!(refusal(fine), None);
        assert_eq!(refusal(json!({"temperature": null})), None);
    }

    #[test]
    fn each_rule_names_the_field() {
        for (params_json, expected) in [
            (json!({"temperature": "hot"}), "modelParams.temperature must be a number from 0 to 2"),
            (json!({"temperature": 2.5}), "modelParams.temperature must be a number from 0 to 2"),
            (json!({"top_p": -0.1}), "modelParams.top_p must be a number from 0 to 1"),
            (json!({"max_tokens": -5}), "modelParams.max_tokens must be a whole number of at least 1"),
            (json!({"max_tokens": 0}), "modelParams.max_tokens must be a whole number of at least 1"),
            (json!({"max_tokens": 1.5}), "modelParams.max_tokens must be a whole number of at least 1"),
            (json!({"seed": "7"}), "modelParams.seed must be a whole number"),
            (json!({"stop": ["a", 1]}), "modelParams.stop must be a string or an array of strings"),
            (json!({"stop": 3}), "modelParams.stop must be a string or an array of strings"),
        ] {
            assert_eq!(refusal(params_json.clone()).as_deref(), Some(expected), "{params_json}");
        }
    }

    #[test]
    fn tools_need_a_provider_safe_name_and_a_schema_object() {
        let schema = json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]});
        assert!(tool("get_weather", Some(&schema), "tools[0]").is_ok());
        assert!(tool("no-params", None, "tools[0]").is_ok());
        for (name, parameters, expected) in [
            ("has space", json!({}), "tools[0].name must be 1 to 64 letters, digits, '_' or '-'"),
            ("", json!({}), "tools[0].name must be 1 to 64 letters, digits, '_' or '-'"),
            ("f", json!("a string"), "tools[0].parameters must be a JSON Schema object"),
            ("f", json!([1]), "tools[0].parameters must be a JSON Schema object"),
            ("f", json!({"type": "array"}), "tools[0].parameters.type must be \"object\""),
            (
                "f",
                json!({"properties": {"a": 1}}),
                "tools[0].parameters.properties must map each name to a schema object",
            ),
            ("f", json!({"required": "a"}), "tools[0].parameters.required must be an array of names"),
        ] {
            match tool(name, Some(&parameters), "tools[0]") {
                Err(ApiError::BadRequest(message)) => assert_eq!(message, expected, "{name} {parameters}"),
                other => panic!("{name} {parameters}: {other:?}"),
            }
        }
        assert!(tool(&"x".repeat(65), None, "tools[0]").is_err());
    }
}
