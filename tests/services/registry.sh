#!/usr/bin/env bash
# Real OCI registries for shiprail's registry tests, on 127.0.0.1.
#
#   bash tests/services/registry.sh start DIR   # start both, seed them, write DIR/env
#   bash tests/services/registry.sh stop DIR    # stop what `start DIR` started
#
# `start` installs what is missing (docker-registry, skopeo, apache2-utils, openssl; Debian 12,
# as root), then runs two instances of the distribution registry (`docker-registry serve`):
#   - plain HTTP, anonymous, on 127.0.0.1:$SHIPRAIL_REGISTRY_PORT (default 5000);
#   - TLS with a certificate from a throw-away CA (SAN IP:127.0.0.1, DNS:localhost) and bcrypt
#     htpasswd basic auth, on 127.0.0.1:$SHIPRAIL_REGISTRY_TLS_PORT (default 5443).
# Both store on the filesystem under DIR and allow deletes. It waits until both answer, seeds
# them with images written by tests/tools/mkoci.py and pushed by skopeo, and writes DIR/env
# (KEY=value lines; the tests read it through SHIPRAIL_REGISTRY_ENV=DIR/env).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${SHIPRAIL_REGISTRY_PORT:-5000}"
TLS_PORT="${SHIPRAIL_REGISTRY_TLS_PORT:-5443}"

die() { echo "registry.sh: $*" >&2; exit 1; }

ensure_tools() {
  local missing=()
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  command -v skopeo >/dev/null || missing+=(skopeo)
  command -v htpasswd >/dev/null || missing+=(apache2-utils)
  command -v openssl >/dev/null || missing+=(openssl)
  if ((${#missing[@]})); then
    echo "registry.sh: apt-get install ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  fi
}

make_tls() {
  local dir="$1"
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=shiprail test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  cat >"$dir/server.ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EOF
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 7 -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
  # skopeo --dest-cert-dir / --src-cert-dir read the CA from DIR/*.crt.
  mkdir -p "$dir/certs.d"
  cp "$dir/ca.crt" "$dir/certs.d/ca.crt"
}

write_config() {
  local file="$1" addr="$2" storage="$3" extra="$4"
  cat >"$file" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $storage
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $addr
  secret: $(openssl rand -hex 16)
$extra
EOF
}

wait_ready() {
  # Ready when /v2/ answers 200 (anonymous) or 401 (auth required).
  local url="$1" ca="${2:-}" i
  for i in $(seq 1 100); do
    if python3 - "$url" "$ca" <<'EOF' 2>/dev/null; then return 0; fi
import ssl, sys, urllib.request, urllib.error
url, ca = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=ca) if ca else None
try:
    urllib.request.urlopen(url, timeout=1, context=ctx)
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code == 401 else 1)
EOF
    sleep 0.1
  done
  die "$url did not answer within 10 s"
}

seed() {
  local dir="$1" layout="$dir/layout" mkoci="$ROOT/tests/tools/mkoci.py"
  rm -rf "$layout"
  local single multi signed
  single=$(python3 "$mkoci" image "$layout" v1.0.2)
  multi=$(python3 "$mkoci" index "$layout" v2.0.0 --platform linux/amd64 --platform linux/arm64)
  signed=$(python3 "$mkoci" image "$layout" v3.0.0 --platform linux/arm64)
  python3 "$mkoci" signature "$layout" --subject "$signed" --kind sig >/dev/null
  local sigtag="sha256-${signed#sha256:}.sig"
  local plain="docker://127.0.0.1:$PORT" tls="docker://127.0.0.1:$TLS_PORT"
  local tlsargs=(--dest-cert-dir "$dir/tls/certs.d" --dest-creds "$USER_NAME:$PASSWORD")
  local cp=(skopeo copy -q --preserve-digests)
  "${cp[@]}" --dest-tls-verify=false "oci:$layout:v1.0.2" "$plain/delivery:v1.0.2"
  "${cp[@]}" --all --dest-tls-verify=false "oci:$layout:v2.0.0" "$plain/multi:v2.0.0"
  "${cp[@]}" --dest-tls-verify=false "oci:$layout:v3.0.0" "$plain/signed:v3.0.0"
  "${cp[@]}" --dest-tls-verify=false "oci:$layout:$sigtag" "$plain/signed:$sigtag"
  "${cp[@]}" "${tlsargs[@]}" "oci:$layout:v1.0.2" "$tls/delivery:v1.0.2"
  "${cp[@]}" --all "${tlsargs[@]}" "oci:$layout:v2.0.0" "$tls/multi:v2.0.0"
  cat >>"$dir/env" <<EOF
SHIPRAIL_SEED_SINGLE=delivery:v1.0.2
SHIPRAIL_SEED_SINGLE_DIGEST=$single
SHIPRAIL_SEED_INDEX=multi:v2.0.0
SHIPRAIL_SEED_INDEX_DIGEST=$multi
SHIPRAIL_SEED_SIGNED=signed:v3.0.0
SHIPRAIL_SEED_SIGNED_DIGEST=$signed
SHIPRAIL_SEED_SIGNATURE_TAG=$sigtag
EOF
}

start() {
  local dir="$1"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  [[ -f "$dir/plain.pid" || -f "$dir/tls.pid" ]] && stop "$dir"
  ensure_tools
  make_tls "$dir/tls"
  USER_NAME=shiprail
  PASSWORD="$(openssl rand -hex 12)"
  htpasswd -Bbn "$USER_NAME" "$PASSWORD" >"$dir/htpasswd" 2>/dev/null
  mkdir -p "$dir/plain-storage" "$dir/tls-storage"
  write_config "$dir/plain.yml" "127.0.0.1:$PORT" "$dir/plain-storage" ""
  write_config "$dir/tls.yml" "127.0.0.1:$TLS_PORT" "$dir/tls-storage" "  tls:
    certificate: $dir/tls/server.crt
    key: $dir/tls/server.key
auth:
  htpasswd:
    realm: shiprail-test
    path: $dir/htpasswd"
  local name
  for name in plain tls; do
    setsid docker-registry serve "$dir/$name.yml" >"$dir/$name.log" 2>&1 </dev/null &
    echo $! >"$dir/$name.pid"
  done
  wait_ready "http://127.0.0.1:$PORT/v2/"
  wait_ready "https://127.0.0.1:$TLS_PORT/v2/" "$dir/tls/ca.crt"
  cat >"$dir/env" <<EOF
SHIPRAIL_REGISTRY_PLAIN=127.0.0.1:$PORT
SHIPRAIL_REGISTRY_TLS=127.0.0.1:$TLS_PORT
SHIPRAIL_REGISTRY_CA=$dir/tls/ca.crt
SHIPRAIL_REGISTRY_CERT_DIR=$dir/tls/certs.d
SHIPRAIL_REGISTRY_USER=$USER_NAME
SHIPRAIL_REGISTRY_PASSWORD=$PASSWORD
SHIPRAIL_REGISTRY_PLAIN_STORAGE=$dir/plain-storage
SHIPRAIL_REGISTRY_TLS_STORAGE=$dir/tls-storage
EOF
  seed "$dir"
  echo "registry.sh: plain 127.0.0.1:$PORT, TLS 127.0.0.1:$TLS_PORT; env in $dir/env"
}

stop() {
  local dir="$1" name pid
  for name in plain tls; do
    [[ -f "$dir/$name.pid" ]] || continue
    pid="$(cat "$dir/$name.pid")"
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/$name.pid"
  done
}

case "${1:-}" in
  start) [[ -n "${2:-}" ]] || die "usage: registry.sh start DIR"; start "$2" ;;
  stop) [[ -n "${2:-}" ]] || die "usage: registry.sh stop DIR"; stop "$2" ;;
  *) die "usage: registry.sh start|stop DIR" ;;
esac
