#!/usr/bin/env bash
# Promotion benchmark: shiprail against skopeo on a 4 x 64 MiB image (random, incompressible
# layers written by tests/tools/mkoci.py), as whole processes.
#
#   bash tests/bench/promote.sh [RUNS]
#
# - Inside one registry (plain HTTP): shiprail must move 0 blob bytes (cross-repository mounts)
#   and finish faster than skopeo with a warm blob-info cache. skopeo is timed with its cache
#   emptied before every run (cold: it streams every blob through itself) and with the cache
#   filled by a previous copy (warm: it mounts).
# - Between two registries (plain HTTP source, TLS + basic auth destination): every blob is
#   streamed; shiprail's throughput must be at least skopeo's, with a peak RSS under 32 MiB.
#
# Uses the registries named by SHIPRAIL_REGISTRY_ENV, else starts its own with
# tests/services/registry.sh (and stops them). The binary is $SHIPRAIL_BIN, else
# target/release/shiprail (built when missing). Needs root for skopeo's cache directory.
# Prints a Markdown table and exits non-zero when a target is missed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS="${1:-5}"
WORK="$(mktemp -d /tmp/shiprail-bench.XXXXXX)"
CACHE_DIR=/var/lib/containers/cache
STARTED=""
cleanup() {
  [[ -n "$STARTED" ]] && bash "$ROOT/tests/services/registry.sh" stop "$STARTED" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

BIN="${SHIPRAIL_BIN:-$ROOT/target/release/shiprail}"
if [[ ! -x "$BIN" ]]; then
  (cd "$ROOT" && cargo build --release -p shiprail-cli)
fi

if [[ -z "${SHIPRAIL_REGISTRY_ENV:-}" ]]; then
  STARTED="$WORK/registry"
  bash "$ROOT/tests/services/registry.sh" start "$STARTED" >/dev/null
  SHIPRAIL_REGISTRY_ENV="$STARTED/env"
fi
# shellcheck disable=SC1090
source "$SHIPRAIL_REGISTRY_ENV"
PLAIN="$SHIPRAIL_REGISTRY_PLAIN"
TLS="$SHIPRAIL_REGISTRY_TLS"

# Credentials for the TLS registry, as `docker login` would store them.
mkdir -p "$WORK/docker"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$TLS" \
  "$(printf '%s:%s' "$SHIPRAIL_REGISTRY_USER" "$SHIPRAIL_REGISTRY_PASSWORD" | base64 -w0)" \
  >"$WORK/docker/config.json"
export DOCKER_CONFIG="$WORK/docker"

echo "generating 4 x 64 MiB layers ..." >&2
python3 "$ROOT/tests/tools/mkoci.py" image "$WORK/layout" v1.0.0 --layers 4 --layer-mib 64 --bare >/dev/null
TOTAL=$(du -sb "$WORK/layout/blobs" | cut -f1)
BENCH="bench$$"
skopeo copy -q --preserve-digests --dest-tls-verify=false \
  "oci:$WORK/layout:v1.0.0" "docker://$PLAIN/$BENCH/app:v1.0.0"
SRC="$PLAIN/$BENCH/app:v1.0.0"

# time_of CMD...: runs it; sets T (seconds) and M (peak RSS, KiB); its stdout is in $WORK/out.
time_of() {
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" ||
    { cat "$WORK/err" >&2; exit 1; }
  read -r T M <"$WORK/time"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
clear_cache() { rm -rf "$CACHE_DIR"/blob-info-cache-v1.* 2>/dev/null || true; }

declare -a S_SAME S_RSS_SAME SK_COLD SK_WARM S_CROSS S_RSS_CROSS SK_CROSS
for i in $(seq 1 "$RUNS"); do
  echo "run $i/$RUNS ..." >&2
  # Inside one registry.
  time_of "$BIN" image promote "$SRC" "$PLAIN/$BENCH-s$i/prod/app:v1.0.0" --no-progress
  moved=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["bytes_copied"], d["blobs"]["mounted"])' "$WORK/out")
  [[ "$moved" == "0 5" ]] || { echo "expected 0 bytes copied and 5 mounts, got $moved" >&2; exit 1; }
  S_SAME+=("$T"); S_RSS_SAME+=("$M")
  clear_cache
  time_of skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
    "docker://$SRC" "docker://$PLAIN/$BENCH-kc$i/prod/app:v1.0.0"
  SK_COLD+=("$T")
  time_of skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
    "docker://$SRC" "docker://$PLAIN/$BENCH-kw$i/prod/app:v1.0.0"
  SK_WARM+=("$T")
  # Between registries: every byte crosses.
  time_of "$BIN" image promote "$SRC" "$TLS/$BENCH-x$i/app:v1.0.0" \
    --ca-file "$SHIPRAIL_REGISTRY_CA" --no-progress
  S_CROSS+=("$T"); S_RSS_CROSS+=("$M")
  clear_cache
  time_of skopeo copy -q --src-tls-verify=false \
    --dest-cert-dir "$SHIPRAIL_REGISTRY_CERT_DIR" \
    --dest-creds "$SHIPRAIL_REGISTRY_USER:$SHIPRAIL_REGISTRY_PASSWORD" \
    "docker://$SRC" "docker://$TLS/$BENCH-y$i/app:v1.0.0"
  SK_CROSS+=("$T")
done

m_same=$(printf '%s\n' "${S_SAME[@]}" | median)
m_cold=$(printf '%s\n' "${SK_COLD[@]}" | median)
m_warm=$(printf '%s\n' "${SK_WARM[@]}" | median)
m_cross=$(printf '%s\n' "${S_CROSS[@]}" | median)
m_skcross=$(printf '%s\n' "${SK_CROSS[@]}" | median)
rss_same=$(printf '%s\n' "${S_RSS_SAME[@]}" | sort -n | tail -1)
rss_cross=$(printf '%s\n' "${S_RSS_CROSS[@]}" | sort -n | tail -1)
mib=$(awk -v b="$TOTAL" 'BEGIN {printf "%.0f", b / 1048576}')
thr() { awk -v b="$TOTAL" -v t="$1" 'BEGIN {printf "%.0f", b / 1048576 / t}'; }

cat <<EOF

Promotion of a ${mib} MiB image (4 x 64 MiB random layers), median of $RUNS runs, $(nproc) cores:

| case | tool | time (s) | throughput (MiB/s) | peak RSS (MiB) | blob bytes moved |
|---|---|---|---|---|---|
| inside one registry | shiprail | $m_same | - | $((rss_same / 1024)) | 0 (5 mounts) |
| inside one registry | skopeo, empty blob cache | $m_cold | - | - | all |
| inside one registry | skopeo, warm blob cache | $m_warm | - | - | 0 |
| between registries (HTTP -> TLS) | shiprail | $m_cross | $(thr "$m_cross") | $((rss_cross / 1024)) | all |
| between registries (HTTP -> TLS) | skopeo | $m_skcross | $(thr "$m_skcross") | - | all |
EOF

fail=0
awk -v a="$m_same" -v b="$m_warm" 'BEGIN {exit !(a < b)}' ||
  { echo "MISSED: shiprail inside one registry ($m_same s) is not faster than warm skopeo ($m_warm s)" >&2; fail=1; }
awk -v a="$m_cross" -v b="$m_skcross" 'BEGIN {exit !(a <= b)}' ||
  { echo "MISSED: shiprail between registries ($m_cross s) is slower than skopeo ($m_skcross s)" >&2; fail=1; }
((rss_cross < 32 * 1024)) ||
  { echo "MISSED: peak RSS between registries is $((rss_cross / 1024)) MiB (limit 32)" >&2; fail=1; }
exit "$fail"
