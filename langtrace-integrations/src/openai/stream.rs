//! A streamed chat answer, gathered chunk by chunk into the generation's output.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::pin::Pin;
use std::task::{Context, Poll};

use async_openai::types::chat::{ChatChoiceStream, CreateChatCompletionStreamResponse};
use futures_core::Stream;
use serde_json::{json, Value};

use super::chat_tokens;
use crate::generation::GenerationSpan;
use crate::json::to_value;
use crate::stream::poll_in_generation;

/// The client's chat stream, unchanged for the caller, completing its generation as it
/// is read. Returned by [`observe_chat_stream`](super::observe_chat_stream).
pub struct ObservedChatStream<S> {
    inner: S,
    /// `None` once the generation is finished.
    generation: Option<GenerationSpan>,
    answer: Answer,
}

/// What the chunks said so far.
#[derive(Default)]
struct Answer {
    model: String,
    id: String,
    choices: BTreeMap<u32, ChoiceDraft>,
    usage: Option<async_openai::types::chat::CompletionUsage>,
}

/// One choice being streamed.
#[derive(Default)]
struct ChoiceDraft {
    text: String,
    tool_calls: BTreeMap<u32, ToolCallDraft>,
    finish_reason: Option<String>,
}

/// One tool call being streamed: its arguments arrive in pieces.
#[derive(Default)]
struct ToolCallDraft {
    id: String,
    name: String,
    arguments: String,
}

impl<S> ObservedChatStream<S> {
    pub(super) fn new(inner: S, generation: GenerationSpan) -> Self {
        Self { inner, generation: Some(generation), answer: Answer::default() }
    }

    /// Records the gathered answer and closes the generation (once).
    fn finish(&mut self) {
        let Some(generation) = self.generation.take() else { return };
        let answer = std::mem::take(&mut self.answer);
        let finish_reasons: Vec<String> =
            answer.choices.values().filter_map(|choice| choice.finish_reason.clone()).collect();
        let messages: Vec<Value> = answer.choices.into_values().map(ChoiceDraft::into_message).collect();
        if !messages.is_empty() {
            generation.output(&messages, &finish_reasons);
        }
        generation.response(&answer.model, &answer.id);
        if let Some(usage) = &answer.usage {
            generation.usage(chat_tokens(usage));
        }
    }
}

impl Answer {
    fn add(&mut self, chunk: &CreateChatCompletionStreamResponse) {
        if self.id.is_empty() {
            self.id.clone_from(&chunk.id);
            self.model.clone_from(&chunk.model);
        }
        for choice in &chunk.choices {
            self.choices.entry(choice.index).or_default().add(choice);
        }
        if chunk.usage.is_some() {
            self.usage.clone_from(&chunk.usage);
        }
    }
}

impl ChoiceDraft {
    fn add(&mut self, choice: &ChatChoiceStream) {
        if let Some(text) = &choice.delta.content {
            self.text.push_str(text);
        }
        for call in choice.delta.tool_calls.iter().flatten() {
            let draft = self.tool_calls.entry(call.index).or_default();
            if let Some(id) = &call.id {
                draft.id.clone_from(id);
            }
            if let Some(function) = &call.function {
                if let Some(name) = &function.name {
                    draft.name.push_str(name);
                }
                if let Some(arguments) = &function.arguments {
                    draft.arguments.push_str(arguments);
                }
            }
        }
        if let Some(reason) = &choice.finish_reason {
            self.finish_reason = to_value(reason).as_str().map(str::to_owned);
        }
    }

    /// The choice as one OpenAI-shaped assistant message.
    fn into_message(self) -> Value {
        let mut message = json!({"role": "assistant", "content": (!self.text.is_empty()).then_some(self.text)});
        if !self.tool_calls.is_empty() {
            let calls: Vec<Value> = self
                .tool_calls
                .into_values()
                .map(|call| json!({"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}))
                .collect();
            message["tool_calls"] = Value::Array(calls);
        }
        if let Some(reason) = self.finish_reason {
            message["finish_reason"] = Value::String(reason);
        }
        message
    }
}

impl<S, E> Stream for ObservedChatStream<S>
where
    S: Stream<Item = Result<CreateChatCompletionStreamResponse, E>> + Unpin,
    E: Display,
{
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let answer = &mut this.answer;
        let polled = poll_in_generation(
            &mut this.inner,
            this.generation.as_mut(),
            cx,
            |item| answer.add(item),
            |generation, error| generation.fail(error),
        );
        if let Poll::Ready(None) = polled {
            this.finish();
        }
        polled
    }
}

impl<S> Drop for ObservedChatStream<S> {
    fn drop(&mut self) {
        self.finish();
    }
}
