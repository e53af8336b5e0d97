#!/usr/bin/env python3
"""Langfuse Python SDK (5.x) datasets and experiments client for langtrace-collector.

Against a running server: creates a dataset and 55 items through the SDK, updates one
item by id (upsert) and archives another, reads the dataset back with ``get_dataset``
(pages of 50: the SDK pages until ``meta.totalPages``), then runs an experiment over it
with ``dataset.run_experiment`` (a task, two item evaluators, one run evaluator) and
flushes. Prints one JSON line: the dataset id, the items read, the experiment id, the
run name and the traces of the items.

Errors: message on stderr, exit code 1. Uses only the ``langfuse`` package and the
standard library.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from typing import Any, Dict, Optional, Sequence

ITEMS = 55


def run(langfuse: Any, run_id: str, run_name: str) -> Dict[str, Any]:
    from langfuse import Evaluation
    from langfuse.api import DatasetStatus

    name = f"compat-{run_id}-dataset"
    dataset = langfuse.create_dataset(name=name, description="compat", metadata={"run": run_id})
    for index in range(ITEMS):
        langfuse.create_dataset_item(
            dataset_name=name,
            id=f"{run_id}-item-{index}",
            input={"a": index, "b": index},
            expected_output=str(2 * index),
            metadata={"index": index},
        )
    # Upsert by id: a new expected output, the rest kept; an archived item disappears.
    langfuse.create_dataset_item(dataset_name=name, id=f"{run_id}-item-0", expected_output="zero")
    langfuse.create_dataset_item(dataset_name=name, id=f"{run_id}-item-{ITEMS - 1}", status=DatasetStatus.ARCHIVED)

    fetched = langfuse.get_dataset(name)
    items = {item.id: item for item in fetched.items}

    def task(*, item: Any, **_: Any) -> str:
        return str(item.input["a"] + item.input["b"])

    def exact(*, input: Any, output: Any, expected_output: Any, **_: Any) -> Evaluation:
        return Evaluation(name="exact", value=1.0 if output == expected_output else 0.0)

    def length(*, output: Any, **_: Any) -> Evaluation:
        return Evaluation(name="length", value=float(len(output)))

    def accuracy(*, item_results: Any, **_: Any) -> Evaluation:
        values = [e.value for r in item_results for e in r.evaluations if e.name == "exact"]
        return Evaluation(name="accuracy", value=sum(values) / len(values))

    result = fetched.run_experiment(
        name="compat-experiment",
        run_name=run_name,
        description="the compat run",
        task=task,
        evaluators=[exact, length],
        run_evaluators=[accuracy],
        metadata={"variant": "sum"},
    )
    langfuse.flush()
    return {
        "dataset_id": dataset.id,
        "fetched_dataset_id": fetched.id,
        "item_count": len(items),
        "item_zero_expected": items[f"{run_id}-item-0"].expected_output,
        "item_zero_input": items[f"{run_id}-item-0"].input,
        "archived_listed": f"{run_id}-item-{ITEMS - 1}" in items,
        "experiment_id": result.experiment_id,
        "run_name": result.run_name,
        "traces": {r.item.id: r.trace_id for r in result.item_results},
        "run_evaluations": [(e.name, e.value) for e in result.run_evaluations],
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--public-key", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--run-name", required=True)
    args = parser.parse_args(argv)

    from langfuse import Langfuse

    langfuse = Langfuse(public_key=args.public_key, secret_key=args.secret_key, base_url=args.host,
                        flush_interval=0.5, timeout=10)
    try:
        out = run(langfuse, args.run_id, args.run_name)
        langfuse.shutdown()
        print(json.dumps(out, sort_keys=True, default=str), flush=True)
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        print(f"langfuse_datasets_client: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
