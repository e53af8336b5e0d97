//! OpenAI supervised fine-tuning lines, `{"messages":[...],"tools"?:[...]}`, by the
//! Phoenix rule: the input's messages followed by the output's (an expected output for
//! a dataset item), the input's tools when it has some, else the tool definitions the
//! collector keeps in an observation's `metadata.tools`. A row whose input or output is
//! not chat messages is reported ([`super::report`]).

use serde::Serialize;
use serde_json::Value;

use super::messages::{answer, Message, Prompt, Unfit};
use super::report::Report;
use super::{Encoder, Item};

/// One training example.
#[derive(Serialize)]
struct Example {
    messages: Vec<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tools: Option<Vec<Value>>,
}

/// The SFT encoder.
pub struct OpenaiSft {
    output_field: &'static str,
    report: Report,
}

impl OpenaiSft {
    /// Examples from each row's `input` and its field `output_field` (`output`, or
    /// `expectedOutput` for dataset items).
    pub fn new(output_field: &'static str) -> Self {
        Self { output_field, report: Report::default() }
    }

    /// The example of `value`.
    fn example(&self, value: &Value) -> Result<Example, Unfit> {
        let prompt = Prompt::parse(&value["input"])?;
        let mut messages = prompt.messages;
        messages.extend(answer(&value[self.output_field])?);
        let tools = prompt.tools.or_else(|| value["metadata"]["tools"].as_array().cloned());
        Ok(Example { messages, tools })
    }
}

impl Encoder for OpenaiSft {
    fn item(&mut self, item: &Item, out: &mut Vec<u8>) {
        match self.example(&item.value) {
            Ok(example) => {
                serde_json::to_writer(&mut *out, &example).expect("JSON into memory");
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
