//! Recorded attribute sets of each client convention, mapped whole: what rig-core and
//! genai record ([`gen_ai`]), what OpenInference, OpenLLMetry, the Vercel AI SDK and
//! Langfuse's JS SDK send ([`others`]); then the precedence between conventions, concept
//! by concept ([`precedence`]).

use serde_json::Value;

use super::*;

mod gen_ai;
mod others;
mod precedence;

pub(super) fn map(pairs: &[(&str, Value)]) -> MappedAttributes {
    map_attributes(pairs.iter().map(|(k, v)| (*k, v)))
}

pub(super) fn text(value: Value) -> Value {
    Value::String(value.to_string())
}

pub(super) fn input(mapped: &MappedAttributes) -> Value {
    mapped.input.as_ref().expect("an input").to_value()
}

pub(super) fn output(mapped: &MappedAttributes) -> Value {
    mapped.output.as_ref().expect("an output").to_value()
}

pub(super) fn keys(mapped: &MappedAttributes) -> Vec<&str> {
    mapped.metadata.keys().map(String::as_str).collect()
}

pub(super) fn usage(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}
