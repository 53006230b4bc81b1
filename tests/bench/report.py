#!/usr/bin/env python3
"""Checks that the three implementations found the same affected services and prints the
benchmark table (Markdown).

usage: report.py WORKDIR ARGS...   (WORKDIR holds the files written by affected.sh)
"""
import json
import os
import statistics
import sys


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def peak_rss_kib(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "Maximum resident set size" in line:
                return int(line.rsplit(":", 1)[1])
    raise SystemExit(f"no peak RSS in {path}")


def cpu_ms(path):
    """User + system CPU time from a `/usr/bin/time -v` report (10 ms resolution)."""
    total = 0.0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "User time (seconds)" in line or "System time (seconds)" in line:
                total += float(line.rsplit(":", 1)[1]) * 1e3
    return total


def wall_ms(path):
    with open(path, encoding="utf-8") as f:
        return [int(x) / 1e6 for x in f.read().split()]


def main(argv):
    work, args = argv[1], " ".join(argv[2:])
    shiprail = read_json(os.path.join(work, "shiprail.json"))["affected"]
    timings = [read_json(os.path.join(work, n)) for n in sorted(os.listdir(work)) if n.startswith("timings.")]
    peers = {name: read_json(os.path.join(work, f"{name}.json")) for name in ("picomatch", "pathspec")}
    for name, peer in peers.items():
        if peer["affected"] != shiprail:
            only_peer = sorted(set(peer["affected"]) - set(shiprail))
            only_ours = sorted(set(shiprail) - set(peer["affected"]))
            print(f"MISMATCH: {name} found {len(peer['affected'])} services, shiprail {len(shiprail)};"
                  f" only {name}: {only_peer[:10]}, only shiprail: {only_ours[:10]}")
            return 1

    ours_wall = statistics.median(wall_ms(os.path.join(work, "shiprail.wall")))
    ours_reports = [os.path.join(work, n) for n in os.listdir(work) if n.startswith("shiprail.rss.")]
    ours_rss = max(peak_rss_kib(r) for r in ours_reports)
    ours_cpu = statistics.median(cpu_ms(r) for r in ours_reports)
    evaluate = statistics.median(t["timings_ms"]["evaluate"] for t in timings)
    compile_ms = statistics.median(t["timings_ms"]["compile"] for t in timings)
    match_ms = statistics.median(t["timings_ms"]["match"] for t in timings)
    load_ms = statistics.median(t["timings_ms"]["load_config"] for t in timings)
    t0 = timings[0]
    rows = [("shiprail", ours_wall, ours_cpu, evaluate, ours_rss, 1.0)]
    for name in ("picomatch", "pathspec"):
        wall = wall_ms(os.path.join(work, f"{name}.wall"))[0]
        report = os.path.join(work, f"{name}.rss")
        rows.append((name, wall, cpu_ms(report), peers[name]["ms"], peak_rss_kib(report), wall / ours_wall))

    print(f"workload `gen_monorepo.py {args}`: {t0['services']} services, {t0['patterns']} distinct"
          f" patterns, {t0['paths']} changed paths; {len(shiprail)} services affected, identical in all three")
    print()
    print("| implementation | whole process, wall (ms) | whole process, CPU (ms) | evaluation (ms) | peak RSS (MiB) | wall vs shiprail |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, wall, cpu, ev, rss, ratio in rows:
        print(f"| {name} | {wall:,.1f} | {cpu:,.0f} | {ev:,.1f} | {rss / 1024:,.1f} | {ratio:,.0f}x |")
    print()
    print(f"shiprail, median of {len(timings)} runs: load shiprail.yaml {load_ms:.1f} ms, compile the"
          f" matcher {compile_ms:.1f} ms, match {match_ms:.1f} ms (evaluation = compile + match)")
    targets = [
        ("whole process <= 1/100 of picomatch", rows[1][1] / ours_wall >= 100),
        ("peak RSS < 64 MiB", ours_rss / 1024 < 64),
        ("evaluation < 30 ms", evaluate < 30),
    ]
    try:
        with open("/proc/loadavg", encoding="utf-8") as f:
            load = f.read().split()[0]
    except OSError:
        load = "unknown"
    print(f"machine: {os.cpu_count()} cores, 1-minute load average {load} at the end of the run")
    print()
    for text, ok in targets:
        print(f"- target {text}: {'met' if ok else 'NOT MET'}")
    return 0 if all(ok for _, ok in targets) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
