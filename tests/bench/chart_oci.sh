#!/usr/bin/env bash
# Chart OCI benchmark: `shiprail chart push` / `chart pull` against `helm push` / `helm pull` of
# the same archive on the same registry (plain HTTP on loopback), as whole processes. The chart
# is the 1,000-template chart of tests/bench/chart.sh, packaged by shiprail. Every push goes to a
# repository of its own, so no run finds its manifest already there; every pull writes into an
# empty folder. Prints the median wall time of each and helm's time over shiprail's. No target:
# the issue sets none, this keeps the figure honest.
#
# Env: SHIPRAIL_BIN (default target/release/shiprail, built when missing), SHIPRAIL_HELM3 and/or
#      SHIPRAIL_HELM4 (tests/tools/install-helm.sh), SHIPRAIL_REGISTRY_ENV (else a registry is
#      started with tests/services/registry.sh and stopped), RUNS (default 7), TEMPLATES (1000).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${RUNS:-7}"
templates="${TEMPLATES:-1000}"
bin="${SHIPRAIL_BIN:-$root/target/release/shiprail}"
if [[ ! -x "$bin" ]]; then
    (cd "$root" && cargo build --quiet --release -p shiprail-cli)
fi
helms=()
[[ -n "${SHIPRAIL_HELM3:-}" ]] && helms+=("helm3=$SHIPRAIL_HELM3")
[[ -n "${SHIPRAIL_HELM4:-}" ]] && helms+=("helm4=$SHIPRAIL_HELM4")
if [[ ${#helms[@]} -eq 0 ]]; then
    echo "set SHIPRAIL_HELM3 and/or SHIPRAIL_HELM4 (tests/tools/install-helm.sh)" >&2
    exit 2
fi

work="$(mktemp -d)"
started=""
cleanup() {
    [[ -n "$started" ]] && bash "$root/tests/services/registry.sh" stop "$started" >/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
if [[ -z "${SHIPRAIL_REGISTRY_ENV:-}" ]]; then
    started="$work/registry"
    bash "$root/tests/services/registry.sh" start "$started" >/dev/null
    SHIPRAIL_REGISTRY_ENV="$started/env"
fi
# shellcheck disable=SC1090
source "$SHIPRAIL_REGISTRY_ENV"
registry="$SHIPRAIL_REGISTRY_PLAIN"
export HELM_CACHE_HOME="$work/h" HELM_CONFIG_HOME="$work/h" HELM_DATA_HOME="$work/h"

chart="$work/bench"
mkdir -p "$chart/templates"
printf 'apiVersion: v2\nname: bench\nversion: 0.1.0\nappVersion: "0.1.0"\n' > "$chart/Chart.yaml"
printf 'replicaCount: 1\n' > "$chart/values.yaml"
for ((i = 0; i < templates; i++)); do
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\ndata:\n  payload: "%s"\n' \
        "$i" "$(printf 'x%.0s' {1..200})" > "$chart/templates/cm-$i.yaml"
done
"$bin" chart package "$chart" --version 1.0.2 -d "$work" > /dev/null
archive="$work/bench-1.0.2.tgz"
run_id="oci$$"

# Median wall time in ms of `runs` runs of "$@"; {N} in an argument becomes the run number.
median_ms() {
    local times=() r start end args
    for ((r = 0; r < runs; r++)); do
        args=("${@//\{N\}/$r}")
        rm -rf "$work/out" && mkdir -p "$work/out"
        start=$(date +%s%N)
        "${args[@]}" > /dev/null 2>&1 || { echo "failed: ${args[*]}" >&2; exit 1; }
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }'; }

echo "archive: $(stat -c %s "$archive") bytes, $templates templates; runs: $runs (median wall time)"
push_ours=$(median_ms "$bin" chart push "$archive" "oci://$registry/$run_id/shiprail{N}")
# The pulls read what the first shiprail push wrote.
pull_ours=$(median_ms "$bin" chart pull "oci://$registry/$run_id/shiprail0/bench" --version 1.0.2 -d "$work/out")
echo "| tool | push ms | pull ms |"
echo "|---|---|---|"
echo "| shiprail | $push_ours | $pull_ours |"
for entry in "${helms[@]}"; do
    label="${entry%%=*}"
    helm="${entry#*=}"
    push=$(median_ms "$helm" push "$archive" "oci://$registry/$run_id/$label{N}" --plain-http)
    pull=$(median_ms "$helm" pull "oci://$registry/$run_id/shiprail0/bench" --version 1.0.2 -d "$work/out" --plain-http)
    echo "| $label ($("$helm" version --short)) | $push ($(ratio "$push" "$push_ours")x shiprail's) | $pull ($(ratio "$pull" "$pull_ours")x shiprail's) |"
done
