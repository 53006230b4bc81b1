#!/usr/bin/env bash
# The affected-services benchmark (not part of the test command: it takes minutes).
#
#   bash tests/bench/affected.sh [SERVICES CHANGED HOT SEED]     (default: 1000 100000 100 3)
#
# Builds shiprail in release mode, generates one workload (tests/bench/gen_monorepo.py),
# converts it for the CLI (tests/bench/to_shiprail.py), and runs on the same input:
#   - shiprail: `shiprail affected --config shiprail.yaml --changed-from changed.txt` (5 runs),
#   - picomatch@4 (npm), one matcher per service, as JavaScript CI actions do,
#   - pathspec (PyPI), one spec per service, as a Python release script would.
# It checks that the three affected sets are identical, then prints whole-process times,
# ratios, shiprail's peak RSS (/usr/bin/time -v) and its in-library evaluation time (the
# hidden --timings flag: matcher compilation + matching). Exits non-zero if the sets differ
# or a target is missed. The peers are installed once into $SHIPRAIL_BENCH_CACHE
# (default ~/.cache/shiprail-bench): npm into a prefix there, pip into a venv there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/tests/bench"
if [ $# -eq 0 ]; then set -- 1000 100000 100 3; fi
ARGS=("$@")
CACHE="${SHIPRAIL_BENCH_CACHE:-$HOME/.cache/shiprail-bench}"
WORK="$(mktemp -d /tmp/shiprail-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
RUNS=5

step() { printf '==> %s\n' "$*" >&2; }

step "tools"
if [ ! -x /usr/bin/time ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
for tool in node npm python3 cargo; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
mkdir -p "$CACHE"
if [ ! -d "$CACHE/npm/node_modules/picomatch" ]; then
  step "npm install picomatch@4 (into $CACHE/npm)"
  npm install --prefix "$CACHE/npm" --no-audit --no-fund --silent picomatch@4 >&2
fi
if [ ! -x "$CACHE/venv/bin/python" ] || ! "$CACHE/venv/bin/python" -c 'import pathspec' 2>/dev/null; then
  step "pip install pathspec (into $CACHE/venv)"
  python3 -m venv "$CACHE/venv"
  "$CACHE/venv/bin/pip" install -q pathspec >&2
fi

step "cargo build --release -p shiprail-cli"
(cd "$ROOT" && cargo build --release -q -p shiprail-cli)
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SHIPRAIL="$TARGET_DIR/release/shiprail"

step "workload: gen_monorepo.py ${ARGS[*]}"
python3 "$BENCH/gen_monorepo.py" "${ARGS[@]}" "$WORK/workload.json"
python3 "$BENCH/to_shiprail.py" "$WORK/workload.json" "$WORK/input"

# timed WALL RSS OUT ERR CMD...: runs CMD under /usr/bin/time -v (report into RSS) with its
# stdout in OUT and stderr in ERR, and appends its wall time in ns to WALL.
timed() {
  local wall="$1" rss="$2" out="$3" err="$4"; shift 4
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -v -o "$rss" "$@" >"$out" 2>"$err"
  t1=$(date +%s%N)
  echo $((t1 - t0)) >>"$wall"
}

step "shiprail ($RUNS runs)"
"$SHIPRAIL" affected --config "$WORK/input/shiprail.yaml" --changed-from "$WORK/input/changed.txt" >/dev/null # warm the page cache
for i in $(seq 1 $RUNS); do
  timed "$WORK/shiprail.wall" "$WORK/shiprail.rss.$i" "$WORK/shiprail.json" "$WORK/timings.$i.json" \
    "$SHIPRAIL" affected --config "$WORK/input/shiprail.yaml" --changed-from "$WORK/input/changed.txt" --timings
done
step "picomatch"
timed "$WORK/picomatch.wall" "$WORK/picomatch.rss" "$WORK/picomatch.json" "$WORK/picomatch.err" \
  node "$BENCH/peer_picomatch.mjs" "$WORK/workload.json" "$CACHE/npm"
step "pathspec"
timed "$WORK/pathspec.wall" "$WORK/pathspec.rss" "$WORK/pathspec.json" "$WORK/pathspec.err" \
  "$CACHE/venv/bin/python" "$BENCH/peer_pathspec.py" "$WORK/workload.json"

python3 "$BENCH/report.py" "$WORK" "${ARGS[@]}"
