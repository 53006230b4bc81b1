#!/usr/bin/env python3
"""Benchmark: affected services from Python, against pathspec and the shiprail CLI, in one run.

    python tests/bench/python_affected.py WORKLOAD.json INPUT_DIR --cli SHIPRAIL \\
        --peer-python PYTHON [--runs 7] [--label "1000 100000 100 3"]

WORKLOAD.json is written by tests/bench/gen_monorepo.py and INPUT_DIR by tests/bench/to_shiprail.py
(`shiprail.yaml` and `changed.txt` of the same workload); `tests/bench/python_affected.sh` does
all of it with release builds. Contenders, all on the same workload:

- shiprail from Python, the data passed as Python lists: one `ServiceRules` per service built
  from its include and exclude lists, `AffectedMatcher.from_rules`, then `affected(changed)`
  with the 100,000 changed paths as a `list[str]` (median of RUNS; what is timed is everything
  from the lists to the result);
- shiprail from Python, `Config.from_yaml(text).affected_paths(changed)`, the route the CLI
  takes (the configuration read from YAML text);
- the shiprail CLI, `shiprail affected --config shiprail.yaml --changed-from changed.txt`
  (release build; median wall time of RUNS whole processes, and its in-library evaluation
  from the hidden `--timings` flag);
- pathspec, through the project's peer tests/bench/peer_pathspec.py run by PYTHON (one spec per
  service, as a Python release script would; one run: it takes minutes), whose evaluation time
  is its loop over the services.

It checks that every contender found the same services, prints a Markdown table, and exits 1
when the sets differ or a target is missed: shiprail from Python lists at least 500x faster
than pathspec's evaluation, and within 2x of the CLI's whole process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import shiprail

BENCH = Path(__file__).resolve().parent


def timed(call: Callable[[], list[str]], runs: int) -> tuple[float, list[str]]:
    """Median wall time in ms of `runs` calls, and the result of the last."""
    times: list[float] = []
    result: list[str] = []
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), result


def from_lists(workload: dict[str, Any]) -> list[str]:
    """Everything from the Python lists to the answer: rules, matcher, matching."""
    rules = [
        shiprail.ServiceRules(service["name"], include=service["include"], exclude=service["exclude"])
        for service in workload["services"]
    ]
    matcher = shiprail.AffectedMatcher.from_rules(rules)
    return matcher.affected(workload["changed"]).services


def run_cli(cli: str, input_dir: Path, runs: int) -> tuple[float, float, list[str]]:
    """Median whole-process wall time and in-library evaluation (ms) of the CLI, and its answer."""
    command = [
        cli,
        "affected",
        "--config",
        str(input_dir / "shiprail.yaml"),
        "--changed-from",
        str(input_dir / "changed.txt"),
        "--timings",
    ]
    subprocess.run(command, capture_output=True, check=True)  # warm the page cache
    walls: list[float] = []
    evaluations: list[float] = []
    affected: list[str] = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        walls.append((time.perf_counter() - start) * 1e3)
        affected = json.loads(done.stdout)["affected"]
        evaluations.append(json.loads(done.stderr)["timings_ms"]["evaluate"])
    return statistics.median(walls), statistics.median(evaluations), affected


def run_pathspec(peer_python: str, workload_path: Path) -> tuple[float, float, list[str]]:
    """The peer's whole-process wall time and evaluation (ms), and its answer."""
    start = time.perf_counter()
    done = subprocess.run(
        [peer_python, str(BENCH / "peer_pathspec.py"), str(workload_path)], capture_output=True, text=True, check=True
    )
    wall = (time.perf_counter() - start) * 1e3
    report = json.loads(done.stdout)
    return wall, float(report["ms"]), list(report["affected"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("workload", type=Path)
    parser.add_argument("input_dir", type=Path)
    parser.add_argument("--cli", required=True, help="the shiprail binary (release build)")
    parser.add_argument("--peer-python", required=True, help="a Python with pathspec installed")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--label", default="", help="the generator's arguments, for the report")
    args = parser.parse_args(argv)

    workload: dict[str, Any] = json.loads(args.workload.read_text(encoding="utf-8"))
    yaml_text = (args.input_dir / "shiprail.yaml").read_text(encoding="utf-8")
    changed: list[str] = workload["changed"]

    lists_ms, ours = timed(lambda: from_lists(workload), args.runs)
    yaml_ms, from_yaml = timed(lambda: shiprail.Config.from_yaml(yaml_text).affected_paths(changed).services, args.runs)
    matcher = shiprail.AffectedMatcher.from_rules(
        [shiprail.ServiceRules(s["name"], include=s["include"], exclude=s["exclude"]) for s in workload["services"]]
    )
    match_ms, matched = timed(lambda: matcher.affected(changed).services, args.runs)
    cli_wall, cli_eval, cli = run_cli(args.cli, args.input_dir, args.runs)
    peer_wall, peer_eval, peer = run_pathspec(args.peer_python, args.workload)

    answers = {"shiprail (lists)": ours, "shiprail (yaml)": from_yaml, "matcher reused": matched, "CLI": cli, "pathspec": peer}
    for name, answer in answers.items():
        if answer != ours:
            print(
                f"MISMATCH: {name} found {len(answer)} services, shiprail from lists {len(ours)}; "
                f"only {name}: {sorted(set(answer) - set(ours))[:10]}, only shiprail: {sorted(set(ours) - set(answer))[:10]}"
            )
            return 1

    label = f"`gen_monorepo.py {args.label}`: " if args.label else ""
    print(
        f"workload {label}{len(workload['services'])} services, {len(changed):,} changed paths, "
        f"{matcher.pattern_count} distinct patterns; {len(ours)} services affected, identical for every contender"
    )
    print()
    print("| contender | what is timed | time (ms) | pathspec evaluation / this | this / CLI whole process |")
    print("|---|---|---:|---:|---:|")
    rows = [
        ("shiprail from Python lists", "`ServiceRules` from the lists, `AffectedMatcher.from_rules`, `affected(changed)`", lists_ms),
        ("shiprail from Python, YAML", "`Config.from_yaml(text).affected_paths(changed)`", yaml_ms),
        ("shiprail from Python, matcher reused", "`matcher.affected(changed)` (compiled once)", match_ms),
        ("shiprail CLI", "whole process: `shiprail affected --config ... --changed-from ...`", cli_wall),
        ("shiprail CLI", "in-library evaluation (`--timings`: compile + match)", cli_eval),
        ("pathspec", "evaluation: its loop over the services", peer_eval),
        ("pathspec", "whole process (Python start, loading the workload)", peer_wall),
    ]
    for name, what, ms in rows:
        print(f"| {name} | {what} | {ms:,.1f} | {peer_eval / ms:,.0f}x | {ms / cli_wall:.2f} |")
    try:
        load = Path("/proc/loadavg").read_text(encoding="utf-8").split()[0]
    except OSError:
        load = "unknown"
    print()
    print(
        f"median of {args.runs} runs for shiprail (Python {sys.version.split()[0]}, shiprail {shiprail.__version__}), "
        f"one run of pathspec; {os.cpu_count()} cores, 1-minute load average {load} at the end"
    )
    targets = [
        ("shiprail from Python lists >= 500x faster than pathspec's evaluation", peer_eval / lists_ms >= 500),
        ("shiprail from Python lists within 2x of the CLI's whole process", lists_ms <= 2 * cli_wall),
    ]
    print()
    for text, ok in targets:
        print(f"- target {text}: {'met' if ok else 'NOT MET'}")
    return 0 if all(ok for _, ok in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
