//! Usage, cost and model parameters (see `docs/wire-format.md`, "Foreign conventions",
//! observation fields): Langfuse's JSON objects win whole; else each count or parameter
//! comes from the first convention that sends it.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::values::{as_f64, as_json, as_u64, number_object};
use super::Mapper;
use crate::vocab::{gen_ai, langfuse, openinference, openllmetry, usage, vercel};

/// Usage keys and the attributes giving each, in priority order.
const USAGE_SOURCES: [(&str, &[&str]); 9] = [
    (
        usage::INPUT,
        &[
            gen_ai::USAGE_INPUT_TOKENS,
            openinference::TOKEN_COUNT_PROMPT,
            gen_ai::USAGE_PROMPT_TOKENS,
            vercel::USAGE_INPUT_TOKENS,
            vercel::USAGE_PROMPT_TOKENS,
        ],
    ),
    (
        usage::OUTPUT,
        &[
            gen_ai::USAGE_OUTPUT_TOKENS,
            openinference::TOKEN_COUNT_COMPLETION,
            gen_ai::USAGE_COMPLETION_TOKENS,
            vercel::USAGE_OUTPUT_TOKENS,
            vercel::USAGE_COMPLETION_TOKENS,
        ],
    ),
    (
        usage::TOTAL,
        &[
            gen_ai::USAGE_TOTAL_TOKENS,
            openinference::TOKEN_COUNT_TOTAL,
            openllmetry::USAGE_TOTAL_TOKENS,
            vercel::USAGE_TOTAL_TOKENS,
        ],
    ),
    (
        usage::CACHE_READ_INPUT_TOKENS,
        &[
            gen_ai::USAGE_CACHE_READ_INPUT_TOKENS,
            openinference::TOKEN_COUNT_CACHE_READ,
            gen_ai::USAGE_CACHE_READ_INPUT_TOKENS_FLAT,
            vercel::USAGE_CACHED_INPUT_TOKENS,
        ],
    ),
    (
        usage::CACHE_CREATION_INPUT_TOKENS,
        &[
            gen_ai::USAGE_CACHE_CREATION_INPUT_TOKENS,
            openinference::TOKEN_COUNT_CACHE_WRITE,
            gen_ai::USAGE_CACHE_CREATION_INPUT_TOKENS_FLAT,
        ],
    ),
    (
        usage::REASONING_OUTPUT_TOKENS,
        &[
            gen_ai::USAGE_REASONING_OUTPUT_TOKENS,
            gen_ai::USAGE_REASONING_TOKENS,
            openinference::TOKEN_COUNT_REASONING,
            vercel::USAGE_REASONING_TOKENS,
        ],
    ),
    (usage::INPUT_AUDIO_TOKENS, &[openinference::TOKEN_COUNT_PROMPT_AUDIO]),
    (usage::OUTPUT_AUDIO_TOKENS, &[openinference::TOKEN_COUNT_COMPLETION_AUDIO]),
    (usage::TOOL_USE_PROMPT_TOKENS, &[gen_ai::USAGE_TOOL_USE_PROMPT_TOKENS]),
];

impl Mapper<'_, '_> {
    pub(super) fn usage_details(&mut self) -> BTreeMap<String, u64> {
        let explicit = self.first(&[langfuse::USAGE_DETAILS]).map(|details| {
            as_json(details)
                .as_object()
                .map(|object| object.iter().filter_map(|(k, v)| Some((k.clone(), as_u64(v)?))).collect())
                .unwrap_or_default()
        });
        // Read even when the explicit details win, so the other spellings stay out of metadata.
        let mut details = BTreeMap::new();
        for (key, keys) in USAGE_SOURCES {
            if let Some(count) = self.first(keys).and_then(as_u64) {
                details.insert(key.to_owned(), count);
            }
        }
        explicit.unwrap_or(details)
    }

    pub(super) fn cost_details(&mut self) -> BTreeMap<String, f64> {
        let explicit = self.first(&[langfuse::COST_DETAILS]).map(number_object);
        let sources = [
            (usage::INPUT, openinference::COST_PROMPT),
            (usage::OUTPUT, openinference::COST_COMPLETION),
            (usage::TOTAL, openinference::COST_TOTAL),
        ];
        let mut details = BTreeMap::new();
        for (key, source) in sources {
            if let Some(cost) = self.first(&[source]).and_then(as_f64) {
                details.insert(key.to_owned(), cost);
            }
        }
        explicit.unwrap_or(details)
    }

    /// Langfuse's object; else GenAI's `gen_ai.request.<name>` (except the model);
    /// else OpenInference's object; else the AI SDK's `ai.settings.<name>`. Every source
    /// is read (and so kept out of metadata) even when another wins: a writer such as
    /// langtrace's bridge sends both spellings.
    pub(super) fn model_parameters(&mut self) -> Map<String, Value> {
        let langfuse = self.first(&[langfuse::MODEL_PARAMETERS]).map(as_json);
        let gen_ai: Map<String, Value> = self
            .prefixed(gen_ai::REQUEST_PREFIX)
            .into_iter()
            .filter(|(key, _)| gen_ai::REQUEST_MODEL.strip_prefix(gen_ai::REQUEST_PREFIX) != Some(key))
            .map(|(key, value)| (key.to_owned(), value.clone()))
            .collect();
        let openinference = self.first(&[openinference::INVOCATION_PARAMETERS]).map(as_json);
        let vercel: Map<String, Value> = self
            .prefixed(vercel::SETTINGS_PREFIX)
            .into_iter()
            .map(|(key, value)| (key.to_owned(), as_json(value)))
            .collect();
        match (langfuse, openinference) {
            (Some(Value::Object(params)), _) => params,
            _ if !gen_ai.is_empty() => gen_ai,
            (_, Some(Value::Object(params))) => params,
            _ => vercel,
        }
    }
}
