#!/usr/bin/env python3
"""Langfuse Python SDK (5.x) compatibility client for langtrace-collector.

Writes one trace through the official SDK (OTLP export done by the SDK's own
LangfuseSpanProcessor), creates three scores (POST /api/public/scores, batched by
the SDK's score consumer), flushes, then reads everything back through the SDK's
own generated API client:

  * ``langfuse.api.observations.get_many(...)``  -> GET /api/public/v2/observations
  * ``langfuse.api.scores.get_many(...)``        -> GET /api/public/v3/scores

Both reads are strictly validated by the SDK's pydantic models; a missing required
field raises ``pydantic.ValidationError`` and this script exits non-zero.

Because the SDK swallows export/score-upload errors (it only logs them), this
script also captures ERROR log records from the ``langfuse`` and
``opentelemetry`` loggers and fails if any were emitted.

Output: one JSON line on stdout. Errors: message on stderr, exit code 1.
Uses only the ``langfuse`` pip package (5.x) and the standard library.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import traceback
from typing import Any, Dict, List, Optional, Sequence

EXPECTED_OBSERVATIONS = ("outer-span", "inner-generation", "failing-step")


class _ErrorCollector(logging.Handler):
    """Collects ERROR records; the SDK logs (and otherwise ignores) upload failures."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.records.append(f"{record.name}: {record.getMessage()}")
        except Exception:  # pragma: no cover - formatting problems
            self.records.append(f"{record.name}: {record.msg!r}")


def _dump(model: Any) -> Any:
    """JSON-friendly dict of a Fern/pydantic model using wire (camelCase) names."""
    return json.loads(model.json())


def run(args: argparse.Namespace) -> Dict[str, Any]:
    from langfuse import Langfuse, get_client, observe, propagate_attributes

    run_id = args.run_id
    trace_name = f"langfuse-sdk-{run_id}"
    user_id = f"user-{run_id}"
    session_id = f"session-{run_id}"
    tags = ["compat", run_id]

    langfuse = Langfuse(
        public_key=args.public_key,
        secret_key=args.secret_key,
        base_url=args.host,
        flush_interval=0.5,
        timeout=args.timeout,
    )
    ids: Dict[str, str] = {}

    @observe(name="inner-generation", as_type="generation")
    def inner_generation(prompt: str) -> str:
        client = get_client()
        answer = f"echo: {prompt}"
        client.update_current_generation(
            model="gpt-4o",
            model_parameters={"temperature": 0.0},
            usage_details={"input": 11, "output": 7},
            output=answer,
        )
        ids["inner-generation"] = client.get_current_observation_id() or ""
        return answer

    @observe(name="failing-step")
    def failing_step() -> None:
        ids["failing-step"] = get_client().get_current_observation_id() or ""
        raise RuntimeError(f"boom-{run_id}")

    @observe(name="outer-span")
    def outer(question: str) -> Dict[str, Any]:
        client = get_client()
        with propagate_attributes(
            trace_name=trace_name, user_id=user_id, session_id=session_id, tags=tags
        ):
            ids["trace"] = client.get_current_trace_id() or ""
            ids["outer-span"] = client.get_current_observation_id() or ""
            answer = inner_generation(question)
            caught = None
            try:
                failing_step()
            except RuntimeError as exc:
                caught = str(exc)
        return {"answer": answer, "caught": caught}

    result = outer(f"what is {run_id}?")
    trace_id = ids["trace"]
    generation_id = ids["inner-generation"]
    if len(trace_id) != 32 or len(generation_id) != 16:
        raise RuntimeError(f"unexpected ids from the SDK: {ids}")

    langfuse.create_score(name="quality", value=0.9, trace_id=trace_id, data_type="NUMERIC",
                          comment="numeric compat score")
    langfuse.create_score(name="is-correct", value=1, trace_id=trace_id,
                          observation_id=generation_id, data_type="BOOLEAN")
    langfuse.create_score(name="verdict", value="good", trace_id=trace_id, data_type="CATEGORICAL")
    langfuse.flush()

    # ---- read back through the SDK's generated API client (strict pydantic) ----
    deadline = time.monotonic() + args.poll_seconds
    observations: List[Any] = []
    while True:
        observations = []
        cursor: Optional[str] = None
        while True:
            page = langfuse.api.observations.get_many(
                trace_id=trace_id,
                fields="core,basic,time,io,metadata,model,usage,trace_context",
                limit=100,
                cursor=cursor,
            )
            observations.extend(page.data)
            cursor = page.meta.cursor
            if not cursor:
                break
        have = {o.id for o in observations}
        if all(ids[name] in have for name in EXPECTED_OBSERVATIONS):
            break
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"observations not visible after {args.poll_seconds}s: got {sorted(have)}, "
                f"want {[ids[n] for n in EXPECTED_OBSERVATIONS]}"
            )
        time.sleep(0.5)

    scores: List[Any] = []
    while True:
        scores = []
        cursor = None
        while True:
            page = langfuse.api.scores.get_many(
                trace_id=trace_id, fields="details,subject", limit=100, cursor=cursor
            )
            scores.extend(page.data)
            cursor = page.meta.cursor
            if not cursor:
                break
        if {s.name for s in scores} >= {"quality", "is-correct", "verdict"}:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"scores not visible after {args.poll_seconds}s: got {[s.name for s in scores]}"
            )
        time.sleep(0.5)

    langfuse.shutdown()

    by_id = {o.id: o for o in observations}
    return {
        "trace_id": trace_id,
        "trace_name": trace_name,
        "user_id": user_id,
        "session_id": session_id,
        "tags": tags,
        "outer_result": result,
        "observation_ids": {name: ids[name] for name in EXPECTED_OBSERVATIONS},
        "observations": [
            {
                "id": o.id,
                "name": o.name,
                "type": o.type,
                "level": o.level.value if o.level is not None else None,
                "statusMessage": o.status_message,
                "parentObservationId": o.parent_observation_id,
                "model": o.model,
                "usageDetails": o.usage_details,
                "userId": o.user_id,
                "sessionId": o.session_id,
                "traceName": o.trace_name,
                "tags": o.tags,
            }
            for o in sorted(observations, key=lambda o: o.start_time)
        ],
        "observation_count": len(by_id),
        "scores": [
            {
                "id": s.id,
                "name": s.name,
                "dataType": s.data_type,
                "value": s.value,
                "source": s.source.value if hasattr(s.source, "value") else s.source,
                "subject": _dump(s.subject) if s.subject is not None else None,
            }
            for s in scores
        ],
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True, help="base URL, e.g. http://127.0.0.1:3000")
    parser.add_argument("--public-key", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--poll-seconds", type=float, default=20.0)
    parser.add_argument("--timeout", type=int, default=10, help="SDK HTTP timeout in seconds")
    args = parser.parse_args(argv)

    collector = _ErrorCollector()
    for name in ("langfuse", "opentelemetry"):
        logging.getLogger(name).addHandler(collector)

    try:
        output = run(args)
    except Exception as exc:  # includes pydantic.ValidationError and langfuse ApiError
        traceback.print_exc(file=sys.stderr)
        print(f"langfuse_sdk_client: {type(exc).__name__}: {exc}", file=sys.stderr)
        for line in collector.records:
            print(f"logged error: {line}", file=sys.stderr)
        return 1

    if collector.records:
        for line in collector.records:
            print(f"logged error: {line}", file=sys.stderr)
        print("langfuse_sdk_client: the SDK logged errors (export or score upload failed)",
              file=sys.stderr)
        return 1

    print(json.dumps(output, sort_keys=True, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
