#!/usr/bin/env bash
# The plan benchmark (not part of the test command): `shiprail plan` against `shiprail affected`
# on the same workload, as whole processes.
#
#   bash tests/bench/plan.sh [SERVICES CHANGED HOT SEED]     (default: 1000 100000 100 3)
#
# Builds shiprail in release mode (or uses $SHIPRAIL_BIN), generates the workload of
# tests/bench/affected.sh (tests/bench/gen_monorepo.py, converted by tests/bench/to_shiprail.py)
# and runs, RUNS times each (default 5):
#   - shiprail affected --config shiprail.yaml --changed-from changed.txt
#   - shiprail plan --config shiprail.yaml --event pull_request --ref feature/svc0000/bench
#       --base-ref main --changed-from changed.txt                       (the whole plan, JSON)
#   - the same with --output github                                       (the CI variables)
# It checks that the plan's services are the affected services, prints median wall times, the
# ratios and peak RSS, and exits non-zero when a plan takes more than 2x `shiprail affected`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/tests/bench"
if [ $# -eq 0 ]; then set -- 1000 100000 100 3; fi
RUNS="${RUNS:-5}"
WORK="$(mktemp -d /tmp/shiprail-bench-plan.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

step() { printf '==> %s\n' "$*" >&2; }

if [ ! -x /usr/bin/time ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
if [ -n "${SHIPRAIL_BIN:-}" ]; then
  SHIPRAIL="$SHIPRAIL_BIN"
else
  step "cargo build --release -p shiprail-cli"
  (cd "$ROOT" && cargo build --release -q -p shiprail-cli)
  SHIPRAIL="${CARGO_TARGET_DIR:-$ROOT/target}/release/shiprail"
fi

step "workload: gen_monorepo.py $*"
python3 "$BENCH/gen_monorepo.py" "$@" "$WORK/workload.json"
python3 "$BENCH/to_shiprail.py" "$WORK/workload.json" "$WORK/input"
CFG="$WORK/input/shiprail.yaml"
CHANGED="$WORK/input/changed.txt"

AFFECTED=(affected --config "$CFG" --changed-from "$CHANGED")
PLAN=(plan --config "$CFG" --event pull_request --ref feature/svc0000/bench --base-ref main
      --changed-from "$CHANGED")

# measure NAME ARGS...: RUNS timed runs (after one warm-up); wall ns a line in NAME.wall, the
# last run's /usr/bin/time -v report in NAME.rss and stdout in NAME.out.
measure() {
  local name="$1" t0 t1 i; shift
  "$SHIPRAIL" "$@" >/dev/null
  for i in $(seq 1 "$RUNS"); do
    t0=$(date +%s%N)
    /usr/bin/time -v -o "$WORK/$name.rss" "$SHIPRAIL" "$@" >"$WORK/$name.out"
    t1=$(date +%s%N)
    echo $((t1 - t0)) >>"$WORK/$name.wall"
  done
}

step "shiprail affected ($RUNS runs)"
measure affected "${AFFECTED[@]}"
step "shiprail plan ($RUNS runs)"
measure plan "${PLAN[@]}"
step "shiprail plan --output github ($RUNS runs)"
measure github "${PLAN[@]}" --output github

python3 - "$WORK" "$@" <<'EOF'
import json, os, re, statistics, sys
work, args = sys.argv[1], sys.argv[2:]
def median_ms(name):
    with open(os.path.join(work, name + ".wall")) as f:
        return statistics.median(int(l) for l in f if l.strip()) / 1e6
def rss_mib(name):
    with open(os.path.join(work, name + ".rss")) as f:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
    return int(m.group(1)) / 1024 if m else float("nan")
affected = json.load(open(os.path.join(work, "affected.out")))["affected"]
plan = json.load(open(os.path.join(work, "plan.out")))
planned = [s["service"] for s in plan["services"]]
if planned != affected:
    sys.exit(f"the plan's services differ from the affected services ({len(planned)} vs {len(affected)})")
github = open(os.path.join(work, "github.out")).read()
if f"services={json.dumps(affected, separators=(',', ':'))}" not in github:
    sys.exit("the github output does not list the affected services")
size = os.path.getsize(os.path.join(work, "plan.out"))
base = median_ms("affected")
print(f"workload: {args[0]} services, {args[1]} changed paths, {len(affected)} services affected")
print(f"plan JSON: {size / 1e6:.1f} MB, {sum(len(s['stages'][0]['steps']) for s in plan['services'])} steps")
print(f"{'command':<28} {'median wall (ms)':>17} {'x affected':>11} {'peak RSS (MiB)':>15}")
failed = False
for name, label in [("affected", "shiprail affected"), ("plan", "shiprail plan (JSON)"),
                    ("github", "shiprail plan --output github")]:
    ms = median_ms(name)
    ratio = ms / base
    print(f"{label:<28} {ms:>17.0f} {ratio:>11.2f} {rss_mib(name):>15.0f}")
    if ratio > 2.0:
        failed = True
if failed:
    sys.exit("target missed: a plan took more than 2x `shiprail affected`")
EOF
