#!/usr/bin/env python3
"""Which of the monorepo's pipelines does this push or pull request run? Written with shiprail.

Evaluates one event against every pipeline file given (Azure Pipelines files or GitHub Actions
workflows, the dialect detected from each file), or by default against every pipeline of the
Drone Delivery sample, and prints one JSON line per file: ``{"pipeline", "dialect", "run",
"reason"}``. In GitHub Actions it also appends ``<dialect>-<file name>=true|false`` to
``$GITHUB_OUTPUT``, for the ``if:`` of later jobs.

    git diff --name-status "$BASE_SHA" "$GITHUB_SHA" > changed.txt
    python examples/python/pipeline_runs.py --changed changed.txt pipelines/azure/*.yml

The event defaults to the runner's environment: ``GITHUB_EVENT_NAME`` (push, pull_request,
workflow_dispatch, ...), ``GITHUB_REF`` for a push, ``GITHUB_HEAD_REF`` and ``GITHUB_BASE_REF``
for a pull request; ``--kind``, ``--ref`` and ``--base-ref`` override it. Without
``--changed`` the changes are unknown and path filters exclude nothing. The files are read
concurrently (``Pipeline.load_async``). An invalid pipeline or event exits 1 with
``{"error": {"code", "message", ...}}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import shiprail

DRONE = Path(__file__).resolve().parent.parent / "drone-delivery"


def default_pipelines() -> list[Path]:
    """Every pipeline of the sample monorepo, Azure Pipelines first."""
    return sorted((DRONE / "pipelines" / "azure").glob("*.yml")) + sorted(
        (DRONE / ".github" / "workflows").glob("*.yml")
    )


def event_from(args: argparse.Namespace) -> shiprail.Event:
    """The event of the options, falling back on GitHub Actions' environment."""
    kind = args.kind or os.environ.get("GITHUB_EVENT_NAME", "push")
    pull = kind.startswith("pull_request") or kind == "pr"
    ref = args.ref or os.environ.get("GITHUB_HEAD_REF" if pull else "GITHUB_REF", "")
    base_ref = args.base_ref or (os.environ.get("GITHUB_BASE_REF") if pull else None)
    changed = shiprail.parse_changed_lines(args.changed.read_text(encoding="utf-8")) if args.changed else None
    return shiprail.Event(kind=kind, ref=ref, base_ref=base_ref, changed=changed)


async def load_all(paths: Sequence[Path]) -> list[shiprail.Pipeline]:
    """Reads and parses every file at once, in worker threads."""
    return await asyncio.gather(*(shiprail.Pipeline.load_async(path) for path in paths))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("pipelines", nargs="*", type=Path, help="pipeline files (default: the sample's)")
    parser.add_argument("--kind", help="push, pull_request, pull_request_target or manual")
    parser.add_argument("--ref", help="the ref pushed, or the pull request's source branch")
    parser.add_argument("--base-ref", help="the pull request's target branch")
    parser.add_argument("--changed", type=Path, help="changed paths: `git diff --name-status` output")
    args = parser.parse_args(argv)
    paths: list[Path] = args.pipelines or default_pipelines()
    try:
        event = event_from(args)
        pipelines = asyncio.run(load_all(paths))
        decisions = [pipeline.evaluate(event) for pipeline in pipelines]
    except shiprail.ShiprailError as error:
        report = {"code": error.code, "message": str(error), "file": error.file, "line": error.line}
        print(json.dumps({"error": report}))
        return 1
    outputs = []
    for path, pipeline, decision in zip(paths, pipelines, decisions):
        line = {"pipeline": str(path), "dialect": pipeline.dialect, "run": decision.run, "reason": decision.reason}
        print(json.dumps(line))
        outputs.append(f"{pipeline.dialect}-{path.stem}={str(decision.run).lower()}\n")
    if github_output := os.environ.get("GITHUB_OUTPUT"):
        with open(github_output, "a", encoding="utf-8") as out:
            out.writelines(outputs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
