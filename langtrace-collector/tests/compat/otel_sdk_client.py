#!/usr/bin/env python3
"""OTLP compatibility client for langtrace-collector.

Emits one trace through the stock ``opentelemetry-sdk`` (TracerProvider +
BatchSpanProcessor) and an OTLP exporter, then prints one JSON line:

    {"trace_id": "<32 hex>", "span_ids": {"<span name>": "<16 hex>", ...}, ...}

Protocols:
  http-protobuf  stock OTLPSpanExporter (opentelemetry-exporter-otlp-proto-http)
                 POST BASE_URL/api/public/otel/v1/traces, application/x-protobuf
  http-json      OTLP/HTTP JSON. The installed packages ship no JSON exporter, so
                 this uses the stock protobuf encoder (encode_spans) and converts the
                 message to OTLP/JSON (protobuf JSON mapping, lowerCamelCase keys,
                 integer enums, hex trace/span ids), POSTed as application/json.
  grpc           stock OTLPSpanExporter (opentelemetry-exporter-otlp-proto-grpc) to
                 --grpc-endpoint HOST:PORT, insecure, with an ``authorization``
                 metadata entry carrying the same Basic credentials.

The exporter is wrapped so every SpanExportResult is recorded; the script exits
non-zero if no export happened or any export returned FAILURE.

Only the pip packages opentelemetry-sdk, opentelemetry-exporter-otlp-proto-http,
opentelemetry-exporter-otlp-proto-grpc (and their dependencies) plus the
standard library are used.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import sys
import threading
import urllib.error
import urllib.request
from typing import Dict, List, Optional, Sequence

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import SpanKind, format_span_id, format_trace_id

OTLP_TRACES_PATH = "/api/public/otel/v1/traces"


def basic_auth(public_key: str, secret_key: str) -> str:
    token = base64.b64encode(f"{public_key}:{secret_key}".encode("utf-8")).decode("ascii")
    return f"Basic {token}"


class RecordingExporter(SpanExporter):
    """Delegates to a real exporter and records every SpanExportResult."""

    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self.results: List[SpanExportResult] = []
        self.exported_spans = 0
        self.errors: List[str] = []

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            result = self._inner.export(spans)
        except Exception as exc:  # an exporter should not raise, but record it
            with self._lock:
                self.errors.append(f"{type(exc).__name__}: {exc}")
                self.results.append(SpanExportResult.FAILURE)
            return SpanExportResult.FAILURE
        with self._lock:
            self.results.append(result)
            if result == SpanExportResult.SUCCESS:
                self.exported_spans += len(spans)
        return result

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


_ID_KEYS = ("traceId", "spanId", "parentSpanId")


def _hexify_ids(node):
    """protobuf's JSON mapping renders bytes as base64; OTLP/JSON wants hex ids."""
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if key in _ID_KEYS and isinstance(value, str):
                node[key] = base64.b64decode(value).hex()
            else:
                _hexify_ids(value)
    elif isinstance(node, list):
        for item in node:
            _hexify_ids(item)
    return node


class OTLPJsonHttpSpanExporter(SpanExporter):
    """Minimal OTLP/HTTP JSON exporter built on the stock protobuf encoder."""

    def __init__(self, endpoint: str, headers: Dict[str, str], timeout: float = 10.0,
                 compression: str = "none") -> None:
        self._endpoint = endpoint
        self._headers = dict(headers)
        self._timeout = timeout
        self._compression = compression
        self._shutdown = False

    @staticmethod
    def encode(spans: Sequence[ReadableSpan]) -> bytes:
        from google.protobuf.json_format import MessageToDict
        from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

        message = encode_spans(spans)
        as_dict = MessageToDict(message, use_integers_for_enums=True)
        return json.dumps(_hexify_ids(as_dict), separators=(",", ":")).encode("utf-8")

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self._shutdown:
            return SpanExportResult.FAILURE
        body = self.encode(spans)
        headers = {"Content-Type": "application/json", **self._headers}
        if self._compression == "gzip":
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        request = urllib.request.Request(self._endpoint, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500]
            print(f"otlp-json export failed: HTTP {exc.code}: {detail!r}", file=sys.stderr)
            return SpanExportResult.FAILURE
        except Exception as exc:
            print(f"otlp-json export failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS if 200 <= status < 300 else SpanExportResult.FAILURE

    def shutdown(self) -> None:
        self._shutdown = True

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def build_exporter(args: argparse.Namespace) -> SpanExporter:
    auth = basic_auth(args.public_key, args.secret_key)
    if args.protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
            OTLPSpanExporter as GrpcSpanExporter,
        )

        if not args.grpc_endpoint:
            raise SystemExit("--grpc-endpoint HOST:PORT is required for --protocol grpc")
        # gRPC metadata keys must be lowercase.
        return GrpcSpanExporter(
            endpoint=args.grpc_endpoint,
            insecure=True,
            headers=(("authorization", auth),),
            timeout=args.timeout,
        )

    endpoint = args.endpoint.rstrip("/") + OTLP_TRACES_PATH
    headers = {"Authorization": auth}
    if args.protocol == "http-protobuf":
        from opentelemetry.exporter.otlp.proto.http import Compression
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
            OTLPSpanExporter as HttpSpanExporter,
        )

        compression = Compression.Gzip if args.compression == "gzip" else Compression.NoCompression
        return HttpSpanExporter(
            endpoint=endpoint, headers=headers, timeout=args.timeout, compression=compression
        )
    if args.protocol == "http-json":
        return OTLPJsonHttpSpanExporter(
            endpoint=endpoint, headers=headers, timeout=args.timeout, compression=args.compression
        )
    raise SystemExit(f"unknown protocol {args.protocol}")


def emit_trace(provider: TracerProvider, protocol: str, run_id: str) -> Dict[str, object]:
    tracer = provider.get_tracer("langtrace-compat-otel", "0.1.0")
    session_id = f"session-{run_id}"
    user_id = f"user-{run_id}"
    root_name = f"otel-{protocol}-{run_id}"
    span_ids: Dict[str, str] = {}

    with tracer.start_as_current_span(
        root_name,
        kind=SpanKind.SERVER,
        attributes={
            "openinference.span.kind": "CHAIN",
            "input.value": json.dumps({"question": f"what is {run_id}?"}),
            "input.mime_type": "application/json",
            "output.value": json.dumps({"answer": f"{run_id} is a test run"}),
            "output.mime_type": "application/json",
            "session.id": session_id,
            "user.id": user_id,
        },
    ) as root:
        trace_id = format_trace_id(root.get_span_context().trace_id)
        span_ids[root_name] = format_span_id(root.get_span_context().span_id)

        with tracer.start_as_current_span(
            "openinference-llm",
            kind=SpanKind.CLIENT,
            attributes={
                "openinference.span.kind": "LLM",
                "llm.model_name": "gpt-4o-mini",
                "llm.token_count.prompt": 10,
                "llm.token_count.completion": 5,
                "llm.token_count.total": 15,
                "input.value": f"Say hello to {run_id}",
                "output.value": f"Hello, {run_id}!",
            },
        ) as llm:
            span_ids["openinference-llm"] = format_span_id(llm.get_span_context().span_id)

        with tracer.start_as_current_span(
            "chat claude-3-haiku",
            kind=SpanKind.CLIENT,
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "anthropic",
                "gen_ai.system": "anthropic",
                "gen_ai.request.model": "claude-3-haiku",
                "gen_ai.usage.input_tokens": 7,
                "gen_ai.usage.output_tokens": 3,
                "gen_ai.conversation.id": session_id,
            },
        ) as chat:
            span_ids["chat claude-3-haiku"] = format_span_id(chat.get_span_context().span_id)

    return {
        "trace_id": trace_id,
        "span_ids": span_ids,
        "trace_name": root_name,
        "session_id": session_id,
        "user_id": user_id,
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="base URL, e.g. http://127.0.0.1:3000")
    parser.add_argument("--public-key", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--protocol", required=True, choices=["http-protobuf", "http-json", "grpc"])
    parser.add_argument("--grpc-endpoint", default=None, help="HOST:PORT of the OTLP gRPC listener")
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--compression", choices=["none", "gzip"], default="none",
                        help="HTTP body compression (default none)")
    parser.add_argument("--timeout", type=float, default=10.0, help="export timeout in seconds")
    args = parser.parse_args(argv)

    try:
        exporter = RecordingExporter(build_exporter(args))
        provider = TracerProvider(
            resource=Resource.create(
                {"service.name": "langtrace-compat-otel", "service.version": "0.1.0"}
            )
        )
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=200))
        info = emit_trace(provider, args.protocol, args.run_id)
        flushed = provider.force_flush(int(args.timeout * 1000) + 5000)
        provider.shutdown()
    except SystemExit:
        raise
    except Exception as exc:
        print(f"otel_sdk_client: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1

    failures = [r for r in exporter.results if r != SpanExportResult.SUCCESS]
    expected = len(info["span_ids"])  # type: ignore[arg-type]
    if not flushed or not exporter.results or failures or exporter.errors \
            or exporter.exported_spans < expected:
        print(
            "otel_sdk_client: export failed: "
            f"flushed={flushed} results={[r.name for r in exporter.results]} "
            f"exported_spans={exporter.exported_spans}/{expected} errors={exporter.errors}",
            file=sys.stderr,
        )
        return 1

    info["protocol"] = args.protocol
    info["exported_spans"] = exporter.exported_spans
    print(json.dumps(info, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
