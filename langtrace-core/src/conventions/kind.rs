//! The observation type, from whichever convention names it (see `docs/wire-format.md`,
//! "Foreign conventions", span kinds): Langfuse's type, GenAI's operation, OpenInference's
//! and OpenLLMetry's span kinds, OpenLLMetry's request type, the AI SDK's operation.

use super::Mapper;
use crate::record::ObservationType as T;
use crate::vocab::{gen_ai, langfuse, openinference, openllmetry, vercel};

impl Mapper<'_, '_> {
    pub(super) fn observation_type(&mut self) -> Option<T> {
        let langfuse = self.first_string(&[langfuse::OBSERVATION_TYPE]).and_then(|t| T::parse(&t));
        let gen_ai = self.first_string(&[gen_ai::OPERATION_NAME]).and_then(|op| gen_ai_operation(&op));
        let openinference = self.first_string(&[openinference::SPAN_KIND]).and_then(|k| openinference_kind(&k));
        let traceloop = self.first_string(&[openllmetry::SPAN_KIND]).and_then(|k| traceloop_kind(&k));
        let request = self.first_string(&[openllmetry::REQUEST_TYPE]).and_then(|r| request_type(&r));
        let vercel = self.first_string(&[vercel::OPERATION_ID]).and_then(|op| vercel_operation(&op));
        langfuse.or(gen_ai).or(openinference).or(traceloop).or(request).or(vercel)
    }
}

fn gen_ai_operation(operation: &str) -> Option<T> {
    Some(match operation {
        "chat" | "text_completion" | "generate_content" => T::Generation,
        "embeddings" => T::Embedding,
        "invoke_agent" | "create_agent" => T::Agent,
        "execute_tool" => T::Tool,
        "retrieval" => T::Retriever,
        _ => return None,
    })
}

fn openinference_kind(kind: &str) -> Option<T> {
    Some(match kind.to_ascii_uppercase().as_str() {
        "LLM" => T::Generation,
        "CHAIN" => T::Chain,
        "TOOL" => T::Tool,
        "AGENT" => T::Agent,
        "RETRIEVER" | "RERANKER" => T::Retriever,
        "EMBEDDING" => T::Embedding,
        "GUARDRAIL" => T::Guardrail,
        "EVALUATOR" => T::Evaluator,
        _ => return None,
    })
}

fn traceloop_kind(kind: &str) -> Option<T> {
    Some(match kind {
        "workflow" => T::Chain,
        "task" => T::Span,
        "agent" => T::Agent,
        "tool" => T::Tool,
        _ => return None,
    })
}

/// OpenLLMetry's `llm.request.type` on the spans of LLM calls.
fn request_type(request: &str) -> Option<T> {
    Some(match request {
        "chat" | "completion" => T::Generation,
        "embedding" => T::Embedding,
        "rerank" => T::Retriever,
        _ => return None,
    })
}

/// The AI SDK's operation: only the provider calls (`doGenerate`, `doStream`) are
/// generations, `doEmbed` embeddings; `ai.toolCall` is a tool; the wrapping calls
/// (`ai.generateText`, ...) are spans, though they carry the model and usage too.
fn vercel_operation(operation: &str) -> Option<T> {
    let step = operation.rsplit('.').next().unwrap_or_default();
    Some(match (operation, step) {
        (_, "doGenerate" | "doStream") => T::Generation,
        (_, "doEmbed") => T::Embedding,
        ("ai.toolCall", _) => T::Tool,
        _ if operation.starts_with("ai.") => T::Span,
        _ => return None,
    })
}
