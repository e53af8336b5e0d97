//! The two ingest workloads: the same shape of request (512 spans, ids and times fresh in
//! every request), two kinds of trace.
//!
//! - `native`: traces of 64 spans carrying 4-7 Langfuse-native keys each (what
//!   `langtrace`'s own exporter sends): the cheapest case for the mapper and the writer.
//! - `realistic`: traces of 8 spans (chain, agent, retriever, embedding, LLM, tool, LLM,
//!   output parser) as OpenInference and OpenTelemetry GenAI instrumentors send them:
//!   about 15 attributes per span, prompts and completions as indexed message attributes,
//!   token counts, invocation parameters, ~1 KiB of input/output per span, and a resource
//!   with the usual service, SDK and host attributes.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};

use crate::support::otlp::{self, int, text};

/// Spans in every request.
pub const SPANS_PER_REQUEST: usize = 512;

/// A request template and the shape of its traces.
pub struct Workload {
    /// The request whose ids and times [`Workload::next_request`] renews.
    template: ExportTraceServiceRequest,
    /// Each span's parent, as a position within its trace (`None`: the root).
    parents: Vec<Option<usize>>,
}

impl Workload {
    /// Langfuse-native keys, traces of 64 spans (a root and 63 children).
    pub fn native() -> Self {
        let parents = (0..64).map(|i| (i > 0).then_some(0)).collect::<Vec<_>>();
        let spans = (0..SPANS_PER_REQUEST)
            .map(|i| {
                let trace = i / 64;
                let generation = i % 4 == 1;
                let mut attributes = vec![
                    text("langfuse.observation.input", format!("{{\"question\":\"{}\",\"n\":{i}}}", "q".repeat(480))),
                    text("langfuse.observation.output", format!("\"{}\"", "a".repeat(500))),
                    text("user.id", format!("user-{}", trace % 100)),
                    text("session.id", format!("session-{}", trace % 1000)),
                ];
                if generation {
                    attributes.push(text("langfuse.observation.type", "generation"));
                    attributes.push(text("langfuse.observation.model.name", "gpt-4o-mini"));
                    attributes.push(text("langfuse.observation.usage_details", "{\"input\":120,\"output\":40}"));
                }
                let name = if generation { "llm" } else { "step" };
                Span { name: name.into(), attributes, ..Default::default() }
            })
            .collect::<Vec<_>>();
        Self { template: otlp::request(spans), parents }
    }

    /// OpenInference and GenAI keys, traces of 8 spans.
    pub fn realistic() -> Self {
        let kinds = realistic_kinds();
        let parents = kinds.iter().map(|(_, parent)| *parent).collect();
        let spans = (0..SPANS_PER_REQUEST)
            .map(|i| {
                let (kind, _) = kinds[i % kinds.len()];
                let trace = i / kinds.len();
                Span { name: kind.span_name().into(), attributes: kind.attributes(trace), ..Default::default() }
            })
            .collect();
        let resource = Resource {
            attributes: vec![
                text("service.name", "support-agent"),
                text("service.version", "2.14.1"),
                text("deployment.environment.name", "production"),
                text("telemetry.sdk.name", "opentelemetry"),
                text("telemetry.sdk.language", "python"),
                text("telemetry.sdk.version", "1.38.0"),
                text("host.name", "agent-7f9c6d-x2kq"),
                text("process.runtime.name", "cpython"),
                text("process.runtime.version", "3.12.7"),
                text("openinference.project.name", "support"),
            ],
            ..Default::default()
        };
        let template = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(resource),
                scope_spans: vec![ScopeSpans { spans, ..Default::default() }],
                ..Default::default()
            }],
        };
        Self { template, parents }
    }

    /// Spans per trace.
    fn trace_len(&self) -> usize {
        self.parents.len()
    }

    /// The template with the trace ids, span ids and times of request `seed`, encoded
    /// (cheaper than building it anew, so the load generator leaves the CPU to the
    /// collector). Ids are random, as real ones are.
    pub fn next_request(&mut self, seed: u64) -> Vec<u8> {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
        let (len, traces_per_request) = (self.trace_len(), (SPANS_PER_REQUEST / self.trace_len()) as u64);
        let span_id = |trace: u64, position: usize| mix(trace * 64 + position as u64).to_be_bytes().to_vec();
        for (i, span) in self.template.resource_spans[0].scope_spans[0].spans.iter_mut().enumerate() {
            let trace = seed * traces_per_request + (i / len) as u64;
            let position = i % len;
            let mut trace_id = mix(trace).to_be_bytes().to_vec();
            trace_id.extend_from_slice(&mix(!trace).to_be_bytes());
            span.trace_id = trace_id;
            span.span_id = span_id(trace, position);
            span.parent_span_id = self.parents[position].map_or_else(Vec::new, |parent| span_id(trace, parent));
            span.start_time_unix_nano = now + i as u64 * 1000;
            span.end_time_unix_nano = span.start_time_unix_nano + 500_000;
        }
        otlp::protobuf(&self.template)
    }
}

/// SplitMix64: ids as random as real ones (W3C trace context asks for random ids).
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The steps of a realistic agent trace.
#[derive(Clone, Copy)]
enum Kind {
    Chain,
    Agent,
    Retriever,
    Embedding,
    Llm,
    Tool,
    Parser,
}

/// The 8 spans of a realistic trace and each one's parent position.
fn realistic_kinds() -> [(Kind, Option<usize>); 8] {
    [
        (Kind::Chain, None),
        (Kind::Agent, Some(0)),
        (Kind::Retriever, Some(1)),
        (Kind::Embedding, Some(2)),
        (Kind::Llm, Some(1)),
        (Kind::Tool, Some(1)),
        (Kind::Llm, Some(1)),
        (Kind::Parser, Some(0)),
    ]
}

impl Kind {
    fn span_name(self) -> &'static str {
        match self {
            Kind::Chain => "RunnableSequence",
            Kind::Agent => "support_agent",
            Kind::Retriever => "VectorStoreRetriever",
            Kind::Embedding => "embeddings text-embedding-3-small",
            Kind::Llm => "chat gpt-4o-mini",
            Kind::Tool => "lookup_order",
            Kind::Parser => "StrOutputParser",
        }
    }

    /// About 15 attributes with ~1 KiB of input and output between them.
    fn attributes(self, trace: usize) -> Vec<KeyValue> {
        let question =
            format!("Where is my order #{trace}? It was due last week and {}", "the tracking page ".repeat(12));
        let mut attributes = vec![
            text("session.id", format!("session-{}", trace % 1000)),
            text("user.id", format!("user-{}", trace % 100)),
            text("metadata", format!("{{\"tenant\":\"acme\",\"ticket\":{trace}}}")),
        ];
        let kind = match self {
            Kind::Chain | Kind::Parser => "CHAIN",
            Kind::Agent => "AGENT",
            Kind::Retriever => "RETRIEVER",
            Kind::Embedding => "EMBEDDING",
            Kind::Llm => "LLM",
            Kind::Tool => "TOOL",
        };
        attributes.push(text("openinference.span.kind", kind));
        match self {
            Kind::Llm => {
                let answer =
                    format!("Your order #{trace} left our warehouse on Monday; {}", "it is on its way ".repeat(10));
                attributes.extend([
                    text("gen_ai.system", "openai"),
                    text("gen_ai.operation.name", "chat"),
                    text("gen_ai.request.model", "gpt-4o-mini"),
                    text("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
                    text("llm.invocation_parameters", "{\"temperature\":0.2,\"max_tokens\":512,\"top_p\":1}"),
                    text("gen_ai.prompt.0.role", "system"),
                    text("gen_ai.prompt.0.content", "You are a helpful support agent. Answer briefly and politely."),
                    text("gen_ai.prompt.1.role", "user"),
                    text("gen_ai.prompt.1.content", question),
                    text("gen_ai.completion.0.role", "assistant"),
                    text("gen_ai.completion.0.content", answer),
                    text("gen_ai.completion.0.finish_reason", "stop"),
                    int("gen_ai.usage.input_tokens", 412),
                    int("gen_ai.usage.output_tokens", 96),
                ]);
            }
            Kind::Embedding => attributes.extend([
                text("gen_ai.operation.name", "embeddings"),
                text("gen_ai.request.model", "text-embedding-3-small"),
                text("embedding.model_name", "text-embedding-3-small"),
                text("embedding.embeddings.0.embedding.text", question.clone()),
                int("gen_ai.usage.input_tokens", 38),
                text("input.value", question),
                text("input.mime_type", "text/plain"),
            ]),
            Kind::Retriever => attributes.extend([
                text("input.value", question),
                text("input.mime_type", "text/plain"),
                text("retrieval.documents.0.document.id", format!("kb-{}", trace % 50)),
                text("retrieval.documents.0.document.content", "Orders ship within 2 business days. ".repeat(8)),
                text("retrieval.documents.0.document.score", "0.82"),
                text("retrieval.documents.1.document.id", format!("kb-{}", trace % 50 + 1)),
                text("retrieval.documents.1.document.content", "Tracking updates can lag by 24 hours. ".repeat(4)),
            ]),
            Kind::Tool => attributes.extend([
                text("tool.name", "lookup_order"),
                text("tool.description", "Looks an order up by its number"),
                text("tool.parameters", "{\"type\":\"object\",\"properties\":{\"order\":{\"type\":\"integer\"}}}"),
                text("input.value", format!("{{\"order\":{trace}}}")),
                text("input.mime_type", "application/json"),
                text(
                    "output.value",
                    format!("{{\"order\":{trace},\"status\":\"in transit\",\"carrier\":\"{}\"}}", "DHL ".repeat(100)),
                ),
                text("output.mime_type", "application/json"),
            ]),
            Kind::Chain | Kind::Agent | Kind::Parser => attributes.extend([
                text("input.value", format!("{{\"input\":\"{question}\",\"chat_history\":[]}}")),
                text("input.mime_type", "application/json"),
                text(
                    "output.value",
                    format!("{{\"output\":\"Your order #{trace} is on its way. {}\"}}", "Thank you. ".repeat(40)),
                ),
                text("output.mime_type", "application/json"),
                text("llm.prompt_template.template", "Answer the customer: {input}"),
                text("llm.prompt_template.version", "v3"),
                text("tag.tags", "[\"support\",\"orders\"]"),
            ]),
        }
        attributes
    }
}
