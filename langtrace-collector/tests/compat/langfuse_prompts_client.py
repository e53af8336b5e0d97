#!/usr/bin/env python3
"""Langfuse Python SDK (5.x) prompt-management client for langtrace-collector.

Phase 1, against a running server: creates prompts through the SDK (text with tags in a
folder, a composed text prompt, chat with a placeholder), fetches them by default, by
label and by version, compiles them, moves ``production`` with ``update_prompt``, lists
them through the SDK's own API client (strict pydantic models), gets a fallback for a
prompt that does not exist, and records two generations (one with a fetched prompt, one
with the fallback). Prints one JSON line, then waits for a line on stdin: the caller
stops the server meanwhile.

Phase 2, server stopped: the cached prompt is still served, a prompt never fetched
falls back when given a fallback and raises without one. Prints a second JSON line.

Errors: message on stderr, exit code 1. Uses only the ``langfuse`` package and the
standard library.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from typing import Any, Dict, Optional, Sequence


def phase_one(langfuse: Any, run_id: str) -> Dict[str, Any]:
    tone = f"compat-{run_id}-tone"
    greet = f"compat/{run_id}/greet"
    chat_name = f"compat-{run_id}-chat"
    langfuse.create_prompt(name=tone, prompt="Be brief.", labels=["production"])
    first = langfuse.create_prompt(
        name=greet,
        prompt="Hello {{name}}, welcome to {{place}}.",
        labels=["production"],
        tags=["compat", run_id],
        config={"temperature": 0.1},
        commit_message="first greeting",
    )
    second = langfuse.create_prompt(
        name=greet,
        prompt=f"Hi {{{{name}}}}! @@@langfusePrompt:name={tone}|label=production@@@",
        labels=["staging"],
    )
    chat = langfuse.create_prompt(
        name=chat_name,
        type="chat",
        prompt=[
            {"role": "system", "content": "You are {{persona}}."},
            {"type": "placeholder", "name": "history"},
            {"role": "user", "content": "{{question}}"},
        ],
        labels=["production"],
        tags=["chat"],
    )

    default = langfuse.get_prompt(greet, cache_ttl_seconds=0)
    staging = langfuse.get_prompt(greet, label="staging", cache_ttl_seconds=0)
    by_version = langfuse.get_prompt(greet, version=1, cache_ttl_seconds=0)
    fetched_chat = langfuse.get_prompt(chat_name, type="chat", cache_ttl_seconds=0)
    compiled_chat = fetched_chat.compile(
        persona="a pirate",
        question="Where is the treasure?",
        history=[{"role": "user", "content": "Ahoy"}, {"role": "assistant", "content": "Arr"}],
    )

    langfuse.update_prompt(name=greet, version=2, new_labels=["production"])
    promoted = langfuse.get_prompt(greet)  # cached with the default TTL for phase 2

    listed = langfuse.api.prompts.list(name=greet)
    fallback = langfuse.get_prompt(f"compat-{run_id}-missing", fallback="Fallback {{x}}", max_retries=0)

    linked = langfuse.start_observation(name="prompted-generation", as_type="generation", prompt=promoted,
                                        model="gpt-4o", input="hi")
    linked.update(output="hello")
    linked.end()
    unlinked = langfuse.start_observation(name="fallback-generation", as_type="generation", prompt=fallback,
                                          model="gpt-4o", input="hi")
    unlinked.end()
    langfuse.flush()

    return {
        "greet": greet,
        "tone": tone,
        "created": [first.version, second.version, chat.version],
        "created_labels": [sorted(first.labels), sorted(second.labels)],
        "default": {"version": default.version, "text": default.prompt, "tags": default.tags,
                    "config": default.config, "commit_message": default.commit_message},
        "staging": {"version": staging.version, "text": staging.prompt},
        "by_version": by_version.version,
        "compiled": by_version.compile(name="Ada", place="Paris"),
        "compiled_partial": by_version.compile(name="Ada"),
        "chat_variables": fetched_chat.variables,
        "compiled_chat": compiled_chat,
        "promoted": {"version": promoted.version, "labels": sorted(promoted.labels), "text": promoted.prompt},
        "listed": [{"name": p.name, "versions": p.versions, "labels": sorted(p.labels), "tags": p.tags}
                   for p in listed.data],
        "listed_total": listed.meta.total_items,
        "fallback": {"is_fallback": fallback.is_fallback, "text": fallback.prompt},
        "linked": {"trace_id": linked.trace_id, "id": linked.id},
        "unlinked": {"trace_id": unlinked.trace_id, "id": unlinked.id},
    }


def phase_two(langfuse: Any, run_id: str, greet: str) -> Dict[str, Any]:
    cached = langfuse.get_prompt(greet)
    fallback = langfuse.get_prompt(f"compat-{run_id}-never", fallback="Offline {{x}}", max_retries=0,
                                   fetch_timeout_seconds=2)
    raised = None
    try:
        langfuse.get_prompt(f"compat-{run_id}-never-either", max_retries=0, fetch_timeout_seconds=2)
    except Exception as exc:  # the SDK raises whatever the transport raised
        raised = type(exc).__name__
    return {
        "cached": {"version": cached.version, "is_fallback": cached.is_fallback, "text": cached.prompt},
        "fallback": {"is_fallback": fallback.is_fallback, "compiled": fallback.compile(x="mode")},
        "raised_without_fallback": raised,
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--public-key", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--run-id", required=True)
    args = parser.parse_args(argv)

    from langfuse import Langfuse

    langfuse = Langfuse(public_key=args.public_key, secret_key=args.secret_key, base_url=args.host,
                        flush_interval=0.5, timeout=10)
    try:
        first = phase_one(langfuse, args.run_id)
        print(json.dumps(first, sort_keys=True, default=str), flush=True)
        sys.stdin.readline()  # the caller stops the server
        second = phase_two(langfuse, args.run_id, first["greet"])
        print(json.dumps(second, sort_keys=True, default=str), flush=True)
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        print(f"langfuse_prompts_client: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
