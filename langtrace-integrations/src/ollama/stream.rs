//! A streamed chat answer, gathered message by message into the generation's output.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use ollama_rs::generation::chat::{ChatMessageResponse, MessageRole};
use ollama_rs::generation::tools::ToolCall;

use super::messages::{shaped_message, Totals};
use super::record_totals;
use crate::generation::GenerationSpan;
use crate::stream::poll_in_generation;

/// What ollama-rs's stream says of a broken answer: its error type is `()`.
const BROKEN_STREAM: &str = "the answer stream broke off (ollama-rs reports no cause)";

/// The client's chat stream, unchanged for the caller, completing its generation as it
/// is read. Returned by [`observe_chat_stream`](super::observe_chat_stream).
pub struct ObservedChatStream<S> {
    inner: S,
    /// `None` once the generation is finished.
    generation: Option<GenerationSpan>,
    answer: Answer,
}

/// What the streamed messages said so far.
#[derive(Default)]
struct Answer {
    model: String,
    text: String,
    thinking: String,
    tool_calls: Vec<ToolCall>,
    /// From the last message (`done: true`).
    totals: Option<Totals>,
}

impl<S> ObservedChatStream<S> {
    pub(super) fn new(inner: S, generation: GenerationSpan) -> Self {
        Self { inner, generation: Some(generation), answer: Answer::default() }
    }

    /// Records the gathered answer and closes the generation (once).
    fn finish(&mut self) {
        let Some(generation) = self.generation.take() else { return };
        let answer = std::mem::take(&mut self.answer);
        if !answer.text.is_empty() || !answer.tool_calls.is_empty() {
            generation.output(&shaped_message("assistant", &answer.text, &[], &answer.tool_calls), &[]);
        }
        generation.response(&answer.model, "");
        let totals = answer.totals.unwrap_or_else(|| Totals::of_chat(None, Some(&answer.thinking)));
        record_totals(&generation, totals);
    }
}

impl Answer {
    fn add(&mut self, message: &ChatMessageResponse) {
        if self.model.is_empty() {
            self.model.clone_from(&message.model);
        }
        if message.message.role == MessageRole::Assistant {
            self.text.push_str(&message.message.content);
            self.thinking.push_str(message.message.thinking.as_deref().unwrap_or_default());
            self.tool_calls.extend(message.message.tool_calls.iter().cloned());
        }
        if message.done {
            self.totals = Some(Totals::of_chat(message.final_data.as_ref(), Some(&self.thinking)));
        }
    }
}

impl<S> Stream for ObservedChatStream<S>
where
    S: Stream<Item = Result<ChatMessageResponse, ()>> + Unpin,
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
            |generation, ()| generation.fail(&BROKEN_STREAM),
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
