#!/usr/bin/env bash
# The affected-services benchmark from Python (not part of the test command: pathspec takes
# minutes). One command, release builds:
#
#   bash tests/bench/python_affected.sh [SERVICES CHANGED HOT SEED]     (default: 1000 100000 100 3)
#
# Builds the shiprail CLI and the Python package in release mode, generates one workload
# (tests/bench/gen_monorepo.py) and its CLI input (tests/bench/to_shiprail.py), and runs
# tests/bench/python_affected.py on it: shiprail from Python lists, the CLI and the pathspec peer
# side by side. Exits non-zero if the answers differ or a target is missed. Tools are installed
# once into $SHIPRAIL_BENCH_CACHE (default ~/.cache/shiprail-bench): pathspec into the venv
# affected.sh also uses, the release build of the Python package into a venv of its own.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/tests/bench"
if [ $# -eq 0 ]; then set -- 1000 100000 100 3; fi
ARGS=("$@")
CACHE="${SHIPRAIL_BENCH_CACHE:-$HOME/.cache/shiprail-bench}"
PYTHON="${PYTHON:-python3}"
WORK="$(mktemp -d /tmp/shiprail-pybench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

step() { printf '==> %s\n' "$*" >&2; }

for tool in "$PYTHON" cargo; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
mkdir -p "$CACHE"
if [ ! -x "$CACHE/venv/bin/python" ] || ! "$CACHE/venv/bin/python" -c 'import pathspec' 2>/dev/null; then
  step "pip install pathspec (into $CACHE/venv)"
  "$PYTHON" -m venv "$CACHE/venv"
  "$CACHE/venv/bin/pip" install -q pathspec >&2
fi

step "cargo build --release -p shiprail-cli"
(cd "$ROOT" && cargo build --release -q -p shiprail-cli)
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SHIPRAIL="$TARGET_DIR/release/shiprail"

step "pip install ./python (release build, into $CACHE/py-venv)"
[ -x "$CACHE/py-venv/bin/python" ] || "$PYTHON" -m venv "$CACHE/py-venv"
rm -f "$ROOT"/python/shiprail/_native*.so
(cd "$ROOT" && unset MATURIN_PEP517_ARGS && "$CACHE/py-venv/bin/python" -m pip install -q --force-reinstall --no-deps ./python >&2)

step "workload: gen_monorepo.py ${ARGS[*]}"
"$PYTHON" "$BENCH/gen_monorepo.py" "${ARGS[@]}" "$WORK/workload.json"
"$PYTHON" "$BENCH/to_shiprail.py" "$WORK/workload.json" "$WORK/input"

step "python_affected.py (shiprail from Python, the CLI, pathspec)"
# Run from the work folder: the source folder `python/` must not shadow the installed package.
cd "$WORK"
"$CACHE/py-venv/bin/python" "$BENCH/python_affected.py" "$WORK/workload.json" "$WORK/input" \
  --cli "$SHIPRAIL" --peer-python "$CACHE/venv/bin/python" --label "${ARGS[*]}"
