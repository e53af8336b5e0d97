//! OpenAI direct preference optimisation lines:
//! `{"input":{"messages":[...],"tools":[...],"parallel_tool_calls":true},"preferred_output":[...],"non_preferred_output":[...]}`.
//! Single-turn, as OpenAI's format is: the input's messages must not end with the
//! assistant, and each output is one assistant message. The preferred output is the
//! row's expected output, the non-preferred one its metadata's `non_preferred_output`
//! (a string, a message, or a list or `{messages}` of one message). Rows without both
//! are reported ([`super::report`]).

use serde::Serialize;
use serde_json::Value;

use super::messages::{answer, Message, Prompt, Role, Unfit};
use super::report::Report;
use super::{Encoder, Item};

/// The metadata key holding the answer not to prefer.
pub const NON_PREFERRED_KEY: &str = "non_preferred_output";

/// The conversation of a preference pair.
#[derive(Serialize)]
struct Input {
    messages: Vec<Message>,
    tools: Vec<Value>,
    parallel_tool_calls: bool,
}

/// One preference pair.
#[derive(Serialize)]
struct Pair {
    input: Input,
    preferred_output: Vec<Message>,
    non_preferred_output: Vec<Message>,
}

/// The DPO encoder.
pub struct OpenaiDpo {
    preferred_field: &'static str,
    report: Report,
}

impl OpenaiDpo {
    /// Pairs from each row's `input`, its field `preferred_field` and its metadata's
    /// [`NON_PREFERRED_KEY`].
    pub fn new(preferred_field: &'static str) -> Self {
        Self { preferred_field, report: Report::default() }
    }

    /// The pair of `value`.
    fn pair(&self, value: &Value) -> Result<Pair, Unfit> {
        let prompt = Prompt::parse(&value["input"])?;
        if prompt.messages.last().is_some_and(|last| last.role == Role::Assistant) {
            return Err(Unfit("the input ends with an assistant message"));
        }
        let preferred = single(&value[self.preferred_field])?;
        let non_preferred = match value["metadata"].get(NON_PREFERRED_KEY) {
            None | Some(Value::Null) => return Err(Unfit("no metadata.non_preferred_output")),
            Some(other) => single(other)?,
        };
        Ok(Pair {
            input: Input {
                messages: prompt.messages,
                tools: prompt.tools.unwrap_or_default(),
                parallel_tool_calls: true,
            },
            preferred_output: preferred,
            non_preferred_output: non_preferred,
        })
    }
}

/// An answer of exactly one assistant message.
fn single(value: &Value) -> Result<Vec<Message>, Unfit> {
    let messages = answer(value)?;
    if messages.len() != 1 {
        return Err(Unfit("an output is more than one message"));
    }
    Ok(messages)
}

impl Encoder for OpenaiDpo {
    fn item(&mut self, item: &Item, out: &mut Vec<u8>) {
        match self.pair(&item.value) {
            Ok(pair) => {
                serde_json::to_writer(&mut *out, &pair).expect("JSON into memory");
                out.push(b'\n');
                self.report.exported();
            }
            Err(unfit) => self.report.skipped(&item.id, unfit),
        }
    }

    fn finish(&mut self, out: &mut Vec<u8>) {
        self.report.write(out);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    /// The lines of a JSON Lines text, parsed.
    fn lines(text: &str) -> Vec<Value> {
        text.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
    }

    #[test]
    fn dataset_items_become_pairs_as_the_golden_file_says_and_misfits_are_reported() {
        let items = lines(include_str!("../../../tests/export/golden/dpo_items.jsonl"));
        let expected = lines(include_str!("../../../tests/export/golden/dpo.jsonl"));
        let mut encoder = OpenaiDpo::new("expectedOutput");
        let mut out = Vec::new();
        for value in items {
            let id = value["id"].as_str().unwrap().to_owned();
            encoder.item(&Item { id, value }, &mut out);
        }
        encoder.finish(&mut out);
        let got = lines(std::str::from_utf8(&out).unwrap());
        assert_eq!(got.len(), expected.len(), "{got:#?}");
        for (line, (got, want)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(got, want, "line {line}");
        }
    }
}
