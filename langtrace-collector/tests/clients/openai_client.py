#!/usr/bin/env python3
"""The `openai` Python client under one of three instrumentations, for tests/clients.rs.

Instruments `openai` with --instrumentation (openllmetry: opentelemetry-instrumentation-openai;
openinference: openinference-instrumentation-openai; genai: opentelemetry-instrumentation-openai-v2,
the official GenAI instrumentation), exports with the stock OTLP/HTTP protobuf exporter to
the collector, and makes four calls against the mock provider at --mock-url, each inside a
parent span of its own (so each case is one trace):

  plain   a system and a user message, a JSON answer
  stream  the same, streamed (server-sent events, usage in the last chunk)
  tool    a call offering a tool, answered with a tool call, then the tool's result sent back
  error   a call the mock refuses with 429 (no retries)

Prints one JSON line: {"plain": "<trace id>", "stream": ..., "tool": ..., "error": ...}.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys

CASES = ("plain", "stream", "tool", "error")
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def instrument(name: str) -> None:
    if name == "openllmetry":
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor
    elif name == "openinference":
        from openinference.instrumentation.openai import OpenAIInstrumentor
    elif name == "genai":
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
    else:
        raise SystemExit(f"unknown instrumentation {name!r}")
    OpenAIInstrumentor().instrument()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instrumentation", required=True)
    parser.add_argument("--mock-url", required=True)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--public-key", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--model", required=True)
    args = parser.parse_args()

    # The official GenAI instrumentation records message content only when asked to. On
    # its legacy path ("true") content goes to log events, which an OTLP trace endpoint
    # never sees; on the latest conventions, "span_only" puts the messages on the span
    # (`gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.system_instructions`).
    os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "gen_ai_latest_experimental")
    os.environ.setdefault("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "span_only")

    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    token = base64.b64encode(f"{args.public_key}:{args.secret_key}".encode()).decode()
    exporter = OTLPSpanExporter(
        endpoint=f"{args.endpoint}/api/public/otel/v1/traces",
        headers={"Authorization": f"Basic {token}"},
    )
    provider = TracerProvider(resource=Resource.create({"service.name": f"clients-{args.instrumentation}"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    instrument(args.instrumentation)

    import openai

    client = openai.OpenAI(base_url=args.mock_url, api_key="sk-mock", max_retries=0)
    tracer = trace.get_tracer("langtrace-clients-test")
    system = {"role": "system", "content": "You answer in one sentence."}
    trace_ids = {}

    def case(name):
        return tracer.start_as_current_span(f"{args.instrumentation}-{name}")

    with case("plain") as span:
        trace_ids["plain"] = span.get_span_context().trace_id
        client.chat.completions.create(
            model=args.model, messages=[system, {"role": "user", "content": "What is the capital of France?"}]
        )

    with case("stream") as span:
        trace_ids["stream"] = span.get_span_context().trace_id
        chunks = client.chat.completions.create(
            model=args.model,
            messages=[system, {"role": "user", "content": "Stream the capital of Italy."}],
            stream=True,
            stream_options={"include_usage": True},
        )
        for _ in chunks:
            pass

    with case("tool") as span:
        trace_ids["tool"] = span.get_span_context().trace_id
        messages = [system, {"role": "user", "content": "What is the weather in Paris?"}]
        first = client.chat.completions.create(model=args.model, messages=messages, tools=[WEATHER_TOOL])
        call = first.choices[0].message.tool_calls[0]
        messages.append(first.choices[0].message.model_dump(exclude_none=True))
        messages.append({"role": "tool", "tool_call_id": call.id, "content": "Sunny, 21 degrees"})
        client.chat.completions.create(model=args.model, messages=messages, tools=[WEATHER_TOOL])

    with case("error") as span:
        trace_ids["error"] = span.get_span_context().trace_id
        try:
            client.chat.completions.create(
                model=args.model, messages=[system, {"role": "user", "content": "please fail now"}]
            )
            raise SystemExit("the mock was expected to refuse the call")
        except openai.RateLimitError:
            pass

    provider.force_flush()
    provider.shutdown()
    print(json.dumps({name: format(trace_ids[name], "032x") for name in CASES}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
