//! A streamed answer put together: text, tool calls assembled from their fragments by
//! `index`, token counts, the finish reason. What it holds is bounded: past
//! [`MAX_ANSWER_BYTES`] the answer is refused rather than kept growing.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{Delta, ProviderError};

/// Largest answer (text and tool-call arguments) a run keeps.
pub const MAX_ANSWER_BYTES: usize = 8 << 20;

/// A complete tool call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolCall {
    /// Its id.
    pub id: String,
    /// The function's name.
    pub name: String,
    /// The arguments, JSON text.
    pub arguments: String,
}

/// An answer so far.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    /// The text.
    pub text: String,
    /// Tool calls by the provider's index.
    calls: BTreeMap<u64, ToolCall>,
    /// Prompt tokens.
    pub input_tokens: Option<u64>,
    /// Completion tokens.
    pub output_tokens: Option<u64>,
    /// Why it ended; `None` while it has not.
    pub finish_reason: Option<String>,
    bytes: usize,
}

impl Completion {
    /// Adds one delta; an error once the answer outgrows [`MAX_ANSWER_BYTES`].
    pub fn absorb(&mut self, delta: &Delta) -> Result<(), ProviderError> {
        match delta {
            Delta::Text(text) => {
                self.grow(text.len())?;
                self.text.push_str(text);
            }
            Delta::ToolCall { index, id, name, arguments } => {
                self.grow(arguments.len() + id.as_ref().map_or(0, String::len) + name.as_ref().map_or(0, String::len))?;
                let call = self.calls.entry(*index).or_default();
                if let Some(id) = id {
                    call.id.clone_from(id);
                }
                if let Some(name) = name {
                    call.name.push_str(name);
                }
                call.arguments.push_str(arguments);
            }
            Delta::Usage { input, output } => {
                self.input_tokens = input.or(self.input_tokens);
                self.output_tokens = output.or(self.output_tokens);
            }
            Delta::Finish(reason) => self.finish_reason = Some(reason.clone()),
        }
        Ok(())
    }

    fn grow(&mut self, bytes: usize) -> Result<(), ProviderError> {
        self.bytes += bytes;
        if self.bytes > MAX_ANSWER_BYTES {
            return Err(ProviderError::gateway(
                502,
                format!("the provider's answer is longer than {MAX_ANSWER_BYTES} bytes"),
            ));
        }
        Ok(())
    }

    /// The tool calls, in index order.
    pub fn tool_calls(&self) -> Vec<ToolCall> {
        self.calls.values().cloned().collect()
    }

    /// Token counts as stored: `input`, `output`, `total`, as far as known.
    pub fn usage(&self) -> BTreeMap<String, u64> {
        let mut usage = BTreeMap::new();
        if let Some(input) = self.input_tokens {
            usage.insert("input".to_owned(), input);
        }
        if let Some(output) = self.output_tokens {
            usage.insert("output".to_owned(), output);
        }
        if !usage.is_empty() {
            usage.insert("total".to_owned(), self.input_tokens.unwrap_or(0) + self.output_tokens.unwrap_or(0));
        }
        usage
    }

    /// The answer as an OpenAI assistant message.
    pub fn message(&self) -> Value {
        let mut message = json!({"role": "assistant", "content": if self.text.is_empty() && !self.calls.is_empty() { Value::Null } else { json!(self.text) }});
        if !self.calls.is_empty() {
            message["tool_calls"] = self
                .calls
                .values()
                .map(
                    |c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}),
                )
                .collect();
        }
        message
    }

    /// An error if the stream ended without saying why (a cut the transport did not see).
    pub fn check_finished(&self) -> Result<(), ProviderError> {
        match self.finish_reason {
            Some(_) => Ok(()),
            None => Err(ProviderError::gateway(502, "the provider's stream ended before the answer was finished")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_assemble_by_index() {
        let mut completion = Completion::default();
        let fragment = |index, id: Option<&str>, name: Option<&str>, arguments: &str| Delta::ToolCall {
            index,
            id: id.map(str::to_owned),
            name: name.map(str::to_owned),
            arguments: arguments.to_owned(),
        };
        for delta in [
            fragment(0, Some("a"), Some("first"), "{\"x\""),
            fragment(1, Some("b"), Some("second"), "{}"),
            fragment(0, None, None, ":1}"),
            Delta::Usage { input: Some(3), output: None },
            Delta::Usage { input: None, output: Some(4) },
            Delta::Finish("tool_calls".into()),
        ] {
            completion.absorb(&delta).unwrap();
        }
        let calls = completion.tool_calls();
        assert_eq!(calls[0], ToolCall { id: "a".into(), name: "first".into(), arguments: "{\"x\":1}".into() });
        assert_eq!(calls[1].name, "second");
        assert_eq!(completion.usage()["total"], 7);
        assert_eq!(completion.message()["content"], Value::Null);
    }

    #[test]
    fn answers_are_bounded() {
        let mut completion = Completion::default();
        let piece = "x".repeat(1 << 20);
        let outcome = (0..9).try_for_each(|_| completion.absorb(&Delta::Text(piece.clone())));
        assert_eq!(outcome.unwrap_err().status, 502);
    }
}
