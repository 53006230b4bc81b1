#!/usr/bin/env bash
# The one command that tests everything in shiprail, on a fresh Debian 12 machine or a warm one:
#   bash tests/run.sh
# It installs what the suites need (apt, pip, npm), builds, starts the real services the tests
# use on 127.0.0.1, runs every suite (Rust, Python, Node) and stops what it started, whatever
# the outcome. It prints a closing "N passed, N failed" line and exits non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="${SHIPRAIL_TEST_DIR:-$(mktemp -d /tmp/shiprail-test.XXXXXX)}"
LOG="$WORK/cargo-test.log"
: >"$WORK/summary"
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

# Services started by this script register their stop commands here; they run on exit.
CLEANUP=()
cleanup() {
  local i
  for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do eval "${CLEANUP[$i]}" || true; done
}
trap cleanup EXIT

apt_ensure() {
  # Installs the Debian packages that are missing; `apt-get update` runs once, only if needed.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if ((${#missing[@]})); then
    step "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

step "tools"
command -v cargo >/dev/null || { echo "cargo is required (rustup toolchain)"; exit 2; }
apt_ensure git ca-certificates
cargo --version

step "real helm binaries (reference clients for the chart cross-checks)"
bash tests/tools/install-helm.sh "$ROOT/target/tools"
export SHIPRAIL_HELM3="$ROOT/target/tools/helm3" SHIPRAIL_HELM4="$ROOT/target/tools/helm4"
"$SHIPRAIL_HELM3" version --short
"$SHIPRAIL_HELM4" version --short

step "format"
cargo fmt --all --check

step "build (whole workspace, bindings included)"
cargo build --workspace --all-targets

step "lint"
cargo clippy --workspace --all-targets -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p shiprail -p shiprail-cli

step "registries (docker-registry on 127.0.0.1:5000 plain and :5443 TLS + basic auth; skopeo seeds)"
bash tests/services/registry.sh start "$WORK/registry"
CLEANUP+=("bash tests/services/registry.sh stop '$WORK/registry'")
export SHIPRAIL_REGISTRY_ENV="$WORK/registry/env"

# Every suite runs even when one before it failed (a Python failure must not hide the Node
# results); FAILED names the suites that did not pass, and decides the exit status at the end.
FAILED=()

step "rust tests"
# The binding crates are exercised through their language suites; their Rust side has no tests.
cargo test -p shiprail -p shiprail-cli --features shiprail/registry 2>&1 | tee "$LOG" || FAILED+=(rust)
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
  END { printf "rust: %d passed, %d failed\n", p, f }' "$LOG" >>"$WORK/summary"

step "python package"
# Debug build for the suite (the benchmark in docs/benchmarks.md uses a release build).
SHIPRAIL_PY_PROFILE=debug bash python/run-tests.sh 2>&1 | tee "$WORK/python.log" || FAILED+=(python)
grep -E '^python: [0-9]+ passed, [0-9]+ failed' "$WORK/python.log" | tail -n 1 | cut -d, -f1,2 >>"$WORK/summary" ||
  echo "python: 0 passed, 1 failed (no summary: the suite stopped early)" >>"$WORK/summary"

step "node package"
# Debug build for the suite (the benchmark in docs/benchmarks.md uses a release build).
SHIPRAIL_NODE_PROFILE=debug bash node/run-tests.sh 2>&1 | tee "$WORK/node.log" || FAILED+=(node)
grep -E '^node: [0-9]+ passed, [0-9]+ failed$' "$WORK/node.log" >>"$WORK/summary" ||
  echo "node: 0 passed, 1 failed (no summary: the suite stopped early)" >>"$WORK/summary"

echo
cat "$WORK/summary"
awk '{ p += $2; f += $4 } END { printf "shiprail: %d passed, %d failed\n", p, f }' "$WORK/summary"
if ((${#FAILED[@]})); then
  echo "failed suites: ${FAILED[*]}"
  exit 1
fi
