#!/usr/bin/env bash
# Chart packaging benchmark: `shiprail chart package` against `helm package` on a generated
# chart with 1,000 templates (plus values, helpers and a .helmignore). Prints the median of
# several runs for each tool and the ratio; fails when shiprail is not at least 3x faster than
# every helm given.
#
# Env: SHIPRAIL_BIN (default: target/release/shiprail, built when missing),
#      SHIPRAIL_HELM3 / SHIPRAIL_HELM4 (helm binaries; see tests/tools/install-helm.sh),
#      RUNS (default 9), TEMPLATES (default 1000), MIN_RATIO (default 3).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${RUNS:-9}"
templates="${TEMPLATES:-1000}"
min_ratio="${MIN_RATIO:-3}"
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
trap 'rm -rf "$work"' EXIT
chart="$work/bench"
mkdir -p "$chart/templates"
cat > "$chart/Chart.yaml" <<'YAML'
apiVersion: v2
name: bench
description: A generated chart with many templates
type: application
version: 0.1.0
appVersion: "0.1.0"
YAML
printf 'replicaCount: 1\nimage:\n  repository: r/bench\n  tag: ""\n' > "$chart/values.yaml"
printf '*.md\nci/\n.git/\n' > "$chart/.helmignore"
printf '{{- define "bench.name" -}}{{ .Chart.Name }}{{- end }}\n' > "$chart/templates/_helpers.tpl"
for ((i = 0; i < templates; i++)); do
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "bench.name" . }}-%d\n  labels:\n    app.kubernetes.io/instance: {{ .Release.Name }}\ndata:\n  index: "%d"\n  payload: "%s"\n' \
        "$i" "$i" "$(printf 'x%.0s' {1..200})" > "$chart/templates/cm-$i.yaml"
done

# Median wall time in milliseconds of `runs` runs of the given command (output discarded).
median_ms() {
    local times=()
    for ((r = 0; r < runs; r++)); do
        rm -rf "$work/out"
        local start end
        start=$(date +%s%N)
        "$@" > /dev/null 2>&1
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

ours=$(median_ms "$bin" chart package "$chart" --version 1.0.2 -d "$work/out")
echo "templates: $templates, runs: $runs (median wall time)"
echo "shiprail chart package: ${ours} ms"
status=0
for entry in "${helms[@]}"; do
    label="${entry%%=*}"
    helm="${entry#*=}"
    theirs=$(median_ms env HELM_CACHE_HOME="$work/h" HELM_CONFIG_HOME="$work/h" HELM_DATA_HOME="$work/h" \
        "$helm" package "$chart" --version 1.0.2 --app-version 1.0.2 -d "$work/out")
    ratio=$(awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1) }')
    echo "$label package ($("$helm" version --short)): ${theirs} ms, shiprail is ${ratio}x faster"
    if awk -v r="$ratio" -v m="$min_ratio" 'BEGIN { exit !(r < m) }'; then
        echo "FAIL: shiprail must be at least ${min_ratio}x faster than $label" >&2
        status=1
    fi
done
exit "$status"
