#!/usr/bin/env bash
# Tests the Python package: builds and installs it into a venv with pip (PEP 517, maturin from
# PyPI), checks the committed stub against the Rust code, type-checks the examples with
# `mypy --strict`, checks the stub against the runtime with `mypy.stubtest`, runs pytest (and
# again under CPython 3.9, the wheel's floor, when one is installed), and runs the
# version-sorting benchmark. Works on a fresh machine that reaches only the package
# registries; exits non-zero when any step fails.
#
#   bash python/run-tests.sh
#
# Environment: PYTHON (default python3), SHIPRAIL_PY_VENV (default python/.venv, reused),
# CARGO_TARGET_DIR (as cargo uses it), SHIPRAIL_PY_PROFILE=debug to build the wheel with cargo's
# dev profile (faster to build; the benchmark is then skipped), SHIPRAIL_SKIP_BENCH=1 to skip
# the benchmark.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="${SHIPRAIL_PY_VENV:-$ROOT/python/.venv}"
FAILED=()

step() { printf '\n==> python: %s\n' "$*"; }
fail() { echo "python: FAILED: $*" >&2; FAILED+=("$*"); }

have_root_apt() { command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; }

step "interpreter and venv"
"$PYTHON" --version || { echo "python: $PYTHON not found" >&2; exit 2; }
if ! "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null; then
  if have_root_apt; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv
  fi
fi
# The stub generator is a Rust program that links libpython: make sure the shared library of
# the interpreter PyO3 builds against (`python3` on PATH) is there, and findable at run time.
PY_LIBDIR="$(python3 -c 'import sysconfig; print(sysconfig.get_config_var("LIBDIR") or "")')"
PY_LDLIB="$(python3 -c 'import sysconfig; print(sysconfig.get_config_var("LDLIBRARY") or "")')"
if [ ! -e "$PY_LIBDIR/$PY_LDLIB" ] && have_root_apt; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-dev
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV" || { echo "python: cannot create a venv" >&2; exit 2; }
fi
VPY="$VENV/bin/python"
export MYPY_CACHE_DIR="$VENV/.mypy_cache"  # keep the work tree clean
"$VPY" -m pip install -q --upgrade pip >/dev/null || fail "pip upgrade"
"$VPY" -m pip install -q -r python/requirements-test.txt || { echo "python: cannot install test tools" >&2; exit 2; }

step "pip install ./python"
rm -f python/shiprail/_native*.so  # a `maturin develop` leftover must not shadow the build
start=$SECONDS
if [ "${SHIPRAIL_PY_PROFILE:-release}" = debug ]; then
  export MATURIN_PEP517_ARGS="--profile dev"
  SHIPRAIL_SKIP_BENCH=1
fi
if "$VPY" -m pip install -q --force-reinstall --no-deps ./python; then
  echo "built and installed in $((SECONDS - start)) s"
else
  echo "python: pip install ./python failed" >&2
  exit 1
fi

# The generator builds without the default `abi3` feature (pyo3-stub-gen needs more than the
# 3.9 limited API of the wheel), against the full API of `python3`.
step "stub drift (cargo run -p shiprail-python --no-default-features --features stub-gen --bin stub_gen -- --check)"
LD_LIBRARY_PATH="$PY_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  cargo run -q -p shiprail-python --no-default-features --features stub-gen --bin stub_gen -- --check \
  || fail "stub drift"

step "mypy --strict (examples, benchmark, the test suite itself)"
"$VPY" -m mypy --strict examples/python/ tests/bench/python_versions.py tests/bench/python_affected.py python/tests/ || fail "mypy --strict"

step "python -m mypy.stubtest shiprail"
# Run from the venv: the source folder must not shadow the installed package, and stubtest
# writes its cache into the current directory.
(cd "$VENV" && "$VPY" -m mypy.stubtest shiprail) || fail "stubtest"

step "pytest"
LOG="$(mktemp)"
(cd python && SHIPRAIL_EXPECT_INSTALLED=1 "$VENV/bin/pytest" -q -p no:cacheprovider) | tee "$LOG"
[ "${PIPESTATUS[0]}" = 0 ] || fail "pytest"
SUMMARY="$(grep -E '^=* ?[0-9]+ (passed|failed|error)' "$LOG" | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//')"
count() { echo "$SUMMARY" | grep -oE "[0-9]+ $1" | grep -oE '^[0-9]+' || echo 0; }
PASSED=$(count passed)
BROKEN=$(($(count failed) + $(count error)))
rm -f "$LOG"

# The wheel is abi3 for CPython 3.9 and newer: where a 3.9 interpreter is at hand (SHIPRAIL_PY39,
# else python3.9 on PATH, else pyenv's), the same wheel and the same suite run under it too.
# pytest 9 no longer supports 3.9, hence `pytest<9` there. Its passes are not added to the
# total (they are the same tests again); its failures are.
step "pytest under CPython 3.9 (the abi3 floor)"
# The first candidate that really is a working 3.9 (a pyenv shim on PATH may not be).
PY39=""
for candidate in ${SHIPRAIL_PY39:-} "$HOME"/.pyenv/versions/3.9.*/bin/python3.9 "$(command -v python3.9)"; do
  if [ -x "$candidate" ] && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 9))' 2>/dev/null; then
    PY39="$candidate"
    break
  fi
done
SUMMARY39="skipped: no CPython 3.9 on this machine (set SHIPRAIL_PY39)"
if [ -n "$PY39" ]; then
  WHEELS="$(mktemp -d)"
  VENV39="$VENV-py39"
  LOG="$(mktemp)"
  if "$VPY" -m pip wheel -q --no-deps ./python -w "$WHEELS" &&
    { [ -x "$VENV39/bin/python" ] || "$PY39" -m venv "$VENV39"; } &&
    "$VENV39/bin/python" -m pip install -q --upgrade "pytest<9" &&
    "$VENV39/bin/python" -m pip install -q --force-reinstall --no-deps "$WHEELS"/shiprail-*-cp39-abi3-*.whl; then
    "$VENV39/bin/python" --version
    # The pytest script, not `python -m pytest`: the source folder must not shadow the wheel.
    (cd python && SHIPRAIL_EXPECT_INSTALLED=1 "$VENV39/bin/pytest" -q -p no:cacheprovider) >"$LOG" 2>&1
    [ $? = 0 ] || { tail -n 40 "$LOG"; fail "pytest (3.9)"; }
    SUMMARY39="$(grep -E '^=* ?[0-9]+ (passed|failed|error)' "$LOG" | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//')"
    [ -n "$SUMMARY39" ] || SUMMARY39="no summary"
  else
    fail "pytest (3.9): building or installing the cp39-abi3 wheel"
  fi
  rm -rf "$WHEELS" "$LOG"
fi
echo "pytest (3.9): $SUMMARY39"

if [ "${SHIPRAIL_SKIP_BENCH:-0}" != 1 ]; then
  step "benchmark: sorting versions, shiprail vs semver"
  "$VPY" tests/bench/python_versions.py || fail "benchmark"
fi

echo
echo "pytest: ${SUMMARY:-no summary}"
echo "pytest (3.9): $SUMMARY39"
if ((${#FAILED[@]})); then
  echo "python: ${#FAILED[@]} step(s) failed: ${FAILED[*]}"
fi
# One more failure for each failed step outside pytest, so the closing line never reads clean.
OTHER=0
for f in "${FAILED[@]}"; do [ "$f" = pytest ] || OTHER=$((OTHER + 1)); done
echo "python: $PASSED passed, $((BROKEN + OTHER)) failed"
((${#FAILED[@]} == 0))
