#!/usr/bin/env python3
"""Benchmark: sorting 10,000 release versions with shiprail vs PyPI `semver`.

    python tests/bench/python_versions.py [--count 10000] [--repeat 7] [--json]

The workload is generated here (seeded, so every run sorts the same list): versions as a
monorepo's tags carry them, `v`-prefixed or not, a third with pre-releases (`alpha`, `beta.N`,
`rc.N`), some with build metadata. Each contender turns the strings into ordered version
objects:

- `semver.Version.parse` + `sorted()`: the usual pure-Python way;
- `shiprail.ReleaseVersion` + `sorted()`: one native object per string, Python's sort calling
  `__lt__` across the boundary;
- `shiprail.sort_versions`: the batch API, parse and sort in one call.

The orders are checked to agree (by SemVer precedence; the two libraries break ties between
equal-precedence versions differently, since precedence ignores build metadata), then the
median time of each is printed. It needs `pip install semver shiprail`.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import semver

import shiprail


def workload(count: int, seed: int = 20240601) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(count):
        text = f"{rng.randint(0, 12)}.{rng.randint(0, 40)}.{rng.randint(0, 200)}"
        roll = rng.random()
        if roll < 0.12:
            text += "-alpha"
        elif roll < 0.22:
            text += f"-beta.{rng.randint(0, 9)}"
        elif roll < 0.33:
            text += f"-rc.{rng.randint(0, 20)}"
        if rng.random() < 0.1:
            text += f"+sha.{rng.getrandbits(28):07x}"
        out.append(("v" if rng.random() < 0.5 else "") + text)
    return out


def semver_parse(text: str) -> semver.Version:
    return semver.Version.parse(text[1:] if text.startswith("v") else text)


def with_semver(texts: Sequence[str]) -> list[Any]:
    return sorted(semver_parse(t) for t in texts)


def with_shiprail_objects(texts: Sequence[str]) -> list[Any]:
    return sorted(shiprail.ReleaseVersion(t) for t in texts)


def with_shiprail_batch(texts: Sequence[str]) -> list[Any]:
    return shiprail.sort_versions(texts)


def check_agreement(texts: Sequence[str]) -> None:
    """Every contender gives a non-decreasing sequence by semver's precedence, of the same versions."""
    expected = sorted(str(semver_parse(t)) for t in texts)
    for name, run in CONTENDERS:
        ordered = [str(v) for v in run(texts)]
        assert sorted(ordered) == expected, f"{name}: not the same versions"
        parsed = [semver.Version.parse(v) for v in ordered]
        bad = next((i for i in range(1, len(parsed)) if parsed[i - 1].compare(parsed[i]) > 0), None)
        assert bad is None, f"{name}: {ordered[bad - 1]} sorted before {ordered[bad]}"


CONTENDERS: list[tuple[str, Callable[[Sequence[str]], list[Any]]]] = [
    ("semver (PyPI) parse + sorted()", with_semver),
    ("shiprail ReleaseVersion + sorted()", with_shiprail_objects),
    ("shiprail.sort_versions (batch)", with_shiprail_batch),
]


def measure(run: Callable[[Sequence[str]], list[Any]], texts: Sequence[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(texts)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="sort versions: shiprail vs semver")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    texts = workload(args.count)
    check_agreement(texts)
    results = {name: measure(run, texts, args.repeat) for name, run in CONTENDERS}
    baseline = results[CONTENDERS[0][0]]
    if args.json:
        print(json.dumps({"count": args.count, "repeat": args.repeat, "median_seconds": results}, indent=2))
        return 0
    print(
        f"sorting {args.count} versions, median of {args.repeat} runs "
        f"(Python {sys.version.split()[0]}, semver {semver.__version__}, shiprail {shiprail.__version__})"
    )
    for name, seconds in results.items():
        print(f"  {name:<38} {seconds * 1000:9.2f} ms   {baseline / seconds:6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
