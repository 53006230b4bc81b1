#!/usr/bin/env bash
# The affected-services benchmark from Node (not part of the test command: the peer takes tens
# of seconds).
#
#   bash tests/bench/node_affected.sh [SERVICES CHANGED HOT SEED]     (default: 1000 100000 100 3)
#
# Builds the Node addon (crate shiprail-node) and the CLI in release mode, generates one
# workload (tests/bench/gen_monorepo.py) and converts it for shiprail (tests/bench/to_shiprail.py),
# then runs tests/bench/node_affected.mjs: in one Node process, with the paths held as a JS
# array, shiprail's `AffectedMatcher` / `Config#affected` against the picomatch peer (one
# matcher per service, as JavaScript CI actions do), and the Rust CLI `shiprail affected` on the
# same files. It prints a Markdown table and exits non-zero when the affected sets differ or a
# target is missed (Node at least 100x faster than picomatch, within 2x of the CLI). picomatch@4
# is installed once into $SHIPRAIL_BENCH_CACHE (default ~/.cache/shiprail-bench), as
# tests/bench/affected.sh does. RUNS (default 7) sets the runs per contender.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/tests/bench"
if [ $# -eq 0 ]; then set -- 1000 100000 100 3; fi
CACHE="${SHIPRAIL_BENCH_CACHE:-$HOME/.cache/shiprail-bench}"
WORK="$(mktemp -d /tmp/shiprail-node-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

step() { printf '==> %s\n' "$*" >&2; }

for tool in node npm python3 cargo; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
mkdir -p "$CACHE"
if [ ! -d "$CACHE/npm/node_modules/picomatch" ]; then
  step "npm install picomatch@4 (into $CACHE/npm)"
  npm install --prefix "$CACHE/npm" --no-audit --no-fund --silent picomatch@4 >&2
fi

step "cargo build --release -p shiprail-node -p shiprail-cli"
(cd "$ROOT" && cargo build --release -q -p shiprail-node -p shiprail-cli)
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
# The addon is the cdylib napi build would copy next to index.js; Node loads it directly.
cp "$TARGET_DIR/release/libshiprail_node.so" "$WORK/shiprail.node"

step "workload: gen_monorepo.py $*"
python3 "$BENCH/gen_monorepo.py" "$@" "$WORK/workload.json"
python3 "$BENCH/to_shiprail.py" "$WORK/workload.json" "$WORK/input"

step "node $(node --version): shiprail, the CLI and picomatch on the same input"
node "$BENCH/node_affected.mjs" "$WORK/shiprail.node" "$TARGET_DIR/release/shiprail" "$WORK" "$CACHE/npm" "${RUNS:-7}"
