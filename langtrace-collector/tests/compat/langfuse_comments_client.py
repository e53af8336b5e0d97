#!/usr/bin/env python3
"""Langfuse Python SDK (5.x) comments client for langtrace-collector.

Against a running server holding trace ``--trace-id``: creates a comment on it and one on
its session through the SDK's API client (``langfuse.api.comments.create``), reads them
back with ``comments.get`` (filtered by object) and ``comments.get_by_id`` (the SDK's
strict pydantic models validate every answer), and checks that a comment on a trace the
project does not have raises the SDK's ``NotFoundError``. Prints one JSON line.

Errors: message on stderr, exit code 1. Uses only the ``langfuse`` package and the
standard library.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from typing import Any, Dict, Optional, Sequence


def run(args: argparse.Namespace) -> Dict[str, Any]:
    from langfuse import Langfuse
    from langfuse.api import NotFoundError

    langfuse = Langfuse(public_key=args.public_key, secret_key=args.secret_key, base_url=args.host)
    api = langfuse.api
    project_id = api.projects.get().data[0].id
    on_trace = api.comments.create(
        project_id=project_id,
        object_type="TRACE",
        object_id=args.trace_id,
        content="checked by the SDK",
        author_user_id="sdk-user",
    )
    on_session = api.comments.create(
        project_id=project_id, object_type="SESSION", object_id=args.session_id, content="session note"
    )
    try:
        api.comments.create(project_id=project_id, object_type="TRACE", object_id="f" * 32, content="lost")
        missing = "created"
    except NotFoundError:
        missing = "not found"
    listed = api.comments.get(object_type="TRACE", object_id=args.trace_id)
    one = api.comments.get_by_id(comment_id=on_session.id)
    langfuse.shutdown()
    return {
        "trace_comment_id": on_trace.id,
        "listed": [
            {"id": c.id, "content": c.content, "author": c.author_user_id, "object_type": str(c.object_type)}
            for c in listed.data
        ],
        "total": listed.meta.total_items,
        "session_comment": {"id": one.id, "object_id": one.object_id, "content": one.content},
        "missing": missing,
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True, help="base URL, e.g. http://127.0.0.1:3000")
    parser.add_argument("--public-key", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--trace-id", required=True)
    parser.add_argument("--session-id", required=True)
    args = parser.parse_args(argv)
    try:
        output = run(args)
    except Exception as exc:  # includes pydantic.ValidationError and langfuse ApiError
        traceback.print_exc(file=sys.stderr)
        print(f"langfuse_comments_client: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(output, sort_keys=True, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
